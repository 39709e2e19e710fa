package audit

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Thresholds decide when AuditAnnotators flags an annotator. A zero field
// takes its default (DefaultThresholds).
type Thresholds struct {
	MinMedianTimeMS int64   // median time per item under this flags rushing; default 10,000 (10 s)
	MinGoldAccuracy float64 // gold accuracy under this flags; default 0.7
	MinGold         int     // gold items needed before gold accuracy flags; default 5
	MaxLeftRate     float64 // a left rate >= this or <= 1 - this (Wilson interval excluding 0.5) flags; default 0.7
	MinLeftVotes    int     // non-tie votes with a known side needed before the left rate flags; default 20
	MinAgreement    float64 // leave-one-out agreement with ties under this flags; default 1/3 (chance)
	MinAgreementN   int     // comparisons needed before agreement flags; default 20
	MinKappaUnits   int     // shared units below which a pairwise kappa is left blank (NaN); default 10
}

// DefaultThresholds returns the documented defaults of Thresholds.
func DefaultThresholds() Thresholds {
	return Thresholds{MinMedianTimeMS: 10_000, MinGoldAccuracy: 0.7, MinGold: 5, MaxLeftRate: 0.7, MinLeftVotes: 20, MinAgreement: 1.0 / 3, MinAgreementN: 20, MinKappaUnits: 10}
}

func (t Thresholds) withDefaults() Thresholds {
	d := DefaultThresholds()
	if t.MinMedianTimeMS <= 0 {
		t.MinMedianTimeMS = d.MinMedianTimeMS
	}
	if t.MinGoldAccuracy <= 0 {
		t.MinGoldAccuracy = d.MinGoldAccuracy
	}
	if t.MinGold <= 0 {
		t.MinGold = d.MinGold
	}
	if t.MaxLeftRate <= 0.5 || t.MaxLeftRate > 1 {
		t.MaxLeftRate = d.MaxLeftRate
	}
	if t.MinLeftVotes <= 0 {
		t.MinLeftVotes = d.MinLeftVotes
	}
	if t.MinAgreement <= 0 {
		t.MinAgreement = d.MinAgreement
	}
	if t.MinAgreementN <= 0 {
		t.MinAgreementN = d.MinAgreementN
	}
	if t.MinKappaUnits <= 0 {
		t.MinKappaUnits = d.MinKappaUnits
	}
	return t
}

// GoldItem is a unit whose better answer is known: Better names one of ModelA
// and ModelB.
type GoldItem struct {
	Question       int
	ModelA, ModelB string
	Turn           int
	Better         string
}

// AnnotatorStats are one annotator's figures (STATS.md §9).
type AnnotatorStats struct {
	Annotator    string
	Votes        int   // votes kept, gold items included
	MedianTimeMS Num   // median time per item off gold; NaN when unknown
	Agreement    Score // leave-one-out agreement with the others' plurality, ties counted
	AgreementNT  Score // the same without ties
	Gold         *Share
	Left         *Share   // share of non-tie votes for the answer shown on the left (Wilson interval)
	Flags        []string // reasons to look at this annotator's work
}

// KappaMatrix holds pairwise Cohen's kappa between annotators: Kappa[i][j]
// over the Shared[i][j] units both voted on, NaN (blank) below
// Thresholds.MinKappaUnits shared units and on the diagonal, where Shared
// counts the annotator's units.
type KappaMatrix struct {
	Annotators []string
	Shared     [][]int
	Kappa      [][]Num
}

// AnnotatorAudit is the per-annotator audit of human votes.
type AnnotatorAudit struct {
	Annotators []*AnnotatorStats // by name
	Kappa      KappaMatrix
	Warnings   []Warning
}

// AuditAnnotators audits the annotators of group opt.Humans (opt.Turn
// applied) as in STATS.md §9. An annotator's repeated vote on a unit is
// ignored (the first counts); votes on gold units count only for gold
// accuracy.
//
// Leave-one-out agreement: on each unit the annotator voted on that has a vote
// by another annotator, with c_k the others' votes of class k (A, B, tie; a
// both-bad or both-good vote is a tie), T = argmax_k c_k and k = |T|,
//
//	score += 1/k if the annotator's class is in T,  n += 1,
//
// and without ties the same with the annotator's non-tie votes against the
// others' non-tie votes (units where either has none are skipped). The rate
// score/n has a percentile bootstrap interval over questions (opt.Bootstrap,
// opt.Seed, opt.Confidence).
//
// Pairwise kappa: Cohen's kappa (CohenKappa, 3 labels) over the units both
// annotators voted on. Gold accuracy: the share of gold items where the vote
// names Better (a tie is wrong). Left rate: among non-tie votes whose Left is
// one of the two models, the share won by the left one. Both have Wilson
// intervals. Flags compare the figures with th.
//
// It returns an error when a gold item's Better is neither of its models.
func AuditAnnotators(votes []HumanVote, gold []GoldItem, th Thresholds, opt Options) (*AnnotatorAudit, error) {
	opt = opt.withDefaults()
	th = th.withDefaults()
	z := opt.z()
	goldWinner := map[pairUnit]int8{}
	for i, g := range gold {
		var l Label
		switch g.Better {
		case g.ModelA:
			l = A
		case g.ModelB:
			l = B
		default:
			return nil, fmt.Errorf("gold item %d (question %d, turn %d): better %q is neither %q nor %q", i, g.Question, g.Turn, g.Better, g.ModelA, g.ModelB)
		}
		k, cl, ok := canonVote(&HumanVote{Question: g.Question, ModelA: g.ModelA, ModelB: g.ModelB, Turn: g.Turn, Choice: l})
		if !ok {
			return nil, fmt.Errorf("gold item %d (question %d, turn %d): compares %q with itself", i, g.Question, g.Turn, g.ModelA)
		}
		goldWinner[k] = class(cl)
	}

	type annVote struct {
		cls  int8
		left int8 // class of the left-shown model, -1 when unknown
		time int64
	}
	type akey struct {
		u   pairUnit
		ann string
	}
	out := &AnnotatorAudit{}
	seen := map[akey]bool{}
	byUnit := map[pairUnit]map[string]annVote{}
	var unitKeys []pairUnit
	stats := map[string]*AnnotatorStats{}
	times := map[string][]float64{}
	goldN, goldOK := map[string]int{}, map[string]int{}
	leftN, leftWon := map[string]int{}, map[string]int{}
	dups := 0
	for i := range votes {
		v := &votes[i]
		if !keepVote(v, opt) {
			continue
		}
		k, l, ok := canonVote(v)
		if !ok || class(l) > clsT {
			continue
		}
		if seen[akey{k, v.Annotator}] {
			dups++
			continue
		}
		seen[akey{k, v.Annotator}] = true
		st := stats[v.Annotator]
		if st == nil {
			st = &AnnotatorStats{Annotator: v.Annotator}
			stats[v.Annotator] = st
		}
		st.Votes++
		if w, isGold := goldWinner[k]; isGold {
			goldN[v.Annotator]++
			if class(l) == w {
				goldOK[v.Annotator]++
			}
			continue
		}
		av := annVote{cls: class(l), left: -1, time: v.TimeMS}
		switch v.Left {
		case k.a:
			av.left = clsA
		case k.b:
			av.left = clsB
		}
		if av.left >= 0 && av.cls != clsT {
			leftN[v.Annotator]++
			if av.cls == av.left {
				leftWon[v.Annotator]++
			}
		}
		if v.TimeMS > 0 {
			times[v.Annotator] = append(times[v.Annotator], float64(v.TimeMS))
		}
		if byUnit[k] == nil {
			byUnit[k] = map[string]annVote{}
			unitKeys = append(unitKeys, k)
		}
		byUnit[k][v.Annotator] = av
	}
	names := make([]string, 0, len(stats))
	for a := range stats {
		names = append(names, a)
	}
	slices.Sort(names)
	idx := index(names)
	nA := len(names)

	// Per question and annotator: LOO score and count, with and without ties.
	slices.SortFunc(unitKeys, func(p, q pairUnit) int { return p.q - q.q })
	qIndex := map[int]int{}
	var sums [][]float64 // [question][4*annotator + {score, n, scoreNT, nNT}]
	shared := make([][]int, nA)
	conf := make([][][]float64, nA*nA) // confusion per ordered pair i < j
	for i := range shared {
		shared[i] = make([]int, nA)
	}
	for _, k := range unitKeys {
		vs := byUnit[k]
		qi, ok := qIndex[k.q]
		if !ok {
			qi = len(sums)
			qIndex[k.q] = qi
			sums = append(sums, make([]float64, 4*nA))
		}
		var all, allNT [3]float64
		for _, av := range vs {
			all[av.cls]++
			if av.cls != clsT {
				allNT[av.cls]++
			}
		}
		for a, av := range vs {
			i := int(idx[a])
			shared[i][i]++
			s := sums[qi][4*i:]
			others := all
			others[av.cls]--
			if sc, ok := pluralityScore(others[:], av.cls); ok {
				s[0] += sc
				s[1]++
			}
			if av.cls != clsT {
				othersNT := allNT
				othersNT[av.cls]--
				if sc, ok := pluralityScore(othersNT[:2], av.cls); ok {
					s[2] += sc
					s[3]++
				}
			}
			for b, bv := range vs {
				j := int(idx[b])
				if j <= i {
					continue
				}
				shared[i][j]++
				shared[j][i]++
				m := conf[i*nA+j]
				if m == nil {
					m = [][]float64{make([]float64, 3), make([]float64, 3), make([]float64, 3)}
					conf[i*nA+j] = m
				}
				m[av.cls][bv.cls]++
			}
		}
	}
	eval := func(w, st []float64) {
		clear(st)
		tot := make([]float64, 4*nA)
		for qi, s := range sums {
			if w[qi] == 0 {
				continue
			}
			for c := range tot {
				tot[c] += w[qi] * s[c]
			}
		}
		for i := range nA {
			st[2*i], st[2*i+1] = Ratio(tot[4*i], tot[4*i+1]), Ratio(tot[4*i+2], tot[4*i+3])
		}
	}
	ones := make([]float64, len(sums))
	for i := range ones {
		ones[i] = 1
	}
	point := make([]float64, 2*nA)
	eval(ones, point)
	lo, hi := bootstrapQuestions(len(sums), 2*nA, opt, eval)
	full := make([]float64, 4*nA)
	for _, s := range sums {
		for c := range full {
			full[c] += s[c]
		}
	}
	score := func(i, st int) Score {
		n := int(full[4*i+2*st+1])
		sc := Score{Score: Num(full[4*i+2*st]), N: n, Rate: Num(point[2*i+st]), SmallSample: n < opt.MinSample}
		if lo != nil {
			sc.CI = &Interval{Num(lo[2*i+st]), Num(hi[2*i+st])}
		}
		return sc
	}
	wilson := func(k, n int) *Share {
		if n == 0 {
			return nil
		}
		l, h := Wilson(k, n, z)
		return &Share{Count: k, N: n, Rate: Num(Ratio(float64(k), float64(n))), CI: &Interval{Num(l), Num(h)}, SmallSample: n < opt.MinSample}
	}
	for i, a := range names {
		st := stats[a]
		st.Agreement, st.AgreementNT = score(i, 0), score(i, 1)
		st.MedianTimeMS = Num(math.NaN())
		if len(times[a]) > 0 {
			st.MedianTimeMS = Num(median(times[a]))
		}
		st.Gold = wilson(goldOK[a], goldN[a])
		st.Left = wilson(leftWon[a], leftN[a])
		st.Flags = flags(st, th)
		out.Annotators = append(out.Annotators, st)
	}
	out.Kappa = KappaMatrix{Annotators: names, Shared: shared, Kappa: make([][]Num, nA)}
	for i := range nA {
		out.Kappa.Kappa[i] = make([]Num, nA)
		out.Kappa.Kappa[i][i] = Num(math.NaN())
	}
	for i := range nA {
		for j := i + 1; j < nA; j++ {
			kp := math.NaN()
			if shared[i][j] >= th.MinKappaUnits {
				kp = CohenKappa(conf[i*nA+j])
			}
			out.Kappa.Kappa[i][j], out.Kappa.Kappa[j][i] = Num(kp), Num(kp)
		}
	}
	if dups > 0 {
		out.Warnings = append(out.Warnings, Warning{SectionAnnotators, fmt.Sprintf("%d repeated votes of an annotator on a unit were ignored (the first one counts)", dups)})
	}
	return out, nil
}

// pluralityScore returns 1/k when class c is one of the k most frequent of
// counts (all zero: ok false), else 0.
func pluralityScore(counts []float64, c int8) (score float64, ok bool) {
	top := slices.Max(counts)
	if top <= 0 {
		return 0, false
	}
	k := 0
	for _, n := range counts {
		if n == top {
			k++
		}
	}
	if int(c) < len(counts) && counts[c] == top {
		return 1 / float64(k), true
	}
	return 0, true
}

// flags returns the reasons to look at an annotator's work under th.
func flags(st *AnnotatorStats, th Thresholds) []string {
	var out []string
	if t := float64(st.MedianTimeMS); st.MedianTimeMS.Valid() && t < float64(th.MinMedianTimeMS) {
		out = append(out, fmt.Sprintf("median time per item %v is under %v", time.Duration(t)*time.Millisecond, time.Duration(th.MinMedianTimeMS)*time.Millisecond))
	}
	if g := st.Gold; g != nil && g.N >= th.MinGold && float64(g.Rate) < th.MinGoldAccuracy {
		out = append(out, fmt.Sprintf("gold accuracy %d/%d is under %.0f%%", g.Count, g.N, 100*th.MinGoldAccuracy))
	}
	if l := st.Left; l != nil && l.N >= th.MinLeftVotes {
		r := float64(l.Rate)
		if (r >= th.MaxLeftRate || r <= 1-th.MaxLeftRate) && (l.CI[0] > 0.5 || l.CI[1] < 0.5) {
			out = append(out, fmt.Sprintf("%d of %d non-tie votes went to the left answer (%.0f%%)", l.Count, l.N, 100*r))
		}
	}
	if a := st.Agreement; a.N >= th.MinAgreementN && float64(a.Rate) < th.MinAgreement {
		out = append(out, fmt.Sprintf("agreement with the other annotators %.2f is under %.2f", float64(a.Rate), th.MinAgreement))
	}
	return out
}
