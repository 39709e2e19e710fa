// Package audit computes agreement, position and length bias, rankings and close calls of LLM judges against human votes, from plain values and with question-clustered bootstrap intervals.
package audit

import (
	"math"
	"runtime"

	"concord/store/outcome"
)

// Label is a verdict on a pair in the order the pair was given (ModelA, ModelB):
// the one winner type of concord/store/outcome. For a judge game it names the
// winning model, not the position it was shown in.
type Label = outcome.Winner

// Labels. Human BothBad and BothGood, and a judge's Inconsistent, count as Tie for
// agreement; Error is excluded from agreement and counted.
const (
	NoLabel      = outcome.None         // absent (a game that was not played)
	A            = outcome.First        // ModelA won
	B            = outcome.Second       // ModelB won
	Tie          = outcome.Tie          // tie
	BothBad      = outcome.BothBad      // human "both bad"
	BothGood     = outcome.BothGood     // human "both good"
	Inconsistent = outcome.Inconsistent // judge: the two presentation orders disagreed
	Error        = outcome.Error        // judge output that could not be parsed
)

// ParseLabel reads the spellings used by the store, FastChat and the HF datasets
// (see outcome.Parse). The empty string is NoLabel.
func ParseLabel(s string) (Label, error) { return outcome.Parse(s) }

// Agreement classes: every usable verdict is one of these three.
const (
	clsA   = 0
	clsB   = 1
	clsT   = 2
	clsErr = 3 // excluded
	clsNo  = 4 // absent
)

// class maps a label to an agreement class.
func class(l Label) int8 {
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

// HumanVote is one human's vote on one unit. The pair may come in either order.
type HumanVote struct {
	Question       int
	Category       string
	ModelA, ModelB string
	Turn           int
	Choice         Label // the annotator's choice: A, B, Tie or BothBad
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

// Combine returns the combined verdict of two games (see outcome.Combine): the
// common winner when both agree, Error when either is an error, Inconsistent
// otherwise; a single game stands alone.
func Combine(g1, g2 Label) Label { return outcome.Combine(g1, g2) }

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
