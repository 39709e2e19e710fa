// Package audit computes agreement, position and length bias, rankings and close calls of LLM judges against human votes, from plain values and with question-clustered bootstrap intervals.
package audit

import (
	"fmt"
	"math"
	"runtime"
	"strings"
)

// Label is a verdict on a pair in the order the pair was given (ModelA, ModelB).
// For a judge game it names the winning model, not the position it was shown in.
type Label uint8

// Labels. Human BothBad and BothGood, and a judge's Inconsistent, count as Tie for
// agreement; Error is excluded from agreement and counted.
const (
	NoLabel      Label = iota // absent (a game that was not played)
	A                         // ModelA won
	B                         // ModelB won
	Tie                       // tie
	BothBad                   // human "both bad"
	BothGood                  // human "both good"
	Inconsistent              // judge: the two presentation orders disagreed
	Error                     // judge output that could not be parsed
)

var labelNames = [...]string{"", "model_a", "model_b", "tie", "both_bad", "both_good", "inconsistent", "error"}

func (l Label) String() string {
	if int(l) < len(labelNames) {
		return labelNames[l]
	}
	return fmt.Sprintf("Label(%d)", l)
}

// ParseLabel reads the spellings used by the store, FastChat and the HF datasets:
// model_a/model_1/a, model_b/model_2/b, tie, both_bad, both_good,
// inconsistent/"tie (inconsistent)", error. The empty string is NoLabel.
func ParseLabel(s string) (Label, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return NoLabel, nil
	case "model_a", "model_1", "a", "1":
		return A, nil
	case "model_b", "model_2", "b", "2":
		return B, nil
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
	return NoLabel, fmt.Errorf("unknown verdict %q", s)
}

// flip returns the label with the two models swapped.
func (l Label) flip() Label {
	switch l {
	case A:
		return B
	case B:
		return A
	}
	return l
}

// Agreement classes: every usable verdict is one of these three.
const (
	clsA   = 0
	clsB   = 1
	clsT   = 2
	clsErr = 3 // excluded
	clsNo  = 4 // absent
)

// class maps a label to an agreement class.
func (l Label) class() int8 {
	switch l {
	case A:
		return clsA
	case B:
		return clsB
	case Tie, BothBad, BothGood, Inconsistent:
		return clsT
	case Error:
		return clsErr
	}
	return clsNo
}

// HumanVote is one human's verdict on one unit. The pair may come in either order.
type HumanVote struct {
	Question       int
	Category       string
	ModelA, ModelB string
	Turn           int
	Verdict        Label
	Annotator      string
	Group          string
	Left           string // model shown on the left; "" when unknown
	TimeMS         int64  // time on task; 0 when unknown
	LenA, LenB     int    // rune length of each model's answer to this turn; 0 when unknown
}

// JudgeVerdict is one judge's verdict on one unit. G1 is the game that showed
// ModelA first, G2 the game that showed ModelB first; each names the winning model
// (A, B, Tie or Error) or is NoLabel when that game was not played. Combined is
// derived from the games when NoLabel.
type JudgeVerdict struct {
	Judge          string
	Question       int
	Category       string
	ModelA, ModelB string
	Turn           int
	G1, G2         Label
	Combined       Label
	LenA, LenB     int
}

// Combine returns the combined verdict of two games: the common winner when both
// agree, Error when either is an error, Inconsistent otherwise; a single game
// stands alone.
func Combine(g1, g2 Label) Label {
	switch {
	case g1 == Error || g2 == Error:
		return Error
	case g1 == NoLabel:
		return g2
	case g2 == NoLabel:
		return g1
	case g1.class() == g2.class():
		return g1
	}
	return Inconsistent
}

// Options controls a report. DefaultOptions gives the documented defaults; a
// zero Bootstrap, Confidence, MinSample or LengthMargin takes them too, so zero
// never means "none": a negative Bootstrap turns the intervals off.
type Options struct {
	Humans       string  // annotator group to keep ("" = all)
	Turn         int     // 0 = all turns
	Bootstrap    int     // resamples of questions, default 1,000; negative = no intervals
	Seed         uint64  // bootstrap seed
	Confidence   float64 // interval level, default 0.95
	MinSample    int     // fewer observations than this earn a small-sample warning, default 30
	LengthMargin int     // characters by which answers must differ to be length-decisive, default 30
	Workers      int     // bootstrap goroutines, default min(2, GOMAXPROCS)
}

// DefaultOptions returns 1,000 resamples, seed 1, 95% intervals, a minimum sample
// of 30 and a length margin of 30 characters.
func DefaultOptions() Options {
	return Options{Bootstrap: 1000, Seed: 1, Confidence: 0.95, MinSample: 30, LengthMargin: 30}
}

func (o Options) withDefaults() Options {
	if o.Confidence <= 0 || o.Confidence >= 1 {
		o.Confidence = 0.95
	}
	if o.MinSample <= 0 {
		o.MinSample = 30
	}
	if o.LengthMargin <= 0 {
		o.LengthMargin = 30
	}
	switch {
	case o.Bootstrap == 0:
		o.Bootstrap = 1000
	case o.Bootstrap < 0:
		o.Bootstrap = 0 // from here on, and in Report.Bootstrap, the count of resamples drawn
	}
	if o.Workers <= 0 {
		o.Workers = min(2, runtime.GOMAXPROCS(0))
	}
	return o
}

// z returns the two-sided normal quantile for the confidence level.
func (o Options) z() float64 { return math.Sqrt2 * math.Erfinv(o.Confidence) }
