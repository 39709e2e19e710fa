package audit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// The engine canonicalises votes and verdicts into units, then turns every
// statistic into a function of column sums: each question contributes a sparse
// vector of counts (agreements, comparisons, label counts, coincidences, wins,
// regression gradients...). A bootstrap resample draws questions with
// replacement, adds their vectors with the drawn multiplicities and evaluates the
// same functions, so one pass over the questions serves every interval.

type unit struct {
	q, pair, cat int32
	ti           int32 // index into engine.turns
	lenA, lenB   int32
	v0, v1       int32 // range in engine.votes
}

type vote struct {
	cls  int8 // clsA, clsB, clsT
	left int8 // clsA or clsB for the model shown on the left, -1 unknown
	ann  int32
	time int64
}

type verdict struct {
	cls    int8 // agreement class of the combined verdict, clsNo when absent
	incons bool
	g1, g2 Label // canonical games, NoLabel when absent
}

type est struct {
	off, dim int
	f        func(s, out []float64)
}

type engine struct {
	opt Options
	z   float64

	models, cats, anns, judges []string
	annGroup                   []string
	turns                      []int
	qids                       []int
	qcat                       []int32
	pairs                      [][2]int32
	units                      []unit
	votes                      []vote
	jv                         []verdict // len(units)*len(judges)

	warnings     []Warning
	humanSkipped int
	judgeErrors  []int
	dupVerdicts  int
	verdictCount []int

	// column layout
	ncol                                         int
	nScope, nPosScope, nb, modStride, lenStride  int
	hhOff, jhOff, posOff, modOff, lenOff, annOff int
	beta                                         [][]float64 // per judge regression fit at the full data
	sd                                           []float64
	regRows                                      []int

	// sparse per-question contributions (CSR)
	ptr []int
	col []int32
	val []float32 // bootstrap only; full holds the exact float64 sums

	ests  []est
	nstat int
	full  []float64
	point []float64
	lo    []float64
	hi    []float64
	fills []func()
	left  [][3]int
}

// The column layout. Every figure is a sum over questions of one column; the
// columns come in blocks, one per scope, laid out by layout() in this order
// (s = turn, all-turns, category or pair scope; ps = all, category or pair; j =
// judge; p = pair of models in canonical order, A < B; b = length bucket, 0 =
// all decisive units; a = annotator). "Pairs" of votes are two votes by
// different annotators on one unit.
//
//	block       at          columns (offset: meaning)
//	human-human hh(s)       hhWtA agreeing pairs / hhWtN pairs of votes;
//	                        hhNtA, hhNtN the same among pairs with no tie;
//	                        hhPA, hhPB votes for A, for B within those pairs (kappa's pooled marginals);
//	                        hhOAA..hhOBT Krippendorff coincidences o[A][A], o[B][B], o[T][T], o[A][B], o[A][T], o[B][T]
//	judge-human jh(j, s)    jhWtA votes agreeing with the judge / jhWtN votes; jhNtA, jhNtN without ties;
//	                        jhJA, jhJB judge verdicts A, B and jhHA, jhHB human votes A, B, one per vote (kappa's marginals);
//	                        jhPlS plurality score (1/k when the judge is one of k top classes) / jhPlN units with votes
//	position    pos(j, ps)  units judged in both orders: posUnits, and of them posCons, posFirst, posSecond, posErr
//	                        (ClassifyGames); units with a combined verdict only: posCoUnits, posCoIncons, posCoErr
//	models      mod(p)      modHuman+0..2 human votes for A, B, tie; then per judge, at modJudge(j):
//	                        mjAll+0..2 the judge's verdicts A, B, tie on every unit it judged,
//	                        mjShared+0..2 the same on units that have votes, mjHumans+0..2 those units' votes
//	length      lenc(j, b)  lenJudgeLonger judge verdicts for the longer answer / lenJudgeN decisive units;
//	                        lenHumansLonger non-tie votes for the longer answer / lenHumansN non-tie votes
//	regression  reg(j)      regGrad+0..2 the logistic score (gradient) at the full-data fit,
//	                        regHess+0..5 its information matrix, upper triangle row by row (00, 01, 02, 11, 12, 22)
//	annotators  ann(a)      annWtA agreeing pairs / annWtN pairs the annotator is in; annNtA, annNtN without ties
const (
	hhWtA, hhWtN, hhNtA, hhNtN, hhPA, hhPB, hhOAA, hhOBB, hhOTT, hhOAB, hhOAT, hhOBT, hhCols   = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
	jhWtA, jhWtN, jhNtA, jhNtN, jhJA, jhJB, jhHA, jhHB, jhPlS, jhPlN, jhCols                   = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
	posUnits, posCons, posFirst, posSecond, posErr, posCoUnits, posCoIncons, posCoErr, posCols = 0, 1, 2, 3, 4, 5, 6, 7, 8
	annWtA, annWtN, annNtA, annNtN, annCols                                                    = 0, 1, 2, 3, 4
	modHuman, modJudgeStart, mjAll, mjShared, mjHumans, mjCols                                 = 0, 3, 0, 3, 6, 9
	lenJudgeLonger, lenJudgeN, lenHumansLonger, lenHumansN, lenCols                            = 0, 1, 2, 3, 4
	regGrad, regHess, regCols                                                                  = 0, 3, 9
)

// lengthBuckets are the upper edges of the log(len_longer/len_shorter) buckets.
var lengthBuckets = []float64{0.25, 0.5, 1, 2, math.Inf(1)}

type unitKey struct {
	q, a, b int32
	t       int32
}

func newEngine(votes []HumanVote, verdicts []JudgeVerdict, opt Options) *engine {
	e := &engine{opt: opt, z: opt.z()}
	keepVote := func(v *HumanVote) bool {
		return (opt.Humans == "" || v.Group == opt.Humans) && (opt.Turn == 0 || v.Turn == opt.Turn)
	}
	keepVerdict := func(v *JudgeVerdict) bool { return opt.Turn == 0 || v.Turn == opt.Turn }

	// Pass 1: names, sorted for deterministic output.
	modelSet, annSet, judgeSet := map[string]bool{}, map[string]string{}, map[string]bool{}
	qcat := map[int]string{}
	turnSet := map[int]bool{}
	note := func(q int, cat, a, b string, turn int) {
		modelSet[a], modelSet[b] = true, true
		if c, ok := qcat[q]; !ok || c == "" {
			qcat[q] = cat
		}
		turnSet[turn] = true
	}
	for i := range votes {
		v := &votes[i]
		if keepVote(v) {
			note(v.Question, v.Category, v.ModelA, v.ModelB, v.Turn)
			if _, ok := annSet[v.Annotator]; !ok {
				annSet[v.Annotator] = v.Group
			}
		}
	}
	for i := range verdicts {
		v := &verdicts[i]
		if keepVerdict(v) {
			note(v.Question, v.Category, v.ModelA, v.ModelB, v.Turn)
			judgeSet[v.Judge] = true
		}
	}
	e.models = sortedKeys(modelSet)
	e.judges = sortedKeys(judgeSet)
	for a := range annSet {
		e.anns = append(e.anns, a)
	}
	slices.Sort(e.anns)
	for _, a := range e.anns {
		e.annGroup = append(e.annGroup, annSet[a])
	}
	for t := range turnSet {
		e.turns = append(e.turns, t)
	}
	slices.Sort(e.turns)
	catSet := map[string]bool{}
	for q, c := range qcat {
		e.qids = append(e.qids, q)
		catSet[label(c)] = true
	}
	slices.Sort(e.qids)
	e.cats = sortedKeys(catSet)
	modelIdx, annIdx, judgeIdx, qIdx, catIdx, turnIdx := index(e.models), index(e.anns), index(e.judges), map[int]int32{}, index(e.cats), map[int]int32{}
	for i, q := range e.qids {
		qIdx[q] = int32(i)
		e.qcat = append(e.qcat, catIdx[label(qcat[q])])
	}
	for i, t := range e.turns {
		turnIdx[t] = int32(i)
	}
	J := len(e.judges)
	e.judgeErrors = make([]int, J)
	e.verdictCount = make([]int, J)

	// Pass 2: units, with pairs numbered in order of discovery, renumbered below.
	unitOf := map[unitKey]int32{}
	pairOf := map[[2]int32]int32{}
	selfPairs := 0
	getUnit := func(q int, a, b string, turn int, la, lb int) (int32, bool, bool) {
		ia, ib := modelIdx[a], modelIdx[b]
		swapped := false
		if ia > ib {
			ia, ib, la, lb, swapped = ib, ia, lb, la, true
		}
		if ia == ib {
			selfPairs++
			return 0, false, false
		}
		k := unitKey{qIdx[q], ia, ib, turnIdx[turn]}
		u, ok := unitOf[k]
		if !ok {
			p, ok := pairOf[[2]int32{ia, ib}]
			if !ok {
				p = int32(len(e.pairs))
				pairOf[[2]int32{ia, ib}] = p
				e.pairs = append(e.pairs, [2]int32{ia, ib})
			}
			u = int32(len(e.units))
			unitOf[k] = u
			e.units = append(e.units, unit{q: k.q, pair: p, cat: e.qcat[k.q], ti: k.t})
		}
		if e.units[u].lenA == 0 && la > 0 && lb > 0 {
			e.units[u].lenA, e.units[u].lenB = int32(la), int32(lb)
		}
		return u, swapped, true
	}
	type tv struct {
		u int32
		v vote
	}
	tmp := make([]tv, 0, len(votes))
	for i := range votes {
		v := &votes[i]
		if !keepVote(v) {
			continue
		}
		u, swapped, ok := getUnit(v.Question, v.ModelA, v.ModelB, v.Turn, v.LenA, v.LenB)
		if !ok {
			continue
		}
		lab := v.Choice
		if swapped {
			lab = lab.Swap()
		}
		c := class(lab)
		if c > clsT {
			e.humanSkipped++
			continue
		}
		left := int8(-1)
		if v.Left != "" {
			switch v.Left {
			case v.ModelA:
				left = clsA
			case v.ModelB:
				left = clsB
			}
			if swapped && left >= 0 {
				left = 1 - left
			}
		}
		tmp = append(tmp, tv{u, vote{cls: c, left: left, ann: annIdx[v.Annotator], time: v.TimeMS}})
	}
	type tj struct {
		u, j int32
		v    verdict
	}
	tmpJ := make([]tj, 0, len(verdicts))
	for i := range verdicts {
		v := &verdicts[i]
		if !keepVerdict(v) {
			continue
		}
		u, swapped, ok := getUnit(v.Question, v.ModelA, v.ModelB, v.Turn, v.LenA, v.LenB)
		if !ok {
			continue
		}
		g1, g2, comb := v.G1, v.G2, v.Combined
		if swapped {
			g1, g2, comb = v.G2.Swap(), v.G1.Swap(), comb.Swap()
		}
		if comb == NoLabel {
			comb = Combine(g1, g2)
		}
		if comb == NoLabel {
			continue
		}
		tmpJ = append(tmpJ, tj{u, judgeIdx[v.Judge], verdict{cls: class(comb), incons: comb == Inconsistent, g1: g1, g2: g2}})
	}
	if selfPairs > 0 {
		e.warnf(SectionGeneral, "%d votes or verdicts compare a model with itself and were ignored", selfPairs)
	}

	// Renumber pairs in model order and units in (question, pair, turn) order.
	pairPerm := make([]int32, len(e.pairs))
	for i := range pairPerm {
		pairPerm[i] = int32(i)
	}
	slices.SortFunc(pairPerm, func(x, y int32) int {
		return cmp2(e.pairs[x], e.pairs[y])
	})
	newPair := make([]int32, len(e.pairs))
	sortedPairs := make([][2]int32, len(e.pairs))
	for n, o := range pairPerm {
		newPair[o] = int32(n)
		sortedPairs[n] = e.pairs[o]
	}
	e.pairs = sortedPairs
	for i := range e.units {
		e.units[i].pair = newPair[e.units[i].pair]
	}
	perm := make([]int32, len(e.units))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(x, y int32) int {
		a, b := &e.units[x], &e.units[y]
		if a.q != b.q {
			return int(a.q - b.q)
		}
		if a.pair != b.pair {
			return int(a.pair - b.pair)
		}
		return int(a.ti - b.ti)
	})
	newUnit := make([]int32, len(e.units))
	units := make([]unit, len(e.units))
	for n, o := range perm {
		newUnit[o] = int32(n)
		units[n] = e.units[o]
	}
	e.units = units

	// Votes grouped by unit, keeping input order within a unit.
	counts := make([]int32, len(units)+1)
	for _, t := range tmp {
		counts[newUnit[t.u]+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	for i := range units {
		units[i].v0, units[i].v1 = counts[i], counts[i]
	}
	e.votes = make([]vote, len(tmp))
	for _, t := range tmp {
		u := &units[newUnit[t.u]]
		e.votes[u.v1] = t.v
		u.v1++
	}
	e.jv = make([]verdict, len(units)*J)
	for i := range e.jv {
		e.jv[i].cls = clsNo
	}
	for _, t := range tmpJ {
		k := int(newUnit[t.u])*J + int(t.j)
		if e.jv[k].cls != clsNo {
			e.dupVerdicts++
			if e.jv[k].cls == clsErr {
				e.judgeErrors[t.j]--
			}
			e.verdictCount[t.j]--
		}
		e.jv[k] = t.v
		e.verdictCount[t.j]++
		if t.v.cls == clsErr {
			e.judgeErrors[t.j]++
		}
	}
	if e.dupVerdicts > 0 {
		e.warnf(SectionGeneral, "%d repeated verdicts of one judge on one unit: the last one of each was kept", e.dupVerdicts)
	}
	if e.humanSkipped > 0 {
		e.warnf(SectionGeneral, "%d human votes without a usable verdict were excluded", e.humanSkipped)
	}
	return e
}

func label(c string) string {
	if c == "" {
		return "(none)"
	}
	return c
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func index(names []string) map[string]int32 {
	m := make(map[string]int32, len(names))
	for i, n := range names {
		m[n] = int32(i)
	}
	return m
}

func cmp2(a, b [2]int32) int {
	if a[0] != b[0] {
		return int(a[0] - b[0])
	}
	return int(a[1] - b[1])
}

func (e *engine) warnf(section, format string, args ...any) {
	e.warnings = append(e.warnings, Warning{Section: section, Message: fmt.Sprintf(format, args...)})
}

// plurality returns the per-class vote counts of a unit and the plurality code:
// +1 when A is the unique most frequent class, -1 for B, 0 otherwise.
func plurality(vs []vote) (c [3]float64, code float64) {
	for _, v := range vs {
		c[v.cls]++
	}
	switch {
	case c[clsA] > c[clsB] && c[clsA] > c[clsT]:
		code = 1
	case c[clsB] > c[clsA] && c[clsB] > c[clsT]:
		code = -1
	}
	return c, code
}

// layout allocates the columns once the units are known.
func (e *engine) layout() {
	T, C, P, J := len(e.turns), len(e.cats), len(e.pairs), len(e.judges)
	e.nScope = T + 1 + C + P
	e.nPosScope = 1 + C + P
	e.nb = len(lengthBuckets)
	e.modStride = modJudgeStart + mjCols*J
	e.lenStride = (1+e.nb)*lenCols + regCols
	take := func(n int) int { o := e.ncol; e.ncol += n; return o }
	e.hhOff = take(e.nScope * hhCols)
	e.jhOff = take(J * e.nScope * jhCols)
	e.posOff = take(J * e.nPosScope * posCols)
	e.modOff = take(P * e.modStride)
	e.lenOff = take(J * e.lenStride)
	e.annOff = take(len(e.anns) * annCols)
}

func (e *engine) hh(s int) int    { return e.hhOff + s*hhCols }
func (e *engine) jh(j, s int) int { return e.jhOff + (j*e.nScope+s)*jhCols }
func (e *engine) pos(j, s int) int {
	return e.posOff + (j*e.nPosScope+s)*posCols
}
func (e *engine) mod(p int) int     { return e.modOff + p*e.modStride }
func (e *engine) lenc(j, b int) int { return e.lenOff + j*e.lenStride + b*lenCols }
func (e *engine) reg(j int) int     { return e.lenOff + j*e.lenStride + (1+e.nb)*lenCols }

// modJudge is the offset of judge j's columns inside a models block.
func modJudge(j int) int                    { return modJudgeStart + mjCols*j }
func (e *engine) ann(a int) int             { return e.annOff + a*annCols }
func (e *engine) sAll() int                 { return len(e.turns) }
func (e *engine) sCat(c int) int            { return len(e.turns) + 1 + c }
func (e *engine) sPair(p int) int           { return len(e.turns) + 1 + len(e.cats) + p }
func (e *engine) psCat(c int) int           { return 1 + c }
func (e *engine) psPair(p int) int          { return 1 + len(e.cats) + p }
func (e *engine) lengthsKnown(u *unit) bool { return u.lenA > 0 && u.lenB > 0 }

// fitRegressions fits, per judge, the logistic regression of the judge picking
// model A on tanh(dlen/sd(dlen)) and the human plurality code.
func (e *engine) fitRegressions() {
	J := len(e.judges)
	e.beta = make([][]float64, J)
	e.sd = make([]float64, J)
	e.regRows = make([]int, J)
	for j := range J {
		var dl []float64
		var pl []float64
		var y []bool
		for ui := range e.units {
			u := &e.units[ui]
			jv := e.jv[ui*J+j]
			if !e.lengthsKnown(u) || u.v1 == u.v0 || (jv.cls != clsA && jv.cls != clsB) {
				continue
			}
			_, code := plurality(e.votes[u.v0:u.v1])
			dl = append(dl, float64(u.lenA-u.lenB))
			pl = append(pl, code)
			y = append(y, jv.cls == clsA)
		}
		e.regRows[j] = len(dl)
		if len(dl) < 3 {
			continue
		}
		var mean, ss float64
		for _, d := range dl {
			mean += d
		}
		mean /= float64(len(dl))
		for _, d := range dl {
			ss += (d - mean) * (d - mean)
		}
		sd := math.Sqrt(ss / float64(len(dl)-1))
		if sd == 0 {
			continue
		}
		e.sd[j] = sd
		x := mat.NewDense(len(dl), 3, nil)
		for i := range dl {
			x.SetRow(i, []float64{1, math.Tanh(dl[i] / sd), pl[i]})
		}
		e.beta[j] = logistic(x, y)
	}
}

// contributions fills the sparse per-question vectors.
func (e *engine) contributions() {
	J := len(e.judges)
	scratch := make([]float64, e.ncol)
	mark := make([]bool, e.ncol)
	var touched []int32
	add := func(c int, v float64) {
		if v == 0 {
			return
		}
		if !mark[c] {
			mark[c] = true
			touched = append(touched, int32(c))
		}
		scratch[c] += v
	}
	e.ptr = make([]int, 1, len(e.qids)+1)
	e.full = make([]float64, e.ncol)
	var latest []int32 // scratch: index of the last vote per annotator in a unit
	flush := func() {
		slices.Sort(touched)
		for _, c := range touched {
			e.col = append(e.col, c)
			e.val = append(e.val, float32(scratch[c]))
			e.full[c] += scratch[c]
			scratch[c] = 0
			mark[c] = false
		}
		touched = touched[:0]
		e.ptr = append(e.ptr, len(e.col))
	}
	ui := 0
	for q := range e.qids {
		for ; ui < len(e.units) && int(e.units[ui].q) == q; ui++ {
			u := &e.units[ui]
			vs := e.votes[u.v0:u.v1]
			scopes := [4]int{int(u.ti), e.sAll(), e.sCat(int(u.cat)), e.sPair(int(u.pair))}
			if len(e.turns) == 1 {
				scopes[0] = -1 // the turn scope is the all-turns scope
			}
			// Humans vs humans.
			var hh [hhCols]float64
			for i := range vs {
				for k := i + 1; k < len(vs); k++ {
					a, b := vs[i], vs[k]
					if a.ann == b.ann {
						continue
					}
					agree := b2f(a.cls == b.cls)
					hh[hhWtA] += agree
					hh[hhWtN]++
					hh[hhPA] += b2f(a.cls == clsA) + b2f(b.cls == clsA)
					hh[hhPB] += b2f(a.cls == clsB) + b2f(b.cls == clsB)
					nt := a.cls != clsT && b.cls != clsT
					if nt {
						hh[hhNtA] += agree
						hh[hhNtN]++
					}
					for _, x := range [2]int32{a.ann, b.ann} {
						o := e.ann(int(x))
						add(o+annWtA, agree)
						add(o+annWtN, 1)
						if nt {
							add(o+annNtA, agree)
							add(o+annNtN, 1)
						}
					}
				}
			}
			// Krippendorff coincidences from each annotator's last vote.
			latest = latest[:0]
			var cnt [3]float64
			for i := range vs {
				last := true
				for k := i + 1; k < len(vs); k++ {
					if vs[k].ann == vs[i].ann {
						last = false
						break
					}
				}
				if last {
					latest = append(latest, int32(i))
					cnt[vs[i].cls]++
				}
			}
			if m := float64(len(latest)); m >= 2 {
				hh[hhOAA] = cnt[0] * (cnt[0] - 1) / (m - 1)
				hh[hhOBB] = cnt[1] * (cnt[1] - 1) / (m - 1)
				hh[hhOTT] = cnt[2] * (cnt[2] - 1) / (m - 1)
				hh[hhOAB] = cnt[0] * cnt[1] / (m - 1)
				hh[hhOAT] = cnt[0] * cnt[2] / (m - 1)
				hh[hhOBT] = cnt[1] * cnt[2] / (m - 1)
			}
			for _, s := range scopes {
				if s < 0 {
					continue
				}
				o := e.hh(s)
				for k, v := range hh {
					add(o+k, v)
				}
			}
			pc, plCode := plurality(vs)
			var hA, hB, hT float64 = pc[0], pc[1], pc[2]
			mo := e.mod(int(u.pair))
			add(mo+modHuman+0, hA)
			add(mo+modHuman+1, hB)
			add(mo+modHuman+2, hT)
			for j := range J {
				jv := e.jv[ui*J+j]
				if jv.cls == clsNo {
					continue
				}
				// Position bias.
				var pb [posCols]float64
				if jv.g1 != NoLabel && jv.g2 != NoLabel {
					pb[posUnits] = 1
					switch ClassifyGames(jv.g1, jv.g2) {
					case Consistent:
						pb[posCons] = 1
					case First:
						pb[posFirst] = 1
					case Second:
						pb[posSecond] = 1
					case GameError:
						pb[posErr] = 1
					}
				} else {
					pb[posCoUnits] = 1
					pb[posCoIncons] = b2f(jv.incons)
					pb[posCoErr] = b2f(jv.cls == clsErr)
				}
				for _, s := range [3]int{0, e.psCat(int(u.cat)), e.psPair(int(u.pair))} {
					o := e.pos(j, s)
					for k, v := range pb {
						add(o+k, v)
					}
				}
				if jv.cls == clsErr {
					continue
				}
				// Judge vs humans.
				var jh [jhCols]float64
				for _, v := range vs {
					agree := b2f(v.cls == jv.cls)
					jh[jhWtA] += agree
					jh[jhWtN]++
					if v.cls != clsT && jv.cls != clsT {
						jh[jhNtA] += agree
						jh[jhNtN]++
					}
					jh[jhJA] += b2f(jv.cls == clsA)
					jh[jhJB] += b2f(jv.cls == clsB)
					jh[jhHA] += b2f(v.cls == clsA)
					jh[jhHB] += b2f(v.cls == clsB)
				}
				if len(vs) > 0 {
					top := max(pc[0], pc[1], pc[2])
					k := b2f(pc[0] == top) + b2f(pc[1] == top) + b2f(pc[2] == top)
					if pc[jv.cls] == top {
						jh[jhPlS] = 1 / k
					}
					jh[jhPlN] = 1
				}
				for _, s := range scopes {
					if s < 0 {
						continue
					}
					o := e.jh(j, s)
					for k, v := range jh {
						add(o+k, v)
					}
				}
				// Models.
				jo := mo + modJudge(j)
				add(jo+mjAll+int(jv.cls), 1)
				if len(vs) > 0 {
					add(jo+mjShared+int(jv.cls), 1)
					add(jo+mjHumans+0, hA)
					add(jo+mjHumans+1, hB)
					add(jo+mjHumans+2, hT)
				}
				// Length.
				if !e.lengthsKnown(u) || jv.cls == clsT || len(vs) == 0 {
					continue
				}
				if d := u.lenA - u.lenB; d > int32(e.opt.LengthMargin) || -d > int32(e.opt.LengthMargin) {
					longer := int8(clsA)
					if d < 0 {
						longer = clsB
					}
					var hl, hn float64
					for _, v := range vs {
						if v.cls != clsT {
							hn++
							hl += b2f(v.cls == longer)
						}
					}
					if hn > 0 {
						r := math.Log(float64(max(u.lenA, u.lenB)) / float64(min(u.lenA, u.lenB)))
						b := 0
						for b < len(lengthBuckets)-1 && r > lengthBuckets[b] {
							b++
						}
						for _, o := range [2]int{e.lenc(j, 0), e.lenc(j, 1+b)} {
							add(o+lenJudgeLonger, b2f(jv.cls == longer))
							add(o+lenJudgeN, 1)
							add(o+lenHumansLonger, hl)
							add(o+lenHumansN, hn)
						}
					}
				}
				if beta := e.beta[j]; beta != nil {
					x := [3]float64{1, math.Tanh(float64(u.lenA-u.lenB) / e.sd[j]), plCode}
					p := sigmoid(beta[0]*x[0] + beta[1]*x[1] + beta[2]*x[2])
					r := b2f(jv.cls == clsA) - p
					w := p * (1 - p)
					o := e.reg(j)
					add(o+regGrad+0, r*x[0])
					add(o+regGrad+1, r*x[1])
					add(o+regGrad+2, r*x[2])
					add(o+regHess+0, w*x[0]*x[0])
					add(o+regHess+1, w*x[0]*x[1])
					add(o+regHess+2, w*x[0]*x[2])
					add(o+regHess+3, w*x[1]*x[1])
					add(o+regHess+4, w*x[1]*x[2])
					add(o+regHess+5, w*x[2]*x[2])
				}
			}
		}
		flush()
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// stat registers an estimator of dim values computed from column sums and
// returns the index of its first value.
func (e *engine) stat(dim int, f func(s, out []float64)) int {
	e.ests = append(e.ests, est{off: e.nstat, dim: dim, f: f})
	e.nstat += dim
	return e.nstat - dim
}

func (e *engine) later(f func()) { e.fills = append(e.fills, f) }

func (e *engine) eval(s, out []float64) {
	for _, es := range e.ests {
		es.f(s, out[es.off:es.off+es.dim])
	}
}

// run computes point estimates and percentile intervals, then the fills.
//
// Resamples are processed in blocks: each question's sparse vector is read once
// per block and added to every resample of the block that drew it, so the
// per-question data stays in cache while the block's sums do too.
func (e *engine) run() {
	e.point = make([]float64, e.nstat)
	e.eval(e.full, e.point)
	e.lo = make([]float64, e.nstat)
	e.hi = make([]float64, e.nstat)
	for i := range e.lo {
		e.lo[i], e.hi[i] = math.NaN(), math.NaN()
	}
	B, Q := e.opt.Bootstrap, len(e.qids)
	if B > 0 && Q > 0 && e.nstat > 0 {
		res := make([]float64, B*e.nstat)
		block := max(1, min(32, (256<<10)/(8*max(e.ncol, 1))))
		nblocks := (B + block - 1) / block
		var wg sync.WaitGroup
		W := min(e.opt.Workers, nblocks)
		for w := range W {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sums := make([]float64, block*e.ncol)
				cnt := make([]int32, block*Q)
				for bl := w; bl < nblocks; bl += W {
					b0, b1 := bl*block, min(B, (bl+1)*block)
					k := b1 - b0
					clear(cnt)
					clear(sums)
					for i := range k {
						rng := rand.New(rand.NewPCG(e.opt.Seed, uint64(b0+i)))
						c := cnt[i*Q : (i+1)*Q]
						for range Q {
							c[rng.IntN(Q)]++
						}
					}
					for q := range Q {
						cols, vals := e.col[e.ptr[q]:e.ptr[q+1]], e.val[e.ptr[q]:e.ptr[q+1]]
						for i := range k {
							n := cnt[i*Q+q]
							if n == 0 {
								continue
							}
							wf := float32(n)
							s := sums[i*e.ncol : (i+1)*e.ncol]
							for j, c := range cols {
								s[c] += float64(wf * vals[j])
							}
						}
					}
					for i := range k {
						e.eval(sums[i*e.ncol:(i+1)*e.ncol], res[(b0+i)*e.nstat:(b0+i+1)*e.nstat])
					}
				}
			}()
		}
		wg.Wait()
		alpha := (1 - e.opt.Confidence) / 2
		buf := make([]float64, 0, B)
		for i := range e.nstat {
			buf = buf[:0]
			for b := range B {
				if x := res[b*e.nstat+i]; !math.IsNaN(x) && !math.IsInf(x, 0) {
					buf = append(buf, x)
				}
			}
			if len(buf) == 0 {
				continue
			}
			slices.Sort(buf)
			e.lo[i], e.hi[i] = percentile(buf, alpha), percentile(buf, 1-alpha)
		}
	}
	for _, f := range e.fills {
		f()
	}
}
