package judge_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"concord/judge"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		h    map[string]string
		want time.Duration
	}{
		{map[string]string{"Retry-After": "3"}, 3 * time.Second},
		{map[string]string{"Retry-After": "0.25"}, 250 * time.Millisecond},
		{map[string]string{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}, 7 * time.Second},
		{map[string]string{"Retry-After": now.Add(-time.Second).Format(http.TimeFormat)}, 0},
		{map[string]string{"Retry-After-Ms": "1500", "Retry-After": "9"}, 1500 * time.Millisecond},
		{map[string]string{"Retry-After": "soon"}, 0},
		{map[string]string{}, 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.h {
			h.Set(k, v)
		}
		if got := judge.ParseRetryAfter(h, now); got != tt.want {
			t.Errorf("parseRetryAfter(%v) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

func TestLimiterWaits(t *testing.T) {
	l := judge.NewLimiter(600, 10) // 10 tokens a second, bucket of 10
	ctx := context.Background()
	start := time.Now()
	if err := l.Wait(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("Wait on a full bucket took %v, want no wait", d)
	}
	if err := l.Wait(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Errorf("Wait(5) on an empty bucket at 10/s returned after %v, want at least 0.5 s", d)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.Wait(cctx, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context = %v, want context.Canceled", err)
	}
	var none *judge.Limiter
	if err := none.Wait(ctx, 1e9); err != nil {
		t.Errorf("nil limiter Wait = %v, want nil", err)
	}
}

func TestScrubAndSafeURL(t *testing.T) {
	if got := judge.Scrub("key sk-abc123456789 here", "sk-abc123456789"); strings.Contains(got, "sk-abc") {
		t.Errorf("Scrub left the key: %q", got)
	}
	if got := judge.SafeURL("https://user:pw@x.openai.azure.com/openai?api-key=SECRET#f"); got != "https://x.openai.azure.com/openai" {
		t.Errorf("SafeURL = %q, want credentials, query and fragment removed", got)
	}
	for url, want := range map[string]bool{"https://my.openai.azure.com": true, "https://api.openai.com/v1": false, "http://localhost:11434/v1": false} {
		if got := judge.IsAzure(url); got != want {
			t.Errorf("IsAzure(%q) = %v, want %v", url, got, want)
		}
	}
}
