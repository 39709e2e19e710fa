package audit

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Rating is one judge's single-answer grade (1-10) of one model's answer to
// one turn of a question. A Score that is negative or NaN is an error (FastChat
// writes -1 when the grade could not be parsed): it is excluded and counted.
type Rating struct {
	Judge    string
	Question int
	Category string
	Model    string
	Turn     int
	Score    float64
	Style    *StyleFeatures // of the rated answer, for StyleRegression; nil when unknown
}

func (r *Rating) isError() bool { return math.IsNaN(r.Score) || r.Score < 0 }

// ScoreMean is a mean of ratings with its interval.
type ScoreMean struct {
	N    int       // ratings averaged
	Mean Num       // NaN when N = 0
	CI   *Interval // nil without resamples
}

// TurnMean is a model's mean rating on one turn.
type TurnMean struct {
	Turn int
	ScoreMean
}

// CategoryMean is a model's mean rating over one category's questions.
type CategoryMean struct {
	Category string
	ScoreMean
}

// ModelScore is one model's MT-Bench score under one judge.
type ModelScore struct {
	Judge      string
	Model      string
	All        ScoreMean // every rated turn: the MT-Bench score
	ByTurn     []TurnMean
	ByCategory []CategoryMean
}

// ScoreDifference is the difference of two models' MT-Bench scores under one
// judge, A minus B, with a paired interval; Separable says the interval
// excludes 0.
type ScoreDifference struct {
	Judge     string
	A, B      string
	Diff      Num
	CI        *Interval
	Separable bool
}

// Scores holds the MT-Bench scores of every judge and model, and the pairwise
// differences, models sorted by name within a judge.
type Scores struct {
	Models      []*ModelScore
	Differences []*ScoreDifference
	Errors      map[string]int // per judge, ratings excluded as errors
}

// MTBenchScores computes, per judge and model, the MT-Bench score (FastChat's
// show_result.py) and its per-turn and per-category means:
//
//	score(m) = (1/|R_m|) sum_{r in R_m} s_r,
//
// with R_m the model's rated (question, turn) pairs (all turns, one turn, or
// the questions of one category); and for every pair of models the difference
// score(a) - score(b). Intervals are percentile bootstrap intervals that
// resample the judge's questions with replacement (a question's turns and
// models move together), opt.Bootstrap times with seed opt.Seed at level
// opt.Confidence (Options' defaults for zero values; a negative Bootstrap gives
// no intervals). A resample's mean weights each drawn question by the number of
// times it was drawn; the differences use the same resamples for both models
// (paired). A difference is separable when its interval excludes 0.
// Only opt.Bootstrap, opt.Seed and opt.Confidence apply.
func MTBenchScores(ratings []Rating, opt Options) *Scores {
	opt = opt.withDefaults()
	out := &Scores{Errors: map[string]int{}}
	byJudge := map[string][]Rating{}
	for _, r := range ratings {
		if r.isError() {
			out.Errors[r.Judge]++
			continue
		}
		byJudge[r.Judge] = append(byJudge[r.Judge], r)
	}
	judges := make([]string, 0, len(byJudge))
	for j := range byJudge {
		judges = append(judges, j)
	}
	slices.Sort(judges)
	for _, j := range judges {
		scoreJudge(out, j, byJudge[j], opt)
	}
	return out
}

// scoreJudge adds one judge's scores to out. Every model has 1 + T + C
// columns (all turns, each turn, each category); each question keeps the sum
// and count of its ratings in each column.
func scoreJudge(out *Scores, judge string, rs []Rating, opt Options) {
	modelSet, catSet, turnSet := map[string]bool{}, map[string]bool{}, map[int]bool{}
	qcat := map[int]string{}
	for _, r := range rs {
		modelSet[r.Model] = true
		turnSet[r.Turn] = true
		if c, ok := qcat[r.Question]; !ok || c == "" {
			qcat[r.Question] = r.Category
		}
	}
	qids := make([]int, 0, len(qcat))
	for q, c := range qcat {
		qids = append(qids, q)
		catSet[label(c)] = true
	}
	slices.Sort(qids)
	models, cats := sortedKeys(modelSet), sortedKeys(catSet)
	turns := make([]int, 0, len(turnSet))
	for t := range turnSet {
		turns = append(turns, t)
	}
	slices.Sort(turns)
	M, T, C, Q := len(models), len(turns), len(cats), len(qids)
	stride := 1 + T + C
	ncol := M * stride
	modelIdx, catIdx := index(models), index(cats)
	qIdx := make(map[int]int, Q)
	for i, q := range qids {
		qIdx[q] = i
	}
	turnIdx := map[int]int{}
	for i, t := range turns {
		turnIdx[t] = i
	}
	// sum and cnt: per question, per column.
	sum := make([]float64, Q*ncol)
	cnt := make([]float64, Q*ncol)
	for _, r := range rs {
		q := qIdx[r.Question]
		o := q*ncol + int(modelIdx[r.Model])*stride
		for _, c := range [3]int{0, 1 + turnIdx[r.Turn], 1 + T + int(catIdx[label(qcat[r.Question])])} {
			sum[o+c] += r.Score
			cnt[o+c]++
		}
	}
	// Statistics: ncol column means, then M(M-1)/2 differences of the all-turns means.
	type pair struct{ a, b int }
	var pairs []pair
	for a := range M {
		for b := a + 1; b < M; b++ {
			pairs = append(pairs, pair{a, b})
		}
	}
	nstat := ncol + len(pairs)
	eval := func(w []float64, res []float64) {
		s, n := make([]float64, ncol), make([]float64, ncol)
		for q := range Q {
			if w[q] == 0 {
				continue
			}
			for c := range ncol {
				s[c] += w[q] * sum[q*ncol+c]
				n[c] += w[q] * cnt[q*ncol+c]
			}
		}
		for c := range ncol {
			res[c] = Ratio(s[c], n[c])
		}
		for i, p := range pairs {
			res[ncol+i] = res[p.a*stride] - res[p.b*stride]
		}
	}
	ones := make([]float64, Q)
	for q := range ones {
		ones[q] = 1
	}
	point := make([]float64, nstat)
	eval(ones, point)
	lo, hi := bootstrapQuestions(Q, nstat, opt, eval)

	ci := func(i int) *Interval {
		if lo == nil || math.IsNaN(lo[i]) {
			return nil
		}
		return &Interval{Num(lo[i]), Num(hi[i])}
	}
	mean := func(m, c int) ScoreMean {
		i := m*stride + c
		var n float64
		for q := range Q {
			n += cnt[q*ncol+i]
		}
		return ScoreMean{N: int(n), Mean: Num(point[i]), CI: ci(i)}
	}
	for m, name := range models {
		ms := &ModelScore{Judge: judge, Model: name, All: mean(m, 0)}
		for t, turn := range turns {
			ms.ByTurn = append(ms.ByTurn, TurnMean{Turn: turn, ScoreMean: mean(m, 1+t)})
		}
		for c, cat := range cats {
			if x := mean(m, 1+T+c); x.N > 0 {
				ms.ByCategory = append(ms.ByCategory, CategoryMean{Category: cat, ScoreMean: x})
			}
		}
		out.Models = append(out.Models, ms)
	}
	for i, p := range pairs {
		d := &ScoreDifference{Judge: judge, A: models[p.a], B: models[p.b], Diff: Num(point[ncol+i]), CI: ci(ncol + i)}
		d.Separable = d.CI != nil && (d.CI[0] > 0 || d.CI[1] < 0)
		out.Differences = append(out.Differences, d)
	}
}

// bootstrapQuestions draws opt.Bootstrap resamples of Q questions (resample b
// uses PCG(opt.Seed, b), as the report's engine does), evaluates the nstat
// statistics on each with eval(weights, out), weights[q] = times question q was
// drawn, and returns the percentile interval of each statistic (NaN when no
// resample defined it); nil, nil without resamples.
func bootstrapQuestions(Q, nstat int, opt Options, eval func(w, out []float64)) (lo, hi []float64) {
	B := opt.Bootstrap
	if B <= 0 || Q == 0 {
		return nil, nil
	}
	res := make([]float64, B*nstat)
	w := make([]float64, Q)
	for b := range B {
		clear(w)
		rng := rand.New(rand.NewPCG(opt.Seed, uint64(b)))
		for range Q {
			w[rng.IntN(Q)]++
		}
		eval(w, res[b*nstat:(b+1)*nstat])
	}
	alpha := (1 - opt.Confidence) / 2
	lo, hi = make([]float64, nstat), make([]float64, nstat)
	buf := make([]float64, 0, B)
	for i := range nstat {
		buf = buf[:0]
		for b := range B {
			if x := res[b*nstat+i]; !math.IsNaN(x) && !math.IsInf(x, 0) {
				buf = append(buf, x)
			}
		}
		lo[i], hi[i] = math.NaN(), math.NaN()
		if len(buf) > 0 {
			slices.Sort(buf)
			lo[i], hi[i] = percentile(buf, alpha), percentile(buf, 1-alpha)
		}
	}
	return lo, hi
}

// RatingVerdicts turns single ratings into pairwise verdicts: for every unit
// (judge, question, turn) and every two models rated on it, the model with the
// higher score wins and equal scores are a tie; the pair is in name order
// (ModelA < ModelB) and the verdict is Combined, without games. A unit where
// a model's rating is an error gives no verdict for that model's pairs; skipped
// counts those pairs.
func RatingVerdicts(ratings []Rating) (verdicts []JudgeVerdict, skipped int) {
	type key struct {
		judge    string
		question int
		turn     int
	}
	units := map[key][]*Rating{}
	var keys []key
	for i := range ratings {
		r := &ratings[i]
		k := key{r.Judge, r.Question, r.Turn}
		if _, ok := units[k]; !ok {
			keys = append(keys, k)
		}
		units[k] = append(units[k], r)
	}
	slices.SortFunc(keys, func(a, b key) int {
		switch {
		case a.judge != b.judge:
			if a.judge < b.judge {
				return -1
			}
			return 1
		case a.question != b.question:
			return a.question - b.question
		}
		return a.turn - b.turn
	})
	for _, k := range keys {
		rs := units[k]
		slices.SortStableFunc(rs, func(a, b *Rating) int {
			switch {
			case a.Model < b.Model:
				return -1
			case a.Model > b.Model:
				return 1
			}
			return 0
		})
		for i, a := range rs {
			for _, b := range rs[i+1:] {
				if a.Model == b.Model {
					continue
				}
				if a.isError() || b.isError() {
					skipped++
					continue
				}
				v := JudgeVerdict{Judge: k.judge, Question: k.question, Category: a.Category, ModelA: a.Model, ModelB: b.Model, Turn: k.turn, Combined: Tie}
				switch {
				case a.Score > b.Score:
					v.Combined = A
				case a.Score < b.Score:
					v.Combined = B
				}
				verdicts = append(verdicts, v)
			}
		}
	}
	return verdicts, skipped
}
