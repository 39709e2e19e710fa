package audit

import (
	"fmt"
	"math"
	"slices"
)

// Compute builds the report from human votes and judge verdicts (already
// restricted to the judges wanted; votes are restricted to opt.Humans and both to
// opt.Turn here). It never fails: what cannot be computed is null with a warning.
func Compute(votes []HumanVote, verdicts []JudgeVerdict, opt Options) *Report {
	opt = opt.withDefaults()
	e := newEngine(votes, verdicts, opt)
	e.layout()
	e.fitRegressions()
	e.contributions()
	r := e.assemble()
	e.run()
	r.Warnings = append(r.Warnings, e.warnings...)
	addJudgeExtras(r, votes, verdicts, opt)
	return r
}

func (e *engine) interval(id int) *Interval {
	if math.IsNaN(e.lo[id]) {
		return nil
	}
	return &Interval{Num(e.lo[id]), Num(e.hi[id])}
}

func (e *engine) count(c int) int { return int(math.Round(e.full[c])) }

func (e *engine) estimate(id int) *Estimate {
	x := &Estimate{}
	e.later(func() { *x = Estimate{Value: Num(e.point[id]), CI: e.interval(id)} })
	return x
}

// smallNote records a small-sample or empty-sample warning in section sec
// when ctx is not empty.
func (e *engine) smallNote(sec, ctx string, n int) bool {
	small := n < e.opt.MinSample
	if ctx != "" {
		switch {
		case n == 0:
			e.warnf(sec, "%s: no observations", ctx)
		case small:
			e.warnf(sec, "%s: small sample (n=%d < %d)", ctx, n, e.opt.MinSample)
		}
	}
	return small
}

func (e *engine) ratioStat(k, n int) int {
	return e.stat(1, func(s, out []float64) { out[0] = Ratio(s[k], s[n]) })
}

func (e *engine) rate(k, n int, sec, ctx string) *Rate {
	id := e.ratioStat(k, n)
	r := &Rate{}
	e.later(func() {
		*r = Rate{Agree: e.count(k), N: e.count(n), Rate: Num(e.point[id]), CI: e.interval(id)}
		r.SmallSample = e.smallNote(sec, ctx, r.N)
	})
	return r
}

func (e *engine) share(k, n int, sec, ctx string) *Share {
	id := e.ratioStat(k, n)
	r := &Share{}
	e.later(func() {
		*r = Share{Count: e.count(k), N: e.count(n), Rate: Num(e.point[id]), CI: e.interval(id)}
		r.SmallSample = e.smallNote(sec, ctx, r.N)
	})
	return r
}

func (e *engine) humansName() string {
	if e.opt.Humans == "" {
		return "all"
	}
	return e.opt.Humans
}

// agreementPart registers the figures of scope s for judge j (j < 0: humans).
func (e *engine) agreementPart(j, s int, ctx string) *AgreementPart {
	p := &AgreementPart{}
	if j < 0 {
		o := e.hh(s)
		p.WithTies = e.rate(o+hhWtA, o+hhWtN, SectionAgreement, ctxf(ctx, "with ties"))
		p.WithoutTies = e.rate(o+hhNtA, o+hhNtN, SectionAgreement, ctxf(ctx, "without ties"))
		p.Kappa = e.estimate(e.stat(1, func(s, out []float64) {
			n := s[o+hhWtN]
			pool := []float64{s[o+hhPA], s[o+hhPB], 2*n - s[o+hhPA] - s[o+hhPB]}
			out[0] = kappa(2*n, 2*s[o+hhWtA], pool, pool)
		}))
		p.Alpha = e.estimate(e.stat(1, func(s, out []float64) {
			aa, bb, tt, ab, at, bt := s[o+hhOAA], s[o+hhOBB], s[o+hhOTT], s[o+hhOAB], s[o+hhOAT], s[o+hhOBT]
			out[0] = alphaFromCoincidence([][]float64{{aa, ab, at}, {ab, bb, bt}, {at, bt, tt}})
		}))
		return p
	}
	o := e.jh(j, s)
	p.WithTies = e.rate(o+jhWtA, o+jhWtN, SectionAgreement, ctxf(ctx, "with ties"))
	p.WithoutTies = e.rate(o+jhNtA, o+jhNtN, SectionAgreement, ctxf(ctx, "without ties"))
	p.Kappa = e.estimate(e.stat(1, func(s, out []float64) {
		n := s[o+jhWtN]
		x := []float64{s[o+jhJA], s[o+jhJB], n - s[o+jhJA] - s[o+jhJB]}
		y := []float64{s[o+jhHA], s[o+jhHB], n - s[o+jhHA] - s[o+jhHB]}
		out[0] = kappa(n, s[o+jhWtA], x, y)
	}))
	id := e.ratioStat(o+jhPlS, o+jhPlN)
	sc := &Score{}
	e.later(func() {
		*sc = Score{Score: Num(e.full[o+jhPlS]), N: e.count(o + jhPlN), Rate: Num(e.point[id]), CI: e.interval(id)}
		sc.SmallSample = e.smallNote(SectionAgreement, ctxf(ctx, "plurality"), sc.N)
	})
	p.Plurality = sc
	return p
}

func ctxf(ctx, what string) string {
	if ctx == "" {
		return ""
	}
	return ctx + ", " + what
}

func (e *engine) pairNames(p int) *[2]string {
	return &[2]string{e.models[e.pairs[p][0]], e.models[e.pairs[p][1]]}
}

func (e *engine) positionCounts(j, s int, ctx string) *PositionCounts {
	o := e.pos(j, s)
	pc := &PositionCounts{
		ConsistentRate: e.estimate(e.ratioStat(o+posCons, o+posUnits)),
		FirstRate:      e.estimate(e.ratioStat(o+posFirst, o+posUnits)),
		SecondRate:     e.estimate(e.ratioStat(o+posSecond, o+posUnits)),
	}
	pf := e.stat(1, func(s, out []float64) {
		out[0] = PreferenceFairness(s[o+posFirst], s[o+posSecond], s[o+posUnits]-s[o+posErr])
	})
	inc := e.stat(1, func(s, out []float64) {
		out[0] = Ratio(s[o+posCoIncons], s[o+posCoUnits]-s[o+posCoErr])
	})
	e.later(func() {
		pc.Units, pc.Consistent, pc.First, pc.Second, pc.Error = e.count(o+posUnits), e.count(o+posCons), e.count(o+posFirst), e.count(o+posSecond), e.count(o+posErr)
		pc.PreferenceFairness, pc.PreferenceFairnessCI = Num(e.point[pf]), e.interval(pf)
		if pc.Units > 0 {
			e.smallNote(SectionPosition, ctx, pc.Units)
		}
		if n := e.count(o + posCoUnits); n > 0 {
			pc.CombinedOnly = &Inconsistency{Units: n, Inconsistent: e.count(o + posCoIncons), Error: e.count(o + posCoErr), Rate: Num(e.point[inc]), CI: e.interval(inc)}
		}
	})
	return pc
}

// winStats computes per-model win rates (first m values) and BT ratings (next m)
// from the pair columns at offset off (A wins, B wins, ties) of each pair.
func (e *engine) winStats(s []float64, off int, out []float64, w []float64) {
	m := len(e.models)
	clear(w)
	wins, n := out[:m], out[m:2*m]
	clear(wins)
	clear(n)
	for p, pr := range e.pairs {
		o := e.mod(p) + off
		a, b, t := s[o], s[o+1], s[o+2]
		i, k := int(pr[0]), int(pr[1])
		w[i*m+k] += a + t/2
		w[k*m+i] += b + t/2
		wins[i] += a + t/2
		wins[k] += b + t/2
		n[i] += a + b + t
		n[k] += a + b + t
	}
	for i := range m {
		wins[i] = Ratio(wins[i], n[i])
	}
	copy(out[m:2*m], bradleyTerry(w, m, make([]float64, 3*m)))
}

func (e *engine) assemble() *Report {
	J, T := len(e.judges), len(e.turns)
	r := &Report{
		SchemaVersion: SchemaVersion,
		Humans:        e.humansName(),
		Judges:        append([]string{}, e.judges...),
		Bootstrap:     e.opt.Bootstrap,
		Seed:          e.opt.Seed,
		Confidence:    e.opt.Confidence,
		// Every list starts empty, so that JSON (and the window) gets [] and never null.
		Agreement:    []*Agreement{},
		PositionBias: PositionBias{Judges: make([]*JudgePosition, 0, J)},
		LengthBias:   make([]*LengthBias, 0, J),
		Models: Models{Sources: make([]*ModelSource, 0, J+1), KendallTauB: make([]*RankAgreement, 0, J),
			SelfPreference: []*SelfPreference{}},
		CloseCalls: []*CloseCall{},
		Annotators: make([]*Annotator, 0, len(e.anns)),
		Warnings:   []Warning{},
	}
	if e.opt.Turn != 0 {
		t := e.opt.Turn
		r.Turn = &t
	}
	r.Totals = Totals{Questions: len(e.qids), Units: len(e.units), Votes: len(e.votes), Annotators: len(e.anns),
		Verdicts: map[string]int{}, JudgeErrors: map[string]int{}, ExcludedHumanVotes: e.humanSkipped}
	for j, name := range e.judges {
		r.Totals.Verdicts[name] = e.verdictCount[j]
		r.Totals.JudgeErrors[name] = e.judgeErrors[j]
		if e.judgeErrors[j] > 0 {
			e.warnf(SectionAgreement, "%s: %d verdicts were errors, excluded from agreement", name, e.judgeErrors[j])
		}
	}
	if len(e.votes) == 0 {
		e.warnf(SectionGeneral, "no human votes: agreement, length bias and human rankings are empty")
	}
	if J == 0 {
		e.warnf(SectionGeneral, "no judge verdicts: only human figures are reported")
	}

	// Agreement: judges first, then humans vs humans; per turn then all turns.
	sides := make([]int, 0, J+1)
	for j := range J {
		sides = append(sides, j)
	}
	sides = append(sides, -1)
	var smallParts int
	for _, j := range sides {
		name := "human"
		if j >= 0 {
			name = e.judges[j]
		}
		scopes := []int{}
		if e.opt.Turn == 0 && T > 1 {
			for ti := range T {
				scopes = append(scopes, ti)
			}
		}
		scopes = append(scopes, e.sAll())
		for _, s := range scopes {
			a := &Agreement{A: name, B: "human", Humans: e.humansName()}
			turnLabel := "all turns"
			if s < T && T > 1 {
				t := e.turns[s]
				a.Turn = &t
				turnLabel = fmt.Sprintf("turn %d", t)
			} else if e.opt.Turn != 0 {
				t := e.opt.Turn
				a.Turn = &t
				turnLabel = fmt.Sprintf("turn %d", t)
			}
			ctx := fmt.Sprintf("%s vs human (%s), %s", name, e.humansName(), turnLabel)
			a.AgreementPart = e.agreementPart(j, s, ctx)
			if s == e.sAll() {
				for c := range e.cats {
					p := e.agreementPart(j, e.sCat(c), "")
					p.Category = e.cats[c]
					a.ByCategory = append(a.ByCategory, p)
				}
				for pi := range e.pairs {
					p := e.agreementPart(j, e.sPair(pi), "")
					p.Pair = e.pairNames(pi)
					a.ByPair = append(a.ByPair, p)
				}
				e.later(func() {
					for _, p := range append(slices.Clone(a.ByCategory), a.ByPair...) {
						if p.WithTies.SmallSample {
							smallParts++
						}
					}
				})
			}
			r.Agreement = append(r.Agreement, a)
		}
	}
	e.later(func() {
		if smallParts > 0 {
			e.warnf(SectionAgreement, "%d per-category or per-pair agreement figures rest on fewer than %d comparisons", smallParts, e.opt.MinSample)
		}
	})

	// Position bias.
	for j := range J {
		jp := &JudgePosition{Judge: e.judges[j]}
		jp.PositionCounts = e.positionCounts(j, 0, e.judges[j]+" position bias")
		for c := range e.cats {
			p := e.positionCounts(j, e.psCat(c), "")
			p.Category = e.cats[c]
			jp.ByCategory = append(jp.ByCategory, p)
		}
		for pi := range e.pairs {
			p := e.positionCounts(j, e.psPair(pi), "")
			p.Pair = e.pairNames(pi)
			jp.ByPair = append(jp.ByPair, p)
		}
		r.PositionBias.Judges = append(r.PositionBias.Judges, jp)
		e.later(func() {
			if jp.Units == 0 && jp.CombinedOnly != nil {
				e.warnf(SectionPosition, "%s: no unit was judged in both orders; only the inconsistency rate of combined verdicts is reported", jp.Judge)
			}
		})
	}
	r.PositionBias.Humans = e.leftBias(-1)
	if r.PositionBias.Humans.NonTieVotes == 0 && len(e.votes) > 0 {
		e.warnf(SectionPosition, "no vote records which model was shown on the left: human left bias is unknown")
	}

	e.assembleLength(r)
	e.assembleModels(r)
	e.assembleAnnotators(r)
	return r
}

// leftBias tallies P(left wins) for annotator a, or for everyone when a < 0.
func (e *engine) leftBias(a int32) *LeftBias {
	if e.left == nil {
		e.left = make([][3]int, len(e.anns)+1) // non-tie, left wins, unknown; last = all
		for i := range e.votes {
			v := &e.votes[i]
			for _, k := range [2]int{int(v.ann), len(e.anns)} {
				switch {
				case v.left < 0:
					e.left[k][2]++
				case v.cls != clsT:
					e.left[k][0]++
					if v.cls == v.left {
						e.left[k][1]++
					}
				}
			}
		}
	}
	k := int(a)
	if a < 0 {
		k = len(e.anns)
	}
	t := e.left[k]
	lb := &LeftBias{NonTieVotes: t[0], LeftWins: t[1], UnknownLeft: t[2]}
	lb.Rate = Num(Ratio(float64(lb.LeftWins), float64(lb.NonTieVotes)))
	if lb.NonTieVotes > 0 {
		lo, hi := Wilson(lb.LeftWins, lb.NonTieVotes, e.z)
		lb.CI = &Interval{Num(lo), Num(hi)}
	}
	return lb
}

func (e *engine) assembleLength(r *Report) {
	unknown := 0
	for i := range e.units {
		if !e.lengthsKnown(&e.units[i]) {
			unknown++
		}
	}
	if unknown > 0 && len(e.judges) > 0 {
		e.warnf(SectionLength, "%d of %d units lack answer lengths and are left out of the length analysis", unknown, len(e.units))
	}
	for j, name := range e.judges {
		lb := &LengthBias{Judge: name, Margin: e.opt.LengthMargin, Unknown: unknown}
		mk := func(b int, ctx string) (*Share, *Share, *Estimate) {
			o := e.lenc(j, b)
			js := e.share(o+lenJudgeLonger, o+lenJudgeN, SectionLength, ctxf(ctx, "judge"))
			hs := e.share(o+lenHumansLonger, o+lenHumansN, SectionLength, "")
			ex := e.estimate(e.stat(1, func(s, out []float64) {
				out[0] = Ratio(s[o+lenJudgeLonger], s[o+lenJudgeN]) - Ratio(s[o+lenHumansLonger], s[o+lenHumansN])
			}))
			return js, hs, ex
		}
		lb.JudgeRate, lb.HumanRate, lb.Excess = mk(0, name+" length bias")
		lo := 0.0
		for b, hi := range lengthBuckets {
			bk := &LengthBucket{LogRatioMin: Num(lo), LogRatioMax: Num(hi)}
			bk.JudgeRate, bk.HumanRate, bk.Excess = mk(1+b, "")
			lb.Curve = append(lb.Curve, bk)
			lo = hi
		}
		reg := &LengthRegression{Rows: e.regRows[j], SD: Num(e.sd[j]), IntervalMethod: "one-step Newton bootstrap"}
		if beta := e.beta[j]; beta != nil {
			o := e.reg(j)
			reg.Intercept = Num(beta[0])
			id := e.stat(2, func(s, out []float64) {
				g, h := o+regGrad, o+regHess
				step, ok := solveSym([]float64{
					s[h+0], s[h+1], s[h+2],
					0, s[h+3], s[h+4],
					0, 0, s[h+5],
				}, s[g:g+3])
				if !ok {
					out[0], out[1] = math.NaN(), math.NaN()
					return
				}
				out[0], out[1] = beta[1]+step[1], beta[2]+step[2]
			})
			reg.Length, reg.Plurality = e.estimate(id), e.estimate(id+1)
			if e.regRows[j] < e.opt.MinSample {
				e.warnf(SectionLength, "%s length regression: small sample (n=%d < %d)", name, e.regRows[j], e.opt.MinSample)
			}
			lb.Regression = reg
		} else if e.regRows[j] > 0 {
			e.warnf(SectionLength, "%s length regression: no finite fit on %d rows", name, e.regRows[j])
		}
		r.LengthBias = append(r.LengthBias, lb)
	}
}

func (e *engine) assembleModels(r *Report) {
	m := len(e.models)
	J := len(e.judges)
	r.Models.Names = append([]string{}, e.models...)
	source := func(name string, off int) int {
		ms := &ModelSource{Source: name, Models: make([]*ModelStat, 0, m)}
		id := e.stat(2*m, func(s, out []float64) { e.winStats(s, off, out, make([]float64, m*m)) })
		for i, model := range e.models {
			st := &ModelStat{Model: model, WinRate: e.estimate(id + i), Rating: e.estimate(id + m + i)}
			ms.Models = append(ms.Models, st)
		}
		e.later(func() {
			for i, st := range ms.Models {
				for p, pr := range e.pairs {
					o := e.mod(p) + off
					a, b, t := e.count(o), e.count(o+1), e.count(o+2)
					switch i {
					case int(pr[0]):
						st.Wins, st.Losses, st.Ties = st.Wins+a, st.Losses+b, st.Ties+t
					case int(pr[1]):
						st.Wins, st.Losses, st.Ties = st.Wins+b, st.Losses+a, st.Ties+t
					}
				}
			}
			for _, st := range ms.Models {
				st.Rank = 1
				for _, o := range ms.Models {
					if o.Rating.Value.Valid() && st.Rating.Value.Valid() && o.Rating.Value > st.Rating.Value {
						st.Rank++
					}
				}
				if !st.Rating.Value.Valid() {
					st.Rank = 0
				}
			}
		})
		r.Models.Sources = append(r.Models.Sources, ms)
		return id
	}
	source("human", modHuman)
	for j, name := range e.judges {
		off := modJudge(j)
		source(name, off)
		if len(e.votes) > 0 {
			tau := e.stat(1, func(s, out []float64) {
				w := make([]float64, m*m)
				h := make([]float64, 2*m)
				g := make([]float64, 2*m)
				e.winStats(s, 0, h, w)
				e.winStats(s, off, g, w)
				out[0] = KendallTauB(h[m:], g[m:])
			})
			r.Models.KendallTauB = append(r.Models.KendallTauB, &RankAgreement{Judge: name, Tau: e.estimate(tau)})
		}
		// Self-preference on shared units.
		sp := e.stat(3*m, func(s, out []float64) {
			w := make([]float64, m*m)
			h := make([]float64, 2*m)
			g := make([]float64, 2*m)
			e.winStats(s, off+mjHumans, h, w)
			e.winStats(s, off+mjShared, g, w)
			for i := range m {
				out[i] = g[i] - h[i]
				out[m+i] = g[i]
				out[2*m+i] = h[i]
			}
		})
		for i, model := range e.models {
			x := &SelfPreference{Judge: name, Model: model, Difference: e.estimate(sp + i)}
			e.later(func() {
				x.JudgeWinRate, x.HumanWinRate = Num(e.point[sp+m+i]), Num(e.point[sp+2*m+i])
				for p, pr := range e.pairs {
					if int(pr[0]) == i || int(pr[1]) == i {
						o := e.mod(p) + off
						x.JudgeN += e.count(o+mjShared) + e.count(o+mjShared+1) + e.count(o+mjShared+2)
						x.HumanN += e.count(o+mjHumans) + e.count(o+mjHumans+1) + e.count(o+mjHumans+2)
					}
				}
			})
			r.Models.SelfPreference = append(r.Models.SelfPreference, x)
		}
	}

	// Close calls, per judge (or from humans alone without a judge).
	jlist := make([]int, 0, J)
	for j := range J {
		jlist = append(jlist, j)
	}
	if J == 0 {
		jlist = append(jlist, -1)
	}
	calls := []*CloseCall{}
	for _, j := range jlist {
		for p := range e.pairs {
			o := e.mod(p)
			hid := e.stat(1, func(s, out []float64) { out[0] = Ratio(s[o]+s[o+2]/2, s[o]+s[o+1]+s[o+2]) })
			cc := &CloseCall{Pair: *e.pairNames(p), HumanWinRate: e.estimate(hid)}
			var jid int
			if j >= 0 {
				cc.Judge = e.judges[j]
				jo := o + modJudge(j)
				jid = e.stat(1, func(s, out []float64) { out[0] = Ratio(s[jo]+s[jo+2]/2, s[jo]+s[jo+1]+s[jo+2]) })
				cc.JudgeWinRate = e.estimate(jid)
				po := e.pos(j, e.psPair(p))
				cid := e.stat(1, func(s, out []float64) {
					if s[po+posUnits] > 0 {
						out[0] = Ratio(s[po+posCons], s[po+posUnits])
					} else {
						out[0] = 1 - Ratio(s[po+posCoIncons], s[po+posCoUnits]-s[po+posCoErr])
					}
				})
				cc.JudgeConsistency = &Share{}
				e.later(func() {
					n, k := e.count(po+posUnits), e.count(po+posCons)
					if n == 0 {
						n = e.count(po+posCoUnits) - e.count(po+posCoErr)
						k = n - e.count(po+posCoIncons)
					}
					*cc.JudgeConsistency = Share{Count: k, N: n, Rate: Num(e.point[cid]), CI: e.interval(cid), SmallSample: n < e.opt.MinSample}
				})
			}
			e.later(func() {
				cc.Votes = e.count(o) + e.count(o+1) + e.count(o+2)
				if cc.Votes == 0 {
					return
				}
				hp := e.point[hid]
				ci := cc.HumanWinRate.CI
				if ci != nil && float64(ci[0]) <= 0.5 && float64(ci[1]) >= 0.5 {
					cc.Reasons = append(cc.Reasons, "human interval includes 0.5")
				}
				if j >= 0 {
					jo := o + modJudge(j)
					cc.JudgeVerdicts = e.count(jo) + e.count(jo+1) + e.count(jo+2)
					jp := e.point[jid]
					if cc.JudgeVerdicts > 0 && ((hp > 0.5 && jp < 0.5) || (hp < 0.5 && jp > 0.5) || (hp == 0.5) != (jp == 0.5)) {
						cc.Reasons = append(cc.Reasons, "judge and humans disagree")
					}
				}
				if len(cc.Reasons) == 0 {
					return
				}
				need := VotesNeeded(hp, e.z)
				cc.VotesNeeded = Num(need)
				if !math.IsInf(need, 0) {
					f := max(0, int(math.Ceil(need))-cc.Votes)
					cc.FurtherVotes = &f
				}
				calls = append(calls, cc)
			})
		}
	}
	e.later(func() {
		slices.SortStableFunc(calls, func(a, b *CloseCall) int {
			da, db := math.Abs(float64(a.HumanWinRate.Value)-0.5), math.Abs(float64(b.HumanWinRate.Value)-0.5)
			switch {
			case da < db:
				return -1
			case da > db:
				return 1
			}
			return 0
		})
		r.CloseCalls = calls
	})
}

func (e *engine) assembleAnnotators(r *Report) {
	times := make([][]float64, len(e.anns))
	nvotes := make([]int, len(e.anns))
	for _, v := range e.votes {
		nvotes[v.ann]++
		if v.time > 0 {
			times[v.ann] = append(times[v.ann], float64(v.time))
		}
	}
	for a, name := range e.anns {
		o := e.ann(a)
		an := &Annotator{Name: name, Group: e.annGroup[a], Votes: nvotes[a], MedianTimeMS: Num(median(times[a])),
			Agreement:   e.rate(o+annWtA, o+annWtN, SectionAnnotators, ""),
			AgreementNT: e.rate(o+annNtA, o+annNtN, SectionAnnotators, ""),
		}
		an.Left = e.leftBias(int32(a))
		r.Annotators = append(r.Annotators, an)
	}
}
