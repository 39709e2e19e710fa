package audit

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// ScoresSection is the report's single-answer part: per judge with ratings,
// the MT-Bench leaderboard and what it can and cannot tell apart, and how its
// ratings, read as pairwise verdicts, agree with humans and with the pairwise
// judge of the same name.
type ScoresSection struct {
	Scope  string         `json:"scope"`
	Judges []*JudgeScores `json:"judges"`
}

// JudgeScores is one judge's single-answer figures.
type JudgeScores struct {
	Judge        string             `json:"judge"`
	Ratings      int                `json:"ratings"`
	Errors       int                `json:"errors"`
	Categories   []string           `json:"categories"`
	Leaderboard  []*ScoreRow        `json:"leaderboard"`
	Separability []string           `json:"separability"`
	Differences  []*ScoreDiff       `json:"differences"`
	Histograms   []*ScoreHistogram  `json:"histograms"`
	Agreement    []*RatingAgreement `json:"agreement"`
	CloseCalls   []*ModeCloseCall   `json:"close_calls"`
	Style        *ScoreStyle        `json:"style"` // null without answer texts or when the fit fails
}

// ScoreStat is a mean rating with its interval.
type ScoreStat struct {
	N    int       `json:"n"`
	Mean Num       `json:"mean"`
	CI   *Interval `json:"ci"`
}

// ScoreRow is one model's line of the leaderboard, best score first.
// SeparableFromNext says whether the difference to the next row's score
// excludes 0 (nil on the last row).
type ScoreRow struct {
	Rank              int              `json:"rank"`
	Model             string           `json:"model"`
	Score             ScoreStat        `json:"score"`
	ByTurn            []*TurnScore     `json:"by_turn"`
	ByCategory        []*CategoryScore `json:"by_category"`
	SeparableFromNext *bool            `json:"separable_from_next"`
}

// TurnScore is a model's mean rating on one turn.
type TurnScore struct {
	Turn int `json:"turn"`
	ScoreStat
}

// CategoryScore is a model's mean rating over one category's questions.
type CategoryScore struct {
	Category string `json:"category"`
	ScoreStat
}

// ScoreDiff is score(A) - score(B), A ranked above B, with its paired interval.
type ScoreDiff struct {
	A         string    `json:"a"`
	B         string    `json:"b"`
	Diff      Num       `json:"diff"`
	CI        *Interval `json:"ci"`
	Separable bool      `json:"separable"`
}

// ScoreHistogram counts a model's ratings: Counts[k-1] holds the ratings s
// with k <= s < k+1 (k = 1..9), Counts[9] the 10s.
type ScoreHistogram struct {
	Model  string `json:"model"`
	Counts []int  `json:"counts"`
}

// RatingAgreement is the agreement of the ratings read as pairwise verdicts
// with Versus ("human" or the pairwise judge of the same name) on one turn,
// counted as STATS.md section 2 (one comparison per human vote; one per unit
// against a judge).
type RatingAgreement struct {
	Versus      string `json:"versus"`
	Turn        int    `json:"turn"`
	WithTies    *Rate  `json:"with_ties"`
	WithoutTies *Rate  `json:"without_ties"`
}

// ModeCloseCall sets a model pair's three readings side by side: the score
// difference (A minus B), the pairwise judge's and the humans' win rate of A
// (ties half), and Status: "all agree" (all three exclude no difference and
// point the same way), "modes disagree" (two point opposite ways) or
// "uncertain". Pairs that are not "all agree" carry the human votes that
// would make the humans' interval exclude 0.5 (VotesNeeded), as close calls do.
type ModeCloseCall struct {
	Pair          [2]string `json:"pair"`
	ScoreDiff     *Estimate `json:"score_diff"`
	JudgeVerdicts int       `json:"judge_verdicts"`
	JudgeWinRate  *Estimate `json:"judge_win_rate"`
	Votes         int       `json:"votes"`
	HumanWinRate  *Estimate `json:"human_win_rate"`
	Status        string    `json:"status"`
	VotesNeeded   *Num      `json:"votes_needed,omitempty"`
	FurtherVotes  *int      `json:"further_votes,omitempty"`
}

// Close-call statuses.
const (
	ModesAgree     = "all agree"
	ModesDisagree  = "modes disagree"
	ModesUncertain = "uncertain"
)

// ComputeScores builds the Scores section from single ratings, human votes
// and pairwise verdicts: for each judge with ratings, MTBenchScores (the
// leaderboard with question-bootstrap intervals and paired differences),
// the score histograms, and RatingVerdicts compared with the human votes of
// opt.Humans and with the judge's own pairwise verdicts, per turn, on the
// units both have (so only models with ratings and votes take part), and the
// close calls across modes. opt.Turn restricts the agreement and close calls
// to one turn; the leaderboard always shows both turns. It returns nil when
// there are no ratings.
func ComputeScores(ratings []Rating, votes []HumanVote, verdicts []JudgeVerdict, opt Options) *ScoresSection {
	if len(ratings) == 0 {
		return nil
	}
	opt = opt.withDefaults()
	sc := MTBenchScores(ratings, opt)
	out := &ScoresSection{Judges: []*JudgeScores{}}
	rated := map[string]bool{}
	for _, r := range ratings {
		rated[r.Model] = true
	}
	voted := map[string]bool{}
	for i := range votes {
		if keepVote(&votes[i], opt) {
			voted[votes[i].ModelA], voted[votes[i].ModelB] = true, true
		}
	}
	var both, onlyVoted []string
	for _, m := range sortedKeys(voted) {
		if rated[m] {
			both = append(both, m)
		} else {
			onlyVoted = append(onlyVoted, m)
		}
	}
	out.Scope = fmt.Sprintf("Single-answer ratings of %d models (%s). Agreement with humans and the close calls use only the %d models with both ratings and human votes",
		len(rated), strings.Join(sortedKeys(rated), ", "), len(both))
	if len(both) > 0 {
		out.Scope += " (" + strings.Join(both, ", ") + ")"
	}
	if len(onlyVoted) > 0 {
		out.Scope += "; models with votes but no ratings are left out: " + strings.Join(onlyVoted, ", ")
	}
	out.Scope += "."
	judges := map[string]bool{}
	for _, r := range ratings {
		judges[r.Judge] = true
	}
	for _, j := range sortedKeys(judges) {
		out.Judges = append(out.Judges, judgeScores(j, sc, ratings, votes, verdicts, opt))
	}
	return out
}

func scoreStat(m ScoreMean) ScoreStat { return ScoreStat{N: m.N, Mean: m.Mean, CI: m.CI} }

// judgeScores assembles one judge's part.
func judgeScores(judge string, sc *Scores, ratings []Rating, votes []HumanVote, verdicts []JudgeVerdict, opt Options) *JudgeScores {
	js := &JudgeScores{Judge: judge, Errors: sc.Errors[judge], Categories: []string{}, Leaderboard: []*ScoreRow{},
		Separability: []string{}, Differences: []*ScoreDiff{}, Histograms: []*ScoreHistogram{}}
	var mine []Rating
	for _, r := range ratings {
		if r.Judge == judge {
			mine = append(mine, r)
		}
	}
	js.Ratings = len(mine)
	cats := map[string]bool{}
	for _, m := range sc.Models {
		if m.Judge != judge {
			continue
		}
		row := &ScoreRow{Model: m.Model, Score: scoreStat(m.All), ByTurn: []*TurnScore{}, ByCategory: []*CategoryScore{}}
		for _, t := range m.ByTurn {
			row.ByTurn = append(row.ByTurn, &TurnScore{Turn: t.Turn, ScoreStat: scoreStat(t.ScoreMean)})
		}
		for _, c := range m.ByCategory {
			cats[c.Category] = true
			row.ByCategory = append(row.ByCategory, &CategoryScore{Category: c.Category, ScoreStat: scoreStat(c.ScoreMean)})
		}
		js.Leaderboard = append(js.Leaderboard, row)
	}
	js.Categories = sortedKeys(cats)
	slices.SortStableFunc(js.Leaderboard, func(a, b *ScoreRow) int {
		x, y := float64(a.Score.Mean), float64(b.Score.Mean)
		switch {
		case x > y || (!math.IsNaN(x) && math.IsNaN(y)):
			return -1
		case x < y || (math.IsNaN(x) && !math.IsNaN(y)):
			return 1
		}
		return strings.Compare(a.Model, b.Model)
	})
	rank := map[string]int{}
	for i, row := range js.Leaderboard {
		row.Rank = i + 1
		rank[row.Model] = i
	}
	diffs := map[[2]string]*ScoreDiff{}
	for _, d := range sc.Differences {
		if d.Judge != judge {
			continue
		}
		x := &ScoreDiff{A: d.A, B: d.B, Diff: d.Diff, CI: d.CI, Separable: d.Separable}
		if rank[d.A] > rank[d.B] { // A ranked above B
			x.A, x.B, x.Diff = d.B, d.A, -d.Diff
			if d.CI != nil {
				x.CI = &Interval{-d.CI[1], -d.CI[0]}
			}
		}
		diffs[[2]string{x.A, x.B}] = x
		js.Differences = append(js.Differences, x)
	}
	slices.SortStableFunc(js.Differences, func(a, b *ScoreDiff) int {
		if c := rank[a.A] - rank[b.A]; c != 0 {
			return c
		}
		return rank[a.B] - rank[b.B]
	})
	for i := 0; i+1 < len(js.Leaderboard); i++ {
		a, b := js.Leaderboard[i], js.Leaderboard[i+1]
		d := diffs[[2]string{a.Model, b.Model}]
		if d == nil {
			continue
		}
		sep := d.Separable
		a.SeparableFromNext = &sep
		if !sep {
			js.Separability = append(js.Separability, fmt.Sprintf("%s (#%d) and %s (#%d) are not separable: the difference %s has an interval that includes 0.",
				a.Model, a.Rank, b.Model, b.Rank, fmtSigned(d.Diff)+intervalText(d.CI)))
		}
	}
	if len(js.Separability) == 0 && len(js.Leaderboard) > 1 {
		js.Separability = append(js.Separability, "Every adjacent pair of the leaderboard is separable.")
	}
	hist := map[string][]int{}
	for _, r := range mine {
		if r.isError() {
			continue
		}
		h := hist[r.Model]
		if h == nil {
			h = make([]int, 10)
			hist[r.Model] = h
		}
		h[min(9, max(0, int(math.Floor(r.Score))-1))]++
	}
	for _, row := range js.Leaderboard {
		if h := hist[row.Model]; h != nil {
			js.Histograms = append(js.Histograms, &ScoreHistogram{Model: row.Model, Counts: h})
		}
	}
	if js.Style = StyleRegression(mine, opt); js.Style != nil {
		js.Style.Preference = PreferenceStyles(judge, mine, votes, verdicts, opt)
		if js.Style.Preference == nil {
			js.Style.Preference = []*PreferenceStyle{}
		}
	}
	single, _ := RatingVerdicts(mine)
	js.Agreement, js.CloseCalls = modeComparisons(judge, single, votes, verdicts, diffs, opt)
	return js
}

func fmtSigned(n Num) string { return fmt.Sprintf("%+.2f", float64(n)) }

func intervalText(ci *Interval) string {
	if ci == nil {
		return ""
	}
	return fmt.Sprintf(" [%.2f, %.2f]", float64(ci[0]), float64(ci[1]))
}

// modeComparisons counts, per question, the agreement of the rating
// verdicts (single) with the human votes and with the judge's pairwise
// verdicts on each turn, and each model pair's win counts under both, and
// bootstraps them over questions together.
func modeComparisons(judge string, single []JudgeVerdict, votes []HumanVote, verdicts []JudgeVerdict, diffs map[[2]string]*ScoreDiff, opt Options) ([]*RatingAgreement, []*ModeCloseCall) {
	su, _ := judgeUnits(single, judge, opt)
	pu, _ := judgeUnits(verdicts, judge, opt)
	hu := humanUnits(votes, opt)
	rated := map[string]bool{}
	turnSet := map[int]bool{}
	for k := range su {
		rated[k.a], rated[k.b] = true, true
		turnSet[k.t] = true
	}
	turns := make([]int, 0, len(turnSet))
	for t := range turnSet {
		turns = append(turns, t)
	}
	slices.Sort(turns)
	// Close calls: pairs of models that have ratings and human votes.
	voted := map[string]bool{}
	for k := range hu {
		voted[k.a], voted[k.b] = true, true
	}
	var models []string
	for _, m := range sortedKeys(rated) {
		if voted[m] {
			models = append(models, m)
		}
	}
	var pairs [][2]string
	for i, a := range models {
		for _, b := range models[i+1:] {
			pairs = append(pairs, [2]string{a, b})
		}
	}
	pairIdx := map[[2]string]int{}
	for i, p := range pairs {
		pairIdx[p] = i
	}
	turnIdx := map[int]int{}
	for i, t := range turns {
		turnIdx[t] = i
	}
	// Columns: per (versus v in {human, judge}, turn): agree with ties, n
	// with ties, agree without, n without; then per pair: judge A-credit,
	// judge n, human A-credit, human n.
	const agCols, pairCols = 4, 4
	T := len(turns)
	agOff := func(v, t int) int { return (v*T + t) * agCols }
	pOff := 2 * T * agCols
	ncol := pOff + len(pairs)*pairCols
	qIdx := map[int]int{}
	var sums [][]float64
	row := func(q int) []float64 {
		i, ok := qIdx[q]
		if !ok {
			i = len(sums)
			qIdx[q] = i
			sums = append(sums, make([]float64, ncol))
		}
		return sums[i]
	}
	compare := func(s []float64, o int, x, y int8) {
		s[o+1]++
		if x == y {
			s[o]++
		}
		if x != clsT && y != clsT {
			s[o+3]++
			if x == y {
				s[o+2]++
			}
		}
	}
	credit := func(c int8) float64 {
		switch c {
		case clsA:
			return 1
		case clsT:
			return 0.5
		}
		return 0
	}
	for k, v := range su {
		sc := class(v.comb)
		if sc > clsT {
			continue
		}
		t := turnIdx[k.t]
		if hs := hu[k]; len(hs) > 0 {
			s := row(k.q)
			for _, h := range hs {
				compare(s, agOff(0, t), sc, h)
			}
		}
		if pv, ok := pu[k]; ok {
			if pc := class(pv.comb); pc <= clsT {
				compare(row(k.q), agOff(1, t), sc, pc)
			}
		}
	}
	for k, pv := range pu {
		p, ok := pairIdx[[2]string{k.a, k.b}]
		if !ok {
			continue
		}
		if c := class(pv.comb); c <= clsT {
			s := row(k.q)
			s[pOff+p*pairCols] += credit(c)
			s[pOff+p*pairCols+1]++
		}
	}
	for k, hs := range hu {
		p, ok := pairIdx[[2]string{k.a, k.b}]
		if !ok {
			continue
		}
		s := row(k.q)
		for _, h := range hs {
			if h <= clsT {
				s[pOff+p*pairCols+2] += credit(h)
				s[pOff+p*pairCols+3]++
			}
		}
	}
	// Questions in id order, so that the resamples do not depend on map order.
	qids := make([]int, 0, len(qIdx))
	for q := range qIdx {
		qids = append(qids, q)
	}
	slices.Sort(qids)
	ordered := make([][]float64, len(qids))
	for i, q := range qids {
		ordered[i] = sums[qIdx[q]]
	}
	sums = ordered
	Q := len(sums)
	// Statistics: per agreement block, the two rates; per pair, the two win rates.
	nAg := 2 * T
	nstat := nAg*2 + len(pairs)*2
	tot := make([]float64, ncol) // bootstrapQuestions calls eval from one goroutine
	eval := func(w, res []float64) {
		clear(tot)
		for q := range Q {
			if w[q] == 0 {
				continue
			}
			for c, x := range sums[q] {
				tot[c] += w[q] * x
			}
		}
		for b := range nAg {
			o := b * agCols
			res[2*b], res[2*b+1] = Ratio(tot[o], tot[o+1]), Ratio(tot[o+2], tot[o+3])
		}
		for p := range pairs {
			o := pOff + p*pairCols
			res[2*nAg+2*p], res[2*nAg+2*p+1] = Ratio(tot[o], tot[o+1]), Ratio(tot[o+2], tot[o+3])
		}
	}
	ones := make([]float64, Q)
	for q := range ones {
		ones[q] = 1
	}
	point := make([]float64, nstat)
	eval(ones, point)
	full := make([]float64, ncol)
	for _, s := range sums {
		for c, x := range s {
			full[c] += x
		}
	}
	lo, hi := bootstrapQuestions(Q, nstat, opt, eval)
	ci := func(i int) *Interval {
		if lo == nil || math.IsNaN(lo[i]) {
			return nil
		}
		return &Interval{Num(lo[i]), Num(hi[i])}
	}
	rate := func(i, k, n int) *Rate {
		r := &Rate{Agree: int(math.Round(full[k])), N: int(math.Round(full[n])), Rate: Num(point[i]), CI: ci(i)}
		r.SmallSample = r.N < opt.MinSample
		return r
	}
	agreement := []*RatingAgreement{}
	for v, versus := range []string{"human", judge} {
		for t, turn := range turns {
			b := v*T + t
			o := agOff(v, t)
			if full[o+1] == 0 {
				continue
			}
			agreement = append(agreement, &RatingAgreement{Versus: versus, Turn: turn,
				WithTies: rate(2*b, o, o+1), WithoutTies: rate(2*b+1, o+2, o+3)})
		}
	}
	calls := []*ModeCloseCall{}
	for p, pr := range pairs {
		cc := &ModeCloseCall{Pair: pr}
		dir := [3]int{}
		if d := diffs[pr]; d != nil {
			cc.ScoreDiff = &Estimate{Value: d.Diff, CI: d.CI}
		} else if d := diffs[[2]string{pr[1], pr[0]}]; d != nil {
			e := &Estimate{Value: -d.Diff}
			if d.CI != nil {
				e.CI = &Interval{-d.CI[1], -d.CI[0]}
			}
			cc.ScoreDiff = e
		}
		if cc.ScoreDiff != nil {
			dir[0] = direction(cc.ScoreDiff.CI, 0)
		}
		o := pOff + p*pairCols
		cc.JudgeVerdicts, cc.Votes = int(full[o+1]), int(full[o+3])
		if cc.JudgeVerdicts > 0 {
			i := 2*nAg + 2*p
			cc.JudgeWinRate = &Estimate{Value: Num(point[i]), CI: ci(i)}
			dir[1] = direction(cc.JudgeWinRate.CI, 0.5)
		}
		if cc.Votes > 0 {
			i := 2*nAg + 2*p + 1
			cc.HumanWinRate = &Estimate{Value: Num(point[i]), CI: ci(i)}
			dir[2] = direction(cc.HumanWinRate.CI, 0.5)
		}
		cc.Status = ModesUncertain
		switch {
		case dir[0]*dir[1] < 0 || dir[0]*dir[2] < 0 || dir[1]*dir[2] < 0:
			cc.Status = ModesDisagree
		case dir[0] != 0 && dir[0] == dir[1] && dir[1] == dir[2]:
			cc.Status = ModesAgree
		}
		if cc.Status != ModesAgree && cc.Votes > 0 {
			need := VotesNeeded(float64(cc.HumanWinRate.Value), opt.z())
			if !math.IsInf(need, 0) {
				n := Num(need)
				f := max(0, int(math.Ceil(need))-cc.Votes)
				cc.VotesNeeded, cc.FurtherVotes = &n, &f
			}
		}
		calls = append(calls, cc)
	}
	order := map[string]int{ModesDisagree: 0, ModesUncertain: 1, ModesAgree: 2}
	slices.SortStableFunc(calls, func(a, b *ModeCloseCall) int { return order[a.Status] - order[b.Status] })
	return agreement, calls
}

// direction is +1 when the interval lies above ref, -1 below, 0 when it
// holds ref or is missing.
func direction(ci *Interval, ref float64) int {
	switch {
	case ci == nil:
		return 0
	case float64(ci[0]) > ref:
		return 1
	case float64(ci[1]) < ref:
		return -1
	}
	return 0
}
