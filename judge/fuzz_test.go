package judge_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"concord/judge"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/; `go test` runs them as
// regression tests, `build/fuzz.sh` (make fuzz) explores beyond them.

// FuzzParseVerdict checks ParseVerdict on any text: it never panics, fails
// only with its typed errors, and a verdict it returns is a label whose token
// is in the text and which a line holding only that token confirms.
func FuzzParseVerdict(f *testing.F) {
	f.Fuzz(func(t *testing.T, out string) {
		l, err := judge.ParseVerdict(out)
		if err != nil {
			if !errors.Is(err, judge.ErrNoVerdict) && !errors.Is(err, judge.ErrAmbiguousVerdict) {
				t.Fatalf("ParseVerdict(%q): untyped error %v", out, err)
			}
			if l != "" {
				t.Fatalf("ParseVerdict(%q) = %q with error %v, want no label", out, l, err)
			}
			if errors.Is(err, judge.ErrNoVerdict) && (strings.Contains(out, "[[A]]") || strings.Contains(out, "[[B]]") || strings.Contains(out, "[[C]]")) {
				t.Fatalf("ParseVerdict(%q) = %v, but the text holds a token", out, err)
			}
			return
		}
		token := "[[" + string(l) + "]]"
		if l != judge.LabelA && l != judge.LabelB && l != judge.LabelC {
			t.Fatalf("ParseVerdict(%q) = %q, not a label", out, l)
		}
		if !strings.Contains(out, token) {
			t.Fatalf("ParseVerdict(%q) = %q, whose token is not in the text", out, l)
		}
		if back, err := judge.ParseVerdict(token); back != l || err != nil {
			t.Fatalf("ParseVerdict(%q) = %q, %v; want %q", token, back, err, l)
		}
		if back, err := judge.ParseVerdict(out + "\n" + token); back != l || err != nil {
			t.Fatalf("ParseVerdict(%q + a line %s) = %q, %v; want %q", out, token, back, err, l)
		}
	})
}

// FuzzParseRating checks ParseRating on any text: it never panics, fails only
// with its typed errors, returns ratings in range only, and a rating it
// returns, written as its token, reads back the same, alone or on a line of
// its own after the text.
func FuzzParseRating(f *testing.F) {
	f.Fuzz(func(t *testing.T, out string) {
		v, err := judge.ParseRating(out)
		if err != nil {
			if !errors.Is(err, judge.ErrNoRating) && !errors.Is(err, judge.ErrAmbiguousRating) && !errors.Is(err, judge.ErrRatingRange) {
				t.Fatalf("ParseRating(%q): untyped error %v", out, err)
			}
			if v != 0 {
				t.Fatalf("ParseRating(%q) = %v with error %v, want 0", out, v, err)
			}
			if !strings.Contains(out, "[") && !errors.Is(err, judge.ErrNoRating) {
				t.Fatalf("ParseRating(%q) = %v, want ErrNoRating for a text without brackets", out, err)
			}
			return
		}
		if v < judge.MinRating || v > judge.MaxRating || math.IsNaN(v) {
			t.Fatalf("ParseRating(%q) = %v, outside %v to %v", out, v, judge.MinRating, judge.MaxRating)
		}
		token := judge.FormatRating(v)
		if back, err := judge.ParseRating(token); back != v || err != nil {
			t.Fatalf("ParseRating(%q) = %v, %v; want %v", token, back, err, v)
		}
		if back, err := judge.ParseRating(out + "\n" + token); back != v || err != nil {
			t.Fatalf("ParseRating(%q + a line %s) = %v, %v; want %v", out, token, back, err, v)
		}
	})
}
