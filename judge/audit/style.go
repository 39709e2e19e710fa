package audit

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"
)

// StyleFeatures describe the form of one answer to one turn (STATS.md
// section 8): its length in characters, and its Markdown structure outside
// code blocks.
type StyleFeatures struct {
	Length  int // characters (runes), code included
	Lists   int // lines that start, after indentation, with "- ", "* ", "+ " or "N. "
	Headers int // lines that start with "#"
	Bold    int // **...** or __...__ spans
}

var (
	listItem = regexp.MustCompile(`^[ \t]*(?:[-*+] |[0-9]+\. )`)
	boldSpan = regexp.MustCompile(`\*\*[^*\n]+?\*\*|__[^_\n]+?__`)
)

// Style measures an answer's StyleFeatures. A line starting (after
// indentation) with ``` or ~~~ opens or closes a code block; lines inside one,
// and the fences, count for Length only.
func Style(text string) StyleFeatures {
	f := StyleFeatures{Length: utf8.RuneCountInString(text)}
	code := false
	for line := range strings.SplitSeq(text, "\n") {
		t := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			code = !code
			continue
		}
		if code {
			continue
		}
		if listItem.MatchString(line) {
			f.Lists++
		}
		if strings.HasPrefix(line, "#") {
			f.Headers++
		}
		f.Bold += len(boldSpan.FindAllStringIndex(line, -1))
	}
	return f
}

// styleVector is the regression's covariates: log(length), lists, headers, bold.
func (f StyleFeatures) styleVector() [nStyle]float64 {
	return [nStyle]float64{math.Log(float64(max(f.Length, 1))), float64(f.Lists), float64(f.Headers), float64(f.Bold)}
}

// nStyle is the number of style covariates; StyleNames names them.
const nStyle = 4

// StyleNames are the names of the style covariates, in the order of the
// regression's coefficients.
var StyleNames = [nStyle]string{"log_length", "lists", "headers", "bold"}

// ScoreStyle is how much a judge's ratings move with the answers' style,
// and the scores once that is taken out.
type ScoreStyle struct {
	Rows         int              `json:"rows"`
	Coefficients []*StyleCoef     `json:"coefficients"`
	Models       []*StyleAdjusted `json:"models"`
	OrderChanged bool             `json:"order_changed"` // some model's adjusted rank differs from its raw rank
	// Preference is the same features' pull on pairwise preferences, humans'
	// and the judge's, on the same units (PreferenceStyles).
	Preference []*PreferenceStyle `json:"preference"`
}

// StyleCoef is one covariate's coefficient: rating points per unit (per
// e-fold of length for log_length).
type StyleCoef struct {
	Name string `json:"name"`
	Estimate
}

// StyleAdjusted is one model's raw and style-adjusted score, in the order of
// the adjusted scores (best first), with both ranks.
type StyleAdjusted struct {
	Model        string    `json:"model"`
	Raw          Num       `json:"raw"`
	RawRank      int       `json:"raw_rank"`
	Adjusted     *Estimate `json:"adjusted"`
	AdjustedRank int       `json:"adjusted_rank"`
}

// StyleRegression fits, for one judge's ratings that carry StyleFeatures
// (errors and ratings without features are left out), the least squares
// regression of the score on the style covariates with one intercept per
// question (STATS.md section 8):
//
//	s_r = alpha_q(r) + beta . x_r + e_r,  x = (log length, lists, headers, bold),
//
// solved by removing each question's means (the within transformation gives
// the same beta as the question dummies) and the normal equations
// (X'X) beta = X'y with a Cholesky factorisation (gonum mat). The
// style-adjusted score of model m is
//
//	adj(m) = mean_{r in m}(s_r - beta . x_r) + mean_r(beta . x_r),
//
// re-centred so that the adjusted mean over all ratings equals the raw one.
// Intervals are percentile bootstrap intervals over questions (opt.Bootstrap
// resamples, seed opt.Seed, level opt.Confidence), beta refitted on each.
// A covariate that never varies within a question (e.g. no answer has a bold
// span) cannot be estimated: its coefficient is null and it is left out of
// the fit. It returns nil when fewer than nStyle + 2 ratings have features,
// no covariate varies or the covariates are collinear.
func StyleRegression(ratings []Rating, opt Options) *ScoreStyle {
	opt = opt.withDefaults()
	type row struct {
		q     int
		model string
		y     float64
		x     [nStyle]float64
	}
	var rows []row
	for _, r := range ratings {
		if r.isError() || r.Style == nil {
			continue
		}
		rows = append(rows, row{r.Question, r.Model, r.Score, r.Style.styleVector()})
	}
	if len(rows) < nStyle+2 {
		return nil
	}
	qIdx := map[int]int{}
	var qids []int
	modelSet := map[string]bool{}
	for _, r := range rows {
		if _, ok := qIdx[r.q]; !ok {
			qIdx[r.q] = 0
			qids = append(qids, r.q)
		}
		modelSet[r.model] = true
	}
	slices.Sort(qids)
	for i, q := range qids {
		qIdx[q] = i
	}
	models := sortedKeys(modelSet)
	mIdx := index(models)
	Q, M := len(qids), len(models)
	// Per question: the question means, then the within cross-products
	// (X'X, X'y) and, per model, the sums of y and x and the count.
	type qsum struct {
		xx   [nStyle * nStyle]float64
		xy   [nStyle]float64
		my   []float64 // per model: sum of y
		mx   [][nStyle]float64
		mn   []float64
		allx [nStyle]float64
		n    float64
	}
	qs := make([]qsum, Q)
	for i := range qs {
		qs[i].my, qs[i].mx, qs[i].mn = make([]float64, M), make([][nStyle]float64, M), make([]float64, M)
	}
	meanY := make([]float64, Q)
	meanX := make([][nStyle]float64, Q)
	for _, r := range rows {
		i := qIdx[r.q]
		meanY[i] += r.y
		for k := range nStyle {
			meanX[i][k] += r.x[k]
		}
		qs[i].n++
	}
	for i := range qs {
		meanY[i] /= qs[i].n
		for k := range nStyle {
			meanX[i][k] /= qs[i].n
		}
	}
	for _, r := range rows {
		i, m := qIdx[r.q], int(mIdx[r.model])
		s := &qs[i]
		var d [nStyle]float64
		for k := range nStyle {
			d[k] = r.x[k] - meanX[i][k]
		}
		dy := r.y - meanY[i]
		for a := range nStyle {
			s.xy[a] += d[a] * dy
			for b := range nStyle {
				s.xx[a*nStyle+b] += d[a] * d[b]
			}
			s.mx[m][a] += r.x[a]
			s.allx[a] += r.x[a]
		}
		s.my[m] += r.y
		s.mn[m]++
	}
	// Covariates that vary within questions somewhere; the others (e.g. no
	// answer has a bold span) cannot be estimated and are left out.
	var active []int
	for a := range nStyle {
		var d float64
		for q := range Q {
			d += qs[q].xx[a*nStyle+a]
		}
		if d > 1e-9 {
			active = append(active, a)
		}
	}
	if len(active) == 0 {
		return nil
	}
	K := len(active)
	// Statistics: nStyle coefficients, then M adjusted scores.
	nstat := nStyle + M
	eval := func(w, out []float64) {
		xx := mat.NewSymDense(K, nil)
		xy := mat.NewVecDense(K, nil)
		var allx [nStyle]float64
		var n float64
		my, mn := make([]float64, M), make([]float64, M)
		mx := make([][nStyle]float64, M)
		for q := range Q {
			if w[q] == 0 {
				continue
			}
			s := &qs[q]
			for i, a := range active {
				xy.SetVec(i, xy.AtVec(i)+w[q]*s.xy[a])
				for j := i; j < K; j++ {
					xx.SetSym(i, j, xx.At(i, j)+w[q]*s.xx[a*nStyle+active[j]])
				}
			}
			for a := range nStyle {
				allx[a] += w[q] * s.allx[a]
			}
			n += w[q] * s.n
			for m := range M {
				my[m] += w[q] * s.my[m]
				mn[m] += w[q] * s.mn[m]
				for a := range nStyle {
					mx[m][a] += w[q] * s.mx[m][a]
				}
			}
		}
		for i := range out {
			out[i] = math.NaN()
		}
		var chol mat.Cholesky
		if !chol.Factorize(xx) {
			return
		}
		var sol mat.VecDense
		if err := chol.SolveVecTo(&sol, xy); err != nil {
			return
		}
		var beta [nStyle]float64
		for i, a := range active {
			beta[a] = sol.AtVec(i)
			out[a] = beta[a]
		}
		var centre float64
		for a := range nStyle {
			centre += beta[a] * allx[a] / n
		}
		for m := range M {
			if mn[m] == 0 {
				continue
			}
			fit := 0.0
			for a := range nStyle {
				fit += beta[a] * mx[m][a]
			}
			out[nStyle+m] = (my[m]-fit)/mn[m] + centre
		}
	}
	ones := make([]float64, Q)
	for i := range ones {
		ones[i] = 1
	}
	point := make([]float64, nstat)
	eval(ones, point)
	if math.IsNaN(point[nStyle]) {
		return nil // the covariates are collinear
	}
	lo, hi := bootstrapQuestions(Q, nstat, opt, eval)
	ci := func(i int) *Interval {
		if lo == nil || math.IsNaN(lo[i]) {
			return nil
		}
		return &Interval{Num(lo[i]), Num(hi[i])}
	}
	out := &ScoreStyle{Rows: len(rows)}
	for a, name := range StyleNames {
		out.Coefficients = append(out.Coefficients, &StyleCoef{Name: name, Estimate: Estimate{Value: Num(point[a]), CI: ci(a)}})
	}
	raw := make([]float64, M)
	for m := range M {
		var y, n float64
		for q := range Q {
			y += qs[q].my[m]
			n += qs[q].mn[m]
		}
		raw[m] = Ratio(y, n)
	}
	for m, name := range models {
		a := &StyleAdjusted{Model: name, Raw: Num(raw[m]), Adjusted: &Estimate{Value: Num(point[nStyle+m]), CI: ci(nStyle + m)}}
		out.Models = append(out.Models, a)
	}
	rank := func(less func(a, b *StyleAdjusted) bool, set func(*StyleAdjusted, int)) {
		s := slices.Clone(out.Models)
		slices.SortStableFunc(s, func(a, b *StyleAdjusted) int {
			switch {
			case less(a, b):
				return -1
			case less(b, a):
				return 1
			}
			return strings.Compare(a.Model, b.Model)
		})
		for i, x := range s {
			set(x, i+1)
		}
	}
	rank(func(a, b *StyleAdjusted) bool { return a.Raw > b.Raw }, func(x *StyleAdjusted, r int) { x.RawRank = r })
	rank(func(a, b *StyleAdjusted) bool { return a.Adjusted.Value > b.Adjusted.Value }, func(x *StyleAdjusted, r int) { x.AdjustedRank = r })
	slices.SortStableFunc(out.Models, func(a, b *StyleAdjusted) int { return a.AdjustedRank - b.AdjustedRank })
	for _, x := range out.Models {
		if x.RawRank != x.AdjustedRank {
			out.OrderChanged = true
		}
	}
	return out
}
