package judge_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"concord/judge"
)

func TestOfflineRewriter(t *testing.T) {
	const L = judge.RestateLeadIn
	tests := []struct {
		name, in, want string
	}{
		{"numbered",
			"Steps:\n1. Boil water.\n2. Add tea.\nEnjoy.",
			"Steps:\n1. " + L + "Boil water.\n2. " + L + "Add tea.\n\n1. Boil water.\n2. Add tea.\nEnjoy."},
		{"numbered with parenthesis",
			"1) one\n2) two",
			"1) " + L + "one\n2) " + L + "two\n\n1) one\n2) two"},
		{"bulleted, each marker",
			"Pros:\n- fast\n* cheap\n+ simple\n\nThat is all.",
			"Pros:\n- " + L + "fast\n* " + L + "cheap\n+ " + L + "simple\n\n- fast\n* cheap\n+ simple\n\nThat is all."},
		{"nested",
			"- fruit\n  - apple\n  - pear\n- vegetables\n    1. leek",
			"- " + L + "fruit\n  - " + L + "apple\n  - " + L + "pear\n- " + L + "vegetables\n    1. " + L + "leek\n\n" +
				"- fruit\n  - apple\n  - pear\n- vegetables\n    1. leek"},
		{"code inside an item is kept, its lines are not items",
			"1. Run:\n   ```sh\n   - not an item\n   ```\n2. Done",
			"1. " + L + "Run:\n   ```sh\n   - not an item\n   ```\n2. " + L + "Done\n\n1. Run:\n   ```sh\n   - not an item\n   ```\n2. Done"},
		{"a list inside top-level code is not the list",
			"```\n- x\n```\nThen:\n- y",
			"```\n- x\n```\nThen:\n- " + L + "y\n\n- y"},
		{"only the first list",
			"- a\n\nText.\n\n- b",
			"- " + L + "a\n\n- a\n\nText.\n\n- b"},
		{"continuation line",
			"- a long item\n  that wraps\n- b",
			"- " + L + "a long item\n  that wraps\n- " + L + "b\n\n- a long item\n  that wraps\n- b"},
	}
	for _, tt := range tests {
		got, err := judge.OfflineRewriter{}.Rewrite(context.Background(), tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%s: Rewrite(%q) = %q, %v; want %q", tt.name, tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "No list here.", "-not a list\n1.nor this", "```\n- in code\n```", "---\n***"} {
		if judge.HasList(in) {
			t.Errorf("HasList(%q) = true, want false", in)
		}
		if _, err := (judge.OfflineRewriter{}).Rewrite(context.Background(), in); !errors.Is(err, judge.ErrNoList) {
			t.Errorf("Rewrite(%q) error = %v, want ErrNoList", in, err)
		}
	}
}

// TestModelRewriter checks the rewriting model's reply lands before the list
// and the key never reaches the padded text.
func TestModelRewriter(t *testing.T) {
	f := newFakeServer(t, func(user string, _ int) reply {
		if !strings.HasPrefix(user, "- a\n- b") {
			return reply{text: "unexpected " + user}
		}
		return reply{text: "- first letter ($AUTH)\n- second letter\n"}
	})
	c := judge.NewOpenAIClient(judge.ClientConfig{BaseURL: f.URL + "/v1", Model: "rewriter", APIKey: testKey})
	r := &judge.ModelRewriter{Client: c, APIKey: testKey}
	got, err := r.Rewrite(context.Background(), "Intro\n- a\n- b\nEnd")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "Intro\n- first letter (") || !strings.HasSuffix(got, "- second letter\n\n- a\n- b\nEnd") || strings.Contains(got, testKey) {
		t.Errorf("Rewrite = %q, want the reply before the list, without the key", got)
	}
}
