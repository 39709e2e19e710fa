package judge_test

import (
	"errors"
	"testing"

	"concord/judge"
)

func TestParseVerdict(t *testing.T) {
	tests := []struct {
		out  string
		want judge.Label
		err  error
	}{
		{"A is better.\n[[A]]", judge.LabelA, nil},
		{"Final verdict: [[B]]", judge.LabelB, nil},
		{"They are equal. [[C]]\n", judge.LabelC, nil},
		{"Earlier I thought [[A]].\nOn reflection:\n[[B]]", judge.LabelB, nil}, // earlier lines are reasoning
		{"[[A]] [[A]]", judge.LabelA, nil},                                     // repetition is fine
		{"[[B]]\n\nThanks for reading.", judge.LabelB, nil},                    // text after the verdict
		{"no verdict here", "", judge.ErrNoVerdict},
		{"", "", judge.ErrNoVerdict},
		{"[[a]] lower case is not a token", "", judge.ErrNoVerdict},
		{"[[ A ]] spaced is not a token", "", judge.ErrNoVerdict},
		{"[A] single brackets", "", judge.ErrNoVerdict},
		{"My verdict: [[A]] or [[B]]", "", judge.ErrAmbiguousVerdict},
		{"[[A]]/[[B]]", "", judge.ErrAmbiguousVerdict},
		{"Reasoning.\n[[B]], [[A]]\n", "", judge.ErrAmbiguousVerdict},
		{`Output "[[A]]" if A is better, "[[B]]" if B is better, and "[[C]]" for a tie.`, "", judge.ErrAmbiguousVerdict},
		{"Verdict [[A]]\nno wait [[C]] [[B]]", "", judge.ErrAmbiguousVerdict},
		{"[[C]]\r\n", judge.LabelC, nil},
	}
	for _, tt := range tests {
		got, err := judge.ParseVerdict(tt.out)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseVerdict(%q) = %q, %v; want %q, %v", tt.out, got, err, tt.want, tt.err)
		}
	}
}

func TestWinner(t *testing.T) {
	tests := []struct {
		l    judge.Label
		game int
		want string
	}{
		{judge.LabelA, 1, "model_1"},
		{judge.LabelB, 1, "model_2"},
		{judge.LabelA, 2, "model_2"},
		{judge.LabelB, 2, "model_1"},
		{judge.LabelC, 1, "tie"},
		{judge.LabelC, 2, "tie"},
	}
	for _, tt := range tests {
		if got := judge.Winner(tt.l, tt.game); got != tt.want {
			t.Errorf("Winner(%q, %d) = %q, want %q", tt.l, tt.game, got, tt.want)
		}
	}
}
