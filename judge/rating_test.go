package judge_test

import (
	"errors"
	"strings"
	"testing"

	"concord/judge"
)

func TestParseRating(t *testing.T) {
	tests := []struct {
		out  string
		want float64
		err  error
	}{
		{"The answer is correct and clear.\n\nRating: [[8]]", 8, nil},
		{"Rating: [[8.5]]", 8.5, nil}, // the published GPT-4 grades hold three of these
		{"Rating: [[10]]", 10, nil},
		{"Rating: [[1]]\n", 1, nil},
		{"[[10.0]]", 10, nil},
		{"[[07]]", 7, nil},
		{"Rating: [[9]]\r\n", 9, nil},
		{"Rating: [[6]]\n\nThe answer misses the second part.", 6, nil}, // text after the rating
		{`I must answer in the format "[[rating]]", e.g. "Rating: [[5]]".` + "\nThe answer is weak.\nRating: [[3]]", 3, nil},
		{"At first I would give [[9]].\nOn reflection, the proof has a gap.\nRating: [[4]]", 4, nil}, // earlier lines are reasoning
		{"Rating: [[7]] [[7.0]]", 7, nil}, // the same value twice is fine
		{"[[[8]]]", 8, nil},               // a token inside extra brackets
		{"Rating: [[7]] or maybe [[8]]", 0, judge.ErrAmbiguousRating},
		{"Rating: [[8]]/[[10]]", 0, judge.ErrAmbiguousRating},
		{"Good.\n[[3]], no, [[4]]", 0, judge.ErrAmbiguousRating},
		{"Rating: [[11]]", 0, judge.ErrRatingRange},
		{"Rating: [[0]]", 0, judge.ErrRatingRange},
		{"Rating: [[0.5]]", 0, judge.ErrRatingRange},
		{"Rating: [[10.01]]", 0, judge.ErrRatingRange},
		{"Rating: [[" + strings.Repeat("9", 400) + "]]", 0, judge.ErrRatingRange},
		{"Rating: [[7]]\nNo, [[12]]", 0, judge.ErrRatingRange}, // the last token decides, even out of range
		{"", 0, judge.ErrNoRating},
		{"The answer is good. 8/10", 0, judge.ErrNoRating},
		{"Rating: [[ 8 ]]", 0, judge.ErrNoRating},
		{"Rating: [[8/10]]", 0, judge.ErrNoRating},
		{"Rating: [[-3]]", 0, judge.ErrNoRating},
		{"Rating: [[8.]]", 0, judge.ErrNoRating},
		{"Rating: [[eight]]", 0, judge.ErrNoRating},
		{"Rating: [[rating]]", 0, judge.ErrNoRating},
		{"Rating: 8", 0, judge.ErrNoRating},
		// The single-bracket fallback: only as "Rating: [N]", only without any [[N]].
		{"The answer is fine.\nRating: [6]", 6, nil},
		{"rating [7.5]", 7.5, nil},
		{"Overall RATING:\t[9]\n", 9, nil},
		{"As shown in [1], the answer is right. [2] agrees.", 0, judge.ErrNoRating}, // citations are not ratings
		{"Rating: [4] or Rating: [5]", 0, judge.ErrAmbiguousRating},
		{"Rating: [12]", 0, judge.ErrRatingRange},
		{"Rating: [3]\nRating: [[8]]", 8, nil}, // a strict token wins over any fallback
		{"Rating: [[8]]\nRating: [3]", 8, nil},
		{"Rating:\n[5]", 0, judge.ErrNoRating}, // the fallback stays on one line
		{"Operating: [5]", 0, judge.ErrNoRating},
	}
	for _, tt := range tests {
		got, err := judge.ParseRating(tt.out)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
			t.Errorf("ParseRating(%q) = %v, %v; want %v, %v", tt.out, got, err, tt.want, tt.err)
		}
	}
}

func TestFormatRating(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{8, "[[8]]"},
		{8.5, "[[8.5]]"},
		{10, "[[10]]"},
		{1.25, "[[1.25]]"},
	}
	for _, tt := range tests {
		got := judge.FormatRating(tt.v)
		if got != tt.want {
			t.Errorf("FormatRating(%v) = %q, want %q", tt.v, got, tt.want)
		}
		if back, err := judge.ParseRating(got); err != nil || back != tt.v {
			t.Errorf("ParseRating(FormatRating(%v)) = %v, %v; want %v", tt.v, back, err, tt.v)
		}
	}
}
