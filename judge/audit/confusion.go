package audit

import (
	"fmt"
	"math"
	"slices"
)

// ConfusionRows are the judge verdicts of a Confusion, in row order.
var ConfusionRows = []Label{A, B, Tie, Inconsistent, Error}

// ConfusionCols are the human votes of a Confusion, in column order: both-bad
// and both-good are kept apart from a plain tie.
var ConfusionCols = []Label{A, B, Tie, BothBad, BothGood}

// Confusion is the confusion matrix of one judge's combined verdicts against
// the human votes on the same units, counted per (unit, human vote) comparison
// as in agreement (STATS.md §2): Counts[r][c] = comparisons where the judge
// said ConfusionRows[r] and the human ConfusionCols[c].
type Confusion struct {
	Judge  string
	Counts [][]int
	N      int // comparisons, Error row included

	// Recall[c]: the share of column c's comparisons (Error row left out) in
	// which the judge agrees, agreement classes as in §1 (inconsistent,
	// both-bad and both-good count as tie); NaN for an empty column.
	Recall []Num
	// Precision[r]: the share of row r's comparisons in which the human
	// agrees; NaN for an empty row and always for the Error row.
	Precision []Num
	// Accuracy is the agreement with ties (S1): agreeing comparisons over all
	// but the Error row.
	Accuracy Num
	Warnings []Warning
}

// JudgeConfusion counts the confusion matrix of judge against the human votes
// of group opt.Humans (opt.Turn applied) on the units the judge judged. With
// m[r][c] the counts and agree(r, c) true when the two labels fall in the same
// agreement class (A, B, or tie for Tie, Inconsistent, BothBad and BothGood):
//
//	recall(c)    = sum_{r != Error, agree(r,c)} m[r][c] / sum_{r != Error} m[r][c],
//	precision(r) = sum_{c, agree(r,c)} m[r][c] / sum_c m[r][c],
//	accuracy     = sum_{r != Error, agree(r,c)} m[r][c] / sum_{r != Error, c} m[r][c].
//
// A judge's repeated verdict on a unit is ignored (the first counts). It
// returns an error when the judge has no verdict.
func JudgeConfusion(votes []HumanVote, verdicts []JudgeVerdict, judge string, opt Options) (*Confusion, error) {
	units, dups := judgeUnits(verdicts, judge, opt)
	if len(units) == 0 {
		return nil, fmt.Errorf("confusion: judge %q has no verdict", judge)
	}
	out := &Confusion{Judge: judge, Counts: make([][]int, len(ConfusionRows))}
	for r := range out.Counts {
		out.Counts[r] = make([]int, len(ConfusionCols))
	}
	for i := range votes {
		v := &votes[i]
		if !keepVote(v, opt) {
			continue
		}
		k, l, ok := canonVote(v)
		if !ok {
			continue
		}
		u, judged := units[k]
		c := slices.Index(ConfusionCols, l)
		if !judged || c < 0 {
			continue
		}
		r := slices.Index(ConfusionRows, u.comb)
		if r < 0 {
			continue // NoLabel cannot occur: judgeUnits drops it
		}
		out.Counts[r][c]++
		out.N++
	}
	errRow := slices.Index(ConfusionRows, Error)
	colAgree, colN := make([]int, len(ConfusionCols)), make([]int, len(ConfusionCols))
	out.Precision = make([]Num, len(ConfusionRows))
	var agree, n int
	for r, rl := range ConfusionRows {
		var ra, rn int
		for c, cl := range ConfusionCols {
			m := out.Counts[r][c]
			rn += m
			if r == errRow {
				continue
			}
			colN[c] += m
			n += m
			if class(rl) == class(cl) {
				ra += m
				colAgree[c] += m
				agree += m
			}
		}
		out.Precision[r] = Num(Ratio(float64(ra), float64(rn)))
		if r == errRow {
			out.Precision[r] = Num(math.NaN())
		}
	}
	out.Recall = make([]Num, len(ConfusionCols))
	for c := range ConfusionCols {
		out.Recall[c] = Num(Ratio(float64(colAgree[c]), float64(colN[c])))
	}
	out.Accuracy = Num(Ratio(float64(agree), float64(n)))
	if dups > 0 {
		out.Warnings = append(out.Warnings, Warning{SectionAgreement, fmt.Sprintf("%d repeated verdicts of %s on a unit were ignored (the first one counts)", dups, judge)})
	}
	if n < opt.withDefaults().MinSample {
		out.Warnings = append(out.Warnings, Warning{SectionAgreement, fmt.Sprintf("small sample: %d comparisons of %s with human votes", n, judge)})
	}
	return out, nil
}
