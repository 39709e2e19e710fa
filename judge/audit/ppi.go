package audit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// PPIEstimate is an estimate with its standard error and its normal interval
// Value ± z SE.
type PPIEstimate struct {
	Value Num
	SE    Num
	CI    *Interval
}

// PPIEstimates are the three estimates of the humans' mean outcome that
// prediction-powered inference weighs against each other.
type PPIEstimates struct {
	// Lambda is the PPI++ power-tuning weight in [0, 1]: 1 is plain PPI, 0
	// the human-only estimate.
	Lambda Num
	// PPI estimates the humans' mean with the judge's help.
	PPI PPIEstimate
	// HumanOnly is the mean of the human outcomes alone.
	HumanOnly PPIEstimate
	// JudgeOnly is the judge's mean over all units: an estimate of the
	// judge's own win rate, biased for the humans' as far as the judge is.
	JudgeOnly PPIEstimate
	// EffectiveVotes = n SE(HumanOnly)² / SE(PPI)²: the number of human votes
	// that would give the human-only estimate the PPI estimate's variance.
	EffectiveVotes Num
}

// PPIMean returns the prediction-powered estimate (Angelopoulos et al.,
// Science 2023) of the mean of a human outcome Y, tuned as PPI++ (Angelopoulos,
// Duchi and Zrnic 2023), from the judge's outcome f_i on all N units (units)
// and n labelled pairs (Y_j, f_j) (human[j], judged[j]: a human outcome and
// the judge's outcome on the same unit), the labelled units being N's units
// drawn at random. With means Ybar, fbar_n over the labelled pairs and fbar_N
// over all units,
//
//	theta(lambda) = Ybar + lambda (fbar_N - fbar_n),
//
// unbiased for every fixed lambda; lambda = 1 is plain PPI, lambda = 0 the
// human-only mean. Since the labelled units are among the N (1/n > 1/N),
//
//	Var theta(lambda) = s_Y²/n + (1/n - 1/N) (lambda² s_f² - 2 lambda s_Yf),
//
// with s_Y² the sample variance of the labelled Y, s_Yf their sample
// covariance with f and s_f² the sample variance of f over all units. The
// variance is least at lambda* = s_Yf / s_f²; clipping lambda* to [0, 1]
// keeps lambda between 0 and lambda*, so Var theta(lambda) <= s_Y²/n: the
// PPI interval is never wider than the human-only one, and a useless judge
// (s_Yf near 0) falls back to the human-only estimate. lambda = 0 when s_f² =
// 0. Intervals are Value ± z SE with z the normal quantile of confidence
// (0.95 when outside (0, 1)); the judge-only SE is s_f / sqrt(N). This is the
// analytic form for independent units with one vote each; PPIWinRate
// bootstraps questions instead.
func PPIMean(units, human, judged []float64, confidence float64) (PPIEstimates, error) {
	n, N := len(human), len(units)
	if len(judged) != n {
		return PPIEstimates{}, fmt.Errorf("ppi: %d human outcomes but %d judge outcomes for them", n, len(judged))
	}
	if n < 2 || N < 2 {
		return PPIEstimates{}, fmt.Errorf("ppi: need at least 2 labelled pairs and 2 units, have %d and %d", n, N)
	}
	z := Options{Confidence: confidence}.withDefaults().z()
	nf, Nf := float64(n), float64(N)
	yBar, fnBar, fNBar := stat.Mean(human, nil), stat.Mean(judged, nil), stat.Mean(units, nil)
	var sy, syf, sf float64
	for j := range n {
		sy += (human[j] - yBar) * (human[j] - yBar)
		syf += (human[j] - yBar) * (judged[j] - fnBar)
	}
	for _, f := range units {
		sf += (f - fNBar) * (f - fNBar)
	}
	sy, syf, sf = sy/(nf-1), syf/(nf-1), sf/(Nf-1)
	lambda := 0.0
	if sf > 0 {
		lambda = min(1, max(0, syf/sf))
	}
	c := 1/nf - 1/Nf
	varH := sy / nf
	varP := max(0, varH+c*(lambda*lambda*sf-2*lambda*syf))
	return ppiEstimates(lambda, yBar+lambda*(fNBar-fnBar), yBar, fNBar, varP, varH, sf/Nf, nf, z), nil
}

// ppiEstimates fills PPIEstimates from the point estimates and variances.
func ppiEstimates(lambda, ppi, human, judge, varP, varH, varJ, n, z float64) PPIEstimates {
	est := func(v, variance float64) PPIEstimate {
		se := math.Sqrt(variance)
		e := PPIEstimate{Value: Num(v), SE: Num(se)}
		if !math.IsNaN(se) {
			e.CI = &Interval{Num(v - z*se), Num(v + z*se)}
		}
		return e
	}
	out := PPIEstimates{Lambda: Num(lambda), PPI: est(ppi, varP), HumanOnly: est(human, varH), JudgeOnly: est(judge, varJ)}
	out.EffectiveVotes = Num(math.Inf(1))
	if varP > 0 {
		out.EffectiveVotes = Num(n * varH / varP)
	}
	return out
}

// PPIResult is the prediction-powered estimate of the humans' win rate of
// ModelA over ModelB with one judge's help.
type PPIResult struct {
	Judge, ModelA, ModelB string
	Units                 int // units of the pair the judge judged without error
	Votes                 int // human votes on those units
	Questions             int // questions of those units
	ExcludedVotes         int // human votes on units the judge did not judge, or judged as an error
	JudgeErrors           int // units whose verdict is an error (excluded)
	PPIEstimates
	Warnings []Warning
}

// PPIWinRate estimates the humans' win rate of modelA over modelB (every
// question and turn the judge judged that pair, in either order; opt.Humans
// and opt.Turn apply) by prediction-powered inference, coding every verdict
// as the outcome of modelA: win 1, loss 0, tie 0.5 (a human both-bad or
// both-good and a judge's inconsistent verdict are ties, as in agreement), so
// that a mean is the win rate (wins + ties/2) / n of STATS.md §6. With a the
// mean outcome of the human votes, d = fbar_N - fbar_n the judge's mean over
// the units minus its mean over the votes (each vote weighs its unit's
// verdict once),
//
//	theta(lambda) = a + lambda d,
//
// as in PPIMean. The variances come from a bootstrap over questions
// (opt.Bootstrap resamples, resample b seeded PCG(opt.Seed, b); a drawn
// question brings all its units, verdicts and votes, so votes on one unit or
// question need not be independent): lambda minimises the resampled variance
// Var(a) + lambda² Var(d) + 2 lambda Cov(a, d), that is
// lambda = -Cov(a, d) / Var(d), clipped to [0, 1] and held fixed; SE is the
// standard deviation of the resampled a + lambda d, of a for HumanOnly and of
// fbar_N for JudgeOnly, and each interval is Value ± z SE (normal, not
// percentile, so that widths compare exactly as variances do: the PPI
// interval is never wider than the human-only one, lambda = 0 being a
// choice). Resamples without a human vote are skipped. With opt.Bootstrap
// negative it falls back to PPIMean's analytic form over the votes.
//
// It returns an error when the judge judged none of the pair's units or no
// human vote falls on them.
func PPIWinRate(votes []HumanVote, verdicts []JudgeVerdict, judge, modelA, modelB string, opt Options) (*PPIResult, error) {
	if modelA == modelB {
		return nil, fmt.Errorf("ppi: both models are %q", modelA)
	}
	opt = opt.withDefaults()
	flip := modelA > modelB
	lo, hi := min(modelA, modelB), max(modelA, modelB)
	// outcome of modelA for a label in the canonical (lo, hi) order.
	outcome := func(l Label) float64 {
		o := [3]float64{clsA: 1, clsB: 0, clsT: 0.5}[class(l)]
		if flip {
			return 1 - o
		}
		return o
	}
	all, dups := judgeUnits(verdicts, judge, opt)
	out := &PPIResult{Judge: judge, ModelA: modelA, ModelB: modelB}
	type unitF struct {
		k pairUnit
		f float64
	}
	var us []unitF
	judged := map[pairUnit]float64{}
	for k, v := range all {
		if k.a != lo || k.b != hi {
			continue
		}
		if class(v.comb) > clsT {
			out.JudgeErrors++
			continue
		}
		us = append(us, unitF{k, outcome(v.comb)})
		judged[k] = outcome(v.comb)
	}
	if len(us) == 0 {
		return nil, fmt.Errorf("ppi: judge %q judged no unit of %s vs %s", judge, modelA, modelB)
	}
	slices.SortFunc(us, func(x, y unitF) int {
		if x.k.q != y.k.q {
			return x.k.q - y.k.q
		}
		return x.k.t - y.k.t
	})
	// Per question: sum of outcomes over units and votes.
	const sF, nU, sY, sFl, nY, nCols = 0, 1, 2, 3, 4, 5
	qIndex := map[int]int{}
	var sums [][nCols]float64
	var unitsF, humanY, judgeY []float64
	for _, u := range us {
		qi, ok := qIndex[u.k.q]
		if !ok {
			qi = len(sums)
			qIndex[u.k.q] = qi
			sums = append(sums, [nCols]float64{})
		}
		sums[qi][sF] += u.f
		sums[qi][nU]++
		unitsF = append(unitsF, u.f)
	}
	for i := range votes {
		v := &votes[i]
		if !keepVote(v, opt) {
			continue
		}
		k, l, ok := canonVote(v)
		if !ok || k.a != lo || k.b != hi || class(l) > clsT {
			continue
		}
		f, ok := judged[k]
		if !ok {
			out.ExcludedVotes++
			continue
		}
		y := outcome(l)
		s := &sums[qIndex[k.q]]
		s[sY] += y
		s[sFl] += f
		s[nY]++
		humanY = append(humanY, y)
		judgeY = append(judgeY, f)
	}
	out.Units, out.Votes, out.Questions = len(us), len(humanY), len(sums)
	if out.Votes == 0 {
		return nil, fmt.Errorf("ppi: no human vote on the %d units judge %q judged of %s vs %s", out.Units, judge, modelA, modelB)
	}
	if dups > 0 {
		out.Warnings = append(out.Warnings, Warning{SectionModels, fmt.Sprintf("%d repeated verdicts of %s on a unit were ignored (the first one counts)", dups, judge)})
	}
	if out.ExcludedVotes > 0 {
		out.Warnings = append(out.Warnings, Warning{SectionModels, fmt.Sprintf("%d human votes on units %s did not judge (or judged as an error) were left out", out.ExcludedVotes, judge)})
	}
	if out.Votes < opt.MinSample {
		out.Warnings = append(out.Warnings, Warning{SectionModels, fmt.Sprintf("small sample: %d human votes on %s vs %s", out.Votes, modelA, modelB)})
	}
	if opt.Bootstrap == 0 {
		if out.Votes < 2 || out.Units < 2 {
			return nil, fmt.Errorf("ppi: need at least 2 votes and 2 units without resamples, have %d and %d", out.Votes, out.Units)
		}
		est, err := PPIMean(unitsF, humanY, judgeY, opt.Confidence)
		if err != nil {
			return nil, err
		}
		out.PPIEstimates = est
		return out, nil
	}

	var tot [nCols]float64
	for _, s := range sums {
		for c := range tot {
			tot[c] += s[c]
		}
	}
	a0, fN0 := tot[sY]/tot[nY], tot[sF]/tot[nU]
	d0 := fN0 - tot[sFl]/tot[nY]
	Q := len(sums)
	var as, ds, fs []float64
	w := make([]float64, Q)
	for b := range opt.Bootstrap {
		clear(w)
		rng := rand.New(rand.NewPCG(opt.Seed, uint64(b)))
		for range Q {
			w[rng.IntN(Q)]++
		}
		var t [nCols]float64
		for qi, s := range sums {
			if w[qi] == 0 {
				continue
			}
			for c := range t {
				t[c] += w[qi] * s[c]
			}
		}
		if t[nY] == 0 {
			continue
		}
		a, fN := t[sY]/t[nY], t[sF]/t[nU]
		as, ds, fs = append(as, a), append(ds, fN-t[sFl]/t[nY]), append(fs, fN)
	}
	if len(as) < 2 {
		return nil, fmt.Errorf("ppi: %d of %d resamples have a human vote", len(as), opt.Bootstrap)
	}
	vA, vD, cAD := stat.Covariance(as, as, nil), stat.Covariance(ds, ds, nil), stat.Covariance(as, ds, nil)
	lambda := 0.0
	if vD > 0 {
		lambda = min(1, max(0, -cAD/vD))
	}
	varP := max(0, vA+lambda*lambda*vD+2*lambda*cAD)
	out.PPIEstimates = ppiEstimates(lambda, a0+lambda*d0, a0, fN0, varP, vA, stat.Covariance(fs, fs, nil), float64(out.Votes), opt.z())
	return out, nil
}
