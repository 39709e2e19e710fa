package judge

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// The scale of a single-answer rating, as MT-Bench's single prompts ask for it.
const (
	MinRating = 1.0
	MaxRating = 10.0
)

// Rating parse errors. Like the verdict errors, each is kept with the raw
// output, counts as an error (never as a score) and is retried when the run is
// resumed.
var (
	ErrNoRating        = errors.New("no rating [[N]] (N from 1 to 10) in the output")
	ErrAmbiguousRating = errors.New("output ends with conflicting ratings")
	ErrRatingRange     = errors.New("rating outside 1 to 10")
)

var (
	// ratingToken is the rating as the prompts ask for it: "[[8]]", "[[8.5]]".
	ratingToken = regexp.MustCompile(`\[\[([0-9]+(?:\.[0-9]+)?)\]\]`)
	// ratingFallback is the one looser form accepted, and only when no
	// ratingToken exists: "Rating: [8]", the prompt's example with one pair of
	// brackets lost.
	ratingFallback = regexp.MustCompile(`(?i)\brating[ \t]*:?[ \t]*\[([0-9]+(?:\.[0-9]+)?)\]`)
)

// ParseRating extracts a single-answer rating (a score from 1 to 10) from a
// judge's output.
//
// The rule, exactly: a token is "[[N]]" where N is one or more ASCII digits,
// optionally followed by a point and one or more digits ("[[8]]", "[[8.5]]",
// "[[10.0]]"); no sign, no inner spaces, no "8/10", no "8." The rating is the
// value of the last token in the output. The output is ambiguous, and an
// error, when the line holding that last token (the text between the
// surrounding newlines) holds a token of a different value too, e.g.
// "[[7]] or [[8]]", "[[8]]/[[10]]"; tokens on earlier lines are reasoning and
// are ignored, and a repetition of the same value on the last line ("[[8]]
// [[8.0]]") is fine. A rating below 1 or above 10 is ErrRatingRange (it is
// not clamped); an output with no token is ErrNoRating.
//
// One fallback: only when the output holds no "[[N]]" token at all, the same
// rule is applied to the form "Rating: [N]" (the word "rating" in any case and
// not inside a longer word, an optional colon, spaces or tabs, then N in
// single brackets, all on one line). FastChat falls back to
// any "[N]" anywhere in the output (its one_score_pattern_backup), which reads
// a citation or list marker such as "[1]" in the reasoning as a score;
// Concord does not. But a judge that copied the prompt's example "Rating:
// [[5]]" with one pair of brackets lost did give a rating, and FastChat
// scores such a reply, so Concord reads it too rather than retrying it
// forever.
//
// FastChat takes the first match; Concord takes the last, as ParseVerdict
// does, so a judge that quotes the example "[[5]]" before rating is read
// correctly. Both read a reply that rates once, as the prompts ask ("Rating:
// [[N]]"), the same way, decimals included: FastChat's published GPT-4
// grades hold 8.5 three times, from "[[8.5]]". (Their judgment texts are not
// in ../shared/data, so the fallback could not be checked against them.)
func ParseRating(output string) (float64, error) {
	if v, err, ok := lastRating(output, ratingToken); ok {
		return v, err
	}
	if v, err, ok := lastRating(output, ratingFallback); ok {
		return v, err
	}
	return 0, ErrNoRating
}

// lastRating applies ParseRating's rule with one token grammar; ok is false
// when the output has no token of that grammar.
func lastRating(output string, re *regexp.Regexp) (v float64, err error, ok bool) {
	ms := re.FindAllStringSubmatchIndex(output, -1)
	if len(ms) == 0 {
		return 0, nil, false
	}
	last := ms[len(ms)-1]
	v = ratingValue(output[last[2]:last[3]])
	start := strings.LastIndexByte(output[:last[0]], '\n') + 1
	for _, m := range ms[:len(ms)-1] {
		if m[0] < start {
			continue
		}
		if w := ratingValue(output[m[2]:m[3]]); w != v {
			return 0, fmt.Errorf("%w: %s and %s on the last rating line", ErrAmbiguousRating,
				output[m[0]:m[1]], output[last[0]:last[1]]), true
		}
	}
	if v < MinRating || v > MaxRating {
		return 0, fmt.Errorf("%w: %s", ErrRatingRange, output[last[0]:last[1]]), true
	}
	return v, nil, true
}

// ratingValue reads a token's digits; a number too large for a float64 is
// +Inf, which is out of range like any other large number.
func ratingValue(digits string) float64 {
	v, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return math.Inf(1)
	}
	return v
}

// FormatRating writes a rating as the token a judge is asked for, with the
// shortest decimal that reads back as v: FormatRating(8.5) is "[[8.5]]".
func FormatRating(v float64) string {
	return "[[" + strconv.FormatFloat(v, 'f', -1, 64) + "]]"
}
