package judge

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// number matches a decimal number with optional sign, thousands separators
// and a fraction part, or a fraction a/b.
var number = regexp.MustCompile(`-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?`)

// boxed matches LaTeX's \boxed{...} (no nested braces), where math answers
// often put their result.
var boxed = regexp.MustCompile(`\\boxed\{([^{}]*)\}`)

// FinalNumber returns the number a text ends on: the last number inside the
// last \boxed{...} when there is one, else the last number of the text
// (commas as thousands separators, a/b as a fraction); ok is false when the
// text holds no number.
func FinalNumber(text string) (x float64, ok bool) {
	if bs := boxed.FindAllStringSubmatch(text, -1); len(bs) > 0 {
		if x, ok := lastNumber(bs[len(bs)-1][1]); ok {
			return x, true
		}
	}
	return lastNumber(text)
}

func lastNumber(s string) (float64, bool) {
	ms := number.FindAllString(s, -1)
	for i := len(ms) - 1; i >= 0; i-- {
		m := strings.ReplaceAll(ms[i], ",", "")
		num, den, frac := strings.Cut(m, "/")
		x, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil {
			continue // "1,,2" and the like: try the number before
		}
		if frac {
			d, err := strconv.ParseFloat(strings.TrimSpace(den), 64)
			if err != nil || d == 0 {
				continue
			}
			x /= d
		}
		return x, true
	}
	return 0, false
}

// sameNumber compares two final numbers with a relative tolerance of 1e-6
// (0.333333 matches 1/3).
func sameNumber(x, y float64) bool {
	return math.Abs(x-y) <= 1e-6*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
}

// ShownWrong is the reference probe's rule for "the answer the reference shows
// wrong" (STATS.md §10): the reference's final number (FinalNumber) matches
// exactly one of the two answers' final numbers, and the other answer (a
// different number, or none) is shown wrong. It returns 1 when answer a is
// shown wrong, 2 when b is, and 0 when the reference decides nothing (it ends
// on no number, or both or neither answer matches it).
func ShownWrong(ref, a, b string) int {
	r, ok := FinalNumber(ref)
	if !ok {
		return 0
	}
	match := func(s string) bool {
		x, ok := FinalNumber(s)
		return ok && sameNumber(x, r)
	}
	switch ma, mb := match(a), match(b); {
	case ma && !mb:
		return 2
	case mb && !ma:
		return 1
	}
	return 0
}

// WithoutReference returns set with its reference-guided prompts removed, so
// that every unit is judged with the plain prompt of its turn: the reference
// probe's control. It fails when set has no plain or no reference-guided
// prompt for turn.
func WithoutReference(set PromptSet, turns []int) (PromptSet, error) {
	for _, t := range turns {
		if set.For("", t, false) == nil {
			return PromptSet{}, fmt.Errorf("prompt set %s has no plain prompt for turn %d", set.Name, t)
		}
		if ref := map[int]*Prompt{1: set.RefTurn1, 2: set.RefTurn2}[t]; ref == nil {
			return PromptSet{}, fmt.Errorf("prompt set %s has no reference-guided prompt for turn %d", set.Name, t)
		}
	}
	return PromptSet{Name: set.Name + "-noref", Turn1: set.Turn1, Turn2: set.Turn2}, nil
}
