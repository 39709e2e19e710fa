// Package outcome names who won a pairwise comparison of two models, with the operations on it and the spellings each stored format gives it.
package outcome

import (
	"fmt"
	"strings"
)

// Winner is the outcome of comparing two models, in the order the pair was
// given: First is the first model of the pair (model_a, model_1, or the
// answer shown as A), Second the other. For a judge's game it names the
// winning model, not the position it was shown in.
type Winner uint8

// Winners. A human's BothBad and BothGood and a judge's Inconsistent count
// as a tie for agreement; Error is a judge output that could not be read,
// Skip an annotator's pass on a turn.
const (
	None         Winner = iota // absent (a game that was not played)
	First                      // the first model of the pair won
	Second                     // the second model of the pair won
	Tie                        // tie
	BothBad                    // human: both answers are bad
	BothGood                   // human: both answers are good
	Inconsistent               // judge: the two presentation orders disagreed
	Error                      // judge: output that could not be parsed
	Skip                       // human: passed without a choice
)

var names = [...]string{"", "model_a", "model_b", "tie", "both_bad", "both_good", "inconsistent", "error", "skip"}

// String is the vote spelling (model_a, model_b, tie, both_bad, ...; "" for None).
func (w Winner) String() string {
	if int(w) < len(names) {
		return names[w]
	}
	return fmt.Sprintf("Winner(%d)", uint8(w))
}

// Swap returns the winner with the two models of the pair swapped.
func (w Winner) Swap() Winner {
	switch w {
	case First:
		return Second
	case Second:
		return First
	}
	return w
}

// IsTie reports whether w counts as a tie for agreement (Tie, BothBad,
// BothGood, Inconsistent).
func (w Winner) IsTie() bool {
	return w == Tie || w == BothBad || w == BothGood || w == Inconsistent
}

// CanonicalPair orders a model pair as the tables store it (x < y) and
// reports whether it swapped them; a winner of the pair as given then reads
// w.Swap() in the canonical order when swapped.
func CanonicalPair(a, b string) (x, y string, swapped bool) {
	if b < a {
		return b, a, true
	}
	return a, b, false
}

// Combine returns the combined verdict of a judge's two games (the MT-Bench
// rule): Error when either is an error, the common winner when they agree,
// Inconsistent otherwise; a game that was not played (None) leaves the other
// to stand alone.
func Combine(g1, g2 Winner) Winner {
	switch {
	case g1 == Error || g2 == Error:
		return Error
	case g1 == None:
		return g2
	case g2 == None:
		return g1
	case g1 == g2:
		return g1
	}
	return Inconsistent
}

// ParseVote reads a vote as the votes table stores it: model_a, model_b,
// tie, both_bad or skip.
func ParseVote(s string) (Winner, error) {
	switch s {
	case "model_a":
		return First, nil
	case "model_b":
		return Second, nil
	case "tie":
		return Tie, nil
	case "both_bad":
		return BothBad, nil
	case "skip":
		return Skip, nil
	}
	return None, fmt.Errorf("unknown vote %q (want model_a, model_b, tie, both_bad or skip)", s)
}

// Vote is the spelling of the votes table (the inverse of ParseVote), ""
// for a winner a vote cannot have.
func (w Winner) Vote() string {
	switch w {
	case First, Second, Tie, BothBad, Skip:
		return names[w]
	}
	return ""
}

// ParseHFVote reads a human vote as the published Hugging Face and Chatbot
// Arena files spell it: model_a, model_b, tie, "tie (bothbad)" or both_bad.
func ParseHFVote(s string) (Winner, error) {
	if s == "tie (bothbad)" {
		return BothBad, nil
	}
	if w, err := ParseVote(s); err == nil && w != Skip {
		return w, nil
	}
	return None, fmt.Errorf("want model_a, model_b, tie or tie (bothbad), got %q", s)
}

// HFVote is the published spelling of a vote: the votes table's, except
// BothBad, which is Chatbot Arena's "tie (bothbad)" (a tie to FastChat's
// compute_agreement.py). A Skip is written "skip", which ParseHFVote refuses.
func (w Winner) HFVote() string {
	if w == BothBad {
		return "tie (bothbad)"
	}
	return w.Vote()
}

// ParseGame reads a judge's game or combined verdict as the verdicts table
// and FastChat's pair files spell it: model_1, model_2, tie, inconsistent
// or error.
func ParseGame(s string) (Winner, error) {
	switch s {
	case "model_1":
		return First, nil
	case "model_2":
		return Second, nil
	case "tie":
		return Tie, nil
	case "inconsistent":
		return Inconsistent, nil
	case "error":
		return Error, nil
	}
	return None, fmt.Errorf("unknown judge verdict %q (want model_1, model_2, tie, inconsistent or error)", s)
}

// Game is the verdicts table's spelling (the inverse of ParseGame), "" for
// a winner a judge cannot give.
func (w Winner) Game() string {
	switch w {
	case First:
		return "model_1"
	case Second:
		return "model_2"
	case Tie, Inconsistent, Error:
		return names[w]
	}
	return ""
}

// ParseHFVerdict reads a judge's combined verdict in the Hugging Face label
// shape: model_a, model_b, tie, "tie (inconsistent)" or error.
func ParseHFVerdict(s string) (Winner, error) {
	switch s {
	case "model_a":
		return First, nil
	case "model_b":
		return Second, nil
	case "tie":
		return Tie, nil
	case "tie (inconsistent)":
		return Inconsistent, nil
	case "error":
		return Error, nil
	}
	return None, fmt.Errorf("want model_a, model_b, tie or tie (inconsistent), got %q", s)
}

// HFVerdict is the Hugging Face label spelling of a judge's verdict (the
// inverse of ParseHFVerdict), "" for a winner a judge cannot give.
func (w Winner) HFVerdict() string {
	switch w {
	case First, Second, Tie, Error:
		return names[w]
	case Inconsistent:
		return "tie (inconsistent)"
	}
	return ""
}

// ParseScreen reads an annotator's choice as the annotation screen sends
// it, A (the left answer) or B (the right one) being positions, not models:
// A, B, tie, both_bad or skip. FromScreen turns a position into a Winner.
func ParseScreen(s string) (Winner, error) {
	switch s {
	case "A":
		return First, nil
	case "B":
		return Second, nil
	case "tie":
		return Tie, nil
	case "both_bad":
		return BothBad, nil
	case "skip":
		return Skip, nil
	}
	return None, fmt.Errorf("unknown choice %q (want A, B, tie, both_bad or skip)", s)
}

// Screen is the annotation screen's spelling (the inverse of ParseScreen).
func (w Winner) Screen() string {
	switch w {
	case First:
		return "A"
	case Second:
		return "B"
	case Tie, BothBad, Skip:
		return names[w]
	}
	return ""
}

// Parse reads any spelling of a verdict that a stored or published file
// uses: model_a, model_1, a or 1; model_b, model_2, b or 2; tie or 0;
// both_bad, bothbad or "tie (bothbad)"; both_good; inconsistent or
// "tie (inconsistent)"; error; in any case, around spaces. The empty string
// is None. A skip is no verdict: Parse refuses it.
func Parse(s string) (Winner, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return None, nil
	case "model_a", "model_1", "a", "1":
		return First, nil
	case "model_b", "model_2", "b", "2":
		return Second, nil
	case "tie", "0":
		return Tie, nil
	case "both_bad", "tie (bothbad)", "bothbad":
		return BothBad, nil
	case "both_good":
		return BothGood, nil
	case "inconsistent", "tie (inconsistent)":
		return Inconsistent, nil
	case "error":
		return Error, nil
	}
	return None, fmt.Errorf("unknown verdict %q", s)
}
