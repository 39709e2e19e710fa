package audit

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// pairUnit identifies a unit (question, unordered model pair, turn) with the
// two model names in sorted order (A < B).
type pairUnit struct {
	q    int
	a, b string
	t    int
}

// canonVote returns a human vote's unit and its verdict in the unit's order;
// ok is false when the vote compares a model with itself.
func canonVote(v *HumanVote) (k pairUnit, l Label, ok bool) {
	if v.ModelA == v.ModelB {
		return k, NoLabel, false
	}
	if v.ModelA > v.ModelB {
		return pairUnit{v.Question, v.ModelB, v.ModelA, v.Turn}, v.Choice.Swap(), true
	}
	return pairUnit{v.Question, v.ModelA, v.ModelB, v.Turn}, v.Choice, true
}

// canonVerdict returns a judge verdict's unit, its games and its combined
// verdict in the unit's order (Combine of the games when Combined is NoLabel);
// ok is false for a self-comparison or a verdict with no label at all.
func canonVerdict(v *JudgeVerdict) (k pairUnit, g1, g2, comb Label, ok bool) {
	if v.ModelA == v.ModelB {
		return k, 0, 0, 0, false
	}
	g1, g2, comb = v.G1, v.G2, v.Combined
	k = pairUnit{v.Question, v.ModelA, v.ModelB, v.Turn}
	if v.ModelA > v.ModelB {
		k.a, k.b = v.ModelB, v.ModelA
		g1, g2, comb = v.G2.Swap(), v.G1.Swap(), comb.Swap()
	}
	if comb == NoLabel {
		comb = Combine(g1, g2)
	}
	return k, g1, g2, comb, comb != NoLabel
}

// keepVote reports whether a vote is in the annotator group and turn of opt.
func keepVote(v *HumanVote, opt Options) bool {
	return (opt.Humans == "" || v.Group == opt.Humans) && (opt.Turn == 0 || v.Turn == opt.Turn)
}

// judgedUnit is one judge's verdict on one unit.
type judgedUnit struct {
	g1, g2, comb Label
}

// judgeUnits collects one judge's verdicts by unit (turn filter of opt
// applied); the first verdict on a unit is kept and later ones are counted in
// dups.
func judgeUnits(verdicts []JudgeVerdict, judge string, opt Options) (units map[pairUnit]judgedUnit, dups int) {
	units = map[pairUnit]judgedUnit{}
	for i := range verdicts {
		v := &verdicts[i]
		if v.Judge != judge || (opt.Turn != 0 && v.Turn != opt.Turn) {
			continue
		}
		k, g1, g2, comb, ok := canonVerdict(v)
		if !ok {
			continue
		}
		if _, seen := units[k]; seen {
			dups++
			continue
		}
		units[k] = judgedUnit{g1, g2, comb}
	}
	return units, dups
}

// humanUnits collects the agreement classes (clsA, clsB, clsT) of the kept
// human votes by unit; votes that are not a usable verdict are dropped.
func humanUnits(votes []HumanVote, opt Options) map[pairUnit][]int8 {
	out := map[pairUnit][]int8{}
	for i := range votes {
		v := &votes[i]
		if !keepVote(v, opt) {
			continue
		}
		k, l, ok := canonVote(v)
		if !ok || class(l) > clsT {
			continue
		}
		out[k] = append(out[k], class(l))
	}
	return out
}

// McNemarExact returns the two-sided p-value of McNemar's exact test for b
// discordant pairs of one kind and c of the other: under the null hypothesis
// b ~ Binomial(b + c, 1/2), and
//
//	p = min(1, 2 P(X <= min(b, c))),  X ~ Binomial(b + c, 1/2),
//
// (the doubled smaller tail, as R's binom.test and scipy's binomtest give for
// p = 1/2). It is 1 when b + c = 0.
func McNemarExact(b, c int) float64 {
	n := b + c
	if n == 0 {
		return 1
	}
	bin := distuv.Binomial{N: float64(n), P: 0.5}
	return math.Min(1, 2*bin.CDF(float64(min(b, c))))
}

// McNemar is McNemar's exact test of two judges over the same comparisons:
// B counts those only judge X agrees with, C those only judge Y agrees with.
type McNemar struct {
	B, C int
	P    Num // two-sided exact p-value (McNemarExact)
}

// JudgeSide is one judge's figures on the units two judges share.
type JudgeSide struct {
	Judge       string
	WithTies    Rate  // agreement with the human votes, ties counted (S1)
	WithoutTies Rate  // comparisons where neither the judge nor the vote is a tie (S2)
	Consistency Share // units judged in both orders whose two games agree (ClassifyGames = Consistent)
}

// JudgeComparison compares two judges on the units both judged without error.
type JudgeComparison struct {
	X, Y        JudgeSide
	Units       int      // units both judged without error
	HumanUnits  int      // of them, units with at least one human vote
	Questions   int      // questions of those units
	Errors      int      // units both judged where either verdict is an error (excluded)
	DiffWith    Estimate // X's agreement minus Y's, ties counted, with a paired interval
	DiffWithout Estimate // the same without ties
	McNemar     McNemar  // over the comparisons with ties
	Warnings    []Warning
}

// CompareJudges compares judges x and y on the units both judged (opt.Turn
// applied) with the human votes of group opt.Humans, following STATS.md §10.
//
// Agreement counts as §2 (FastChat): each judge's combined verdict (an
// inconsistent one is a tie) is compared with each human vote on the unit,
//
//	rate_S1 = #(judge = vote) / #(votes),  rate_S2 = the same over comparisons where neither is a tie,
//
// so both judges are scored on the same comparisons with ties; without ties
// each judge drops its own tie verdicts. The paired difference is
// rate(X) - rate(Y); its interval is a percentile bootstrap over questions
// (opt.Bootstrap resamples, seed opt.Seed, level opt.Confidence: a drawn
// question brings both judges' verdicts and all its votes), so the two rates
// move together. McNemar's exact test counts, over the comparisons with ties,
// b = #(X agrees, Y does not) and c = #(Y agrees, X does not), and tests
// b ~ Binomial(b + c, 1/2) two-sided (McNemarExact); note that the
// comparisons of one unit are not independent, which the test ignores and the
// bootstrap interval does not. Consistency is each judge's share of the shared
// units judged in both orders on which ClassifyGames says Consistent.
//
// Units where either judge's verdict is an error are excluded and counted.
// It returns an error when x = y or either judge has no verdict.
func CompareJudges(votes []HumanVote, verdicts []JudgeVerdict, x, y string, opt Options) (*JudgeComparison, error) {
	if x == y {
		return nil, fmt.Errorf("compare judges: both judges are %q", x)
	}
	opt = opt.withDefaults()
	ux, dx := judgeUnits(verdicts, x, opt)
	uy, dy := judgeUnits(verdicts, y, opt)
	for _, c := range []struct {
		name string
		n    int
	}{{x, len(ux)}, {y, len(uy)}} {
		if c.n == 0 {
			return nil, fmt.Errorf("compare judges: judge %q has no verdict", c.name)
		}
	}
	human := humanUnits(votes, opt)
	out := &JudgeComparison{X: JudgeSide{Judge: x}, Y: JudgeSide{Judge: y}}
	if dx+dy > 0 {
		out.Warnings = append(out.Warnings, Warning{SectionAgreement, fmt.Sprintf("%d repeated verdicts on a unit were ignored (the first one counts)", dx+dy)})
	}

	// Per question sums, columns below.
	const (
		xWtA, xNtA, xNtN, yWtA, yNtA, yNtN, wtN, xCons, xPos, yCons, yPos, mcB, mcC, nCols = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
	)
	qIndex := map[int]int{}
	var sums [][nCols]float64
	keys := make([]pairUnit, 0, len(ux))
	for k := range ux {
		if _, ok := uy[k]; ok {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(p, q pairUnit) int {
		if p.q != q.q {
			return p.q - q.q
		}
		return 0
	})
	for _, k := range keys {
		vx, vy := ux[k], uy[k]
		cx, cy := class(vx.comb), class(vy.comb)
		if cx > clsT || cy > clsT {
			out.Errors++
			continue
		}
		out.Units++
		qi, ok := qIndex[k.q]
		if !ok {
			qi = len(sums)
			qIndex[k.q] = qi
			sums = append(sums, [nCols]float64{})
		}
		s := &sums[qi]
		for _, side := range []struct {
			v          judgedUnit
			cons, posN int
		}{{vx, xCons, xPos}, {vy, yCons, yPos}} {
			if side.v.g1 != NoLabel && side.v.g2 != NoLabel {
				s[side.posN]++
				if ClassifyGames(side.v.g1, side.v.g2) == Consistent {
					s[side.cons]++
				}
			}
		}
		hs := human[k]
		if len(hs) > 0 {
			out.HumanUnits++
		}
		for _, h := range hs {
			s[wtN]++
			ax, ay := cx == h, cy == h
			s[xWtA] += b2f(ax)
			s[yWtA] += b2f(ay)
			s[mcB] += b2f(ax && !ay)
			s[mcC] += b2f(ay && !ax)
			if h != clsT && cx != clsT {
				s[xNtN]++
				s[xNtA] += b2f(ax)
			}
			if h != clsT && cy != clsT {
				s[yNtN]++
				s[yNtA] += b2f(ay)
			}
		}
	}
	out.Questions = len(sums)
	var tot [nCols]float64
	for _, s := range sums {
		for c := range tot {
			tot[c] += s[c]
		}
	}
	// Statistics: rates of X and Y with and without ties, their two
	// differences, and the two consistency shares.
	eval := func(w, st []float64) {
		var t [nCols]float64
		for qi, s := range sums {
			if w[qi] == 0 {
				continue
			}
			for c := range t {
				t[c] += w[qi] * s[c]
			}
		}
		st[0], st[1] = Ratio(t[xWtA], t[wtN]), Ratio(t[xNtA], t[xNtN])
		st[2], st[3] = Ratio(t[yWtA], t[wtN]), Ratio(t[yNtA], t[yNtN])
		st[4], st[5] = st[0]-st[2], st[1]-st[3]
		st[6], st[7] = Ratio(t[xCons], t[xPos]), Ratio(t[yCons], t[yPos])
	}
	ones := make([]float64, len(sums))
	for i := range ones {
		ones[i] = 1
	}
	point := make([]float64, 8)
	eval(ones, point)
	lo, hi := bootstrapQuestions(len(sums), 8, opt, eval)
	ci := func(i int) *Interval {
		if lo == nil {
			return nil
		}
		return &Interval{Num(lo[i]), Num(hi[i])}
	}
	small := func(n float64) bool { return int(n) < opt.MinSample }
	rate := func(i int, a, n float64) Rate {
		return Rate{Agree: int(a), N: int(n), Rate: Num(point[i]), CI: ci(i), SmallSample: small(n)}
	}
	share := func(i int, a, n float64) Share {
		return Share{Count: int(a), N: int(n), Rate: Num(point[i]), CI: ci(i), SmallSample: small(n)}
	}
	out.X.WithTies, out.X.WithoutTies = rate(0, tot[xWtA], tot[wtN]), rate(1, tot[xNtA], tot[xNtN])
	out.Y.WithTies, out.Y.WithoutTies = rate(2, tot[yWtA], tot[wtN]), rate(3, tot[yNtA], tot[yNtN])
	out.DiffWith, out.DiffWithout = Estimate{Num(point[4]), ci(4)}, Estimate{Num(point[5]), ci(5)}
	out.X.Consistency, out.Y.Consistency = share(6, tot[xCons], tot[xPos]), share(7, tot[yCons], tot[yPos])
	b, c := int(tot[mcB]), int(tot[mcC])
	out.McNemar = McNemar{B: b, C: c, P: Num(McNemarExact(b, c))}
	if out.Errors > 0 {
		out.Warnings = append(out.Warnings, Warning{SectionAgreement, fmt.Sprintf("%d shared units where either verdict is an error were excluded", out.Errors)})
	}
	if small(tot[wtN]) {
		out.Warnings = append(out.Warnings, Warning{SectionAgreement, fmt.Sprintf("small sample: %d comparisons with human votes on the shared units", int(tot[wtN]))})
	}
	return out, nil
}
