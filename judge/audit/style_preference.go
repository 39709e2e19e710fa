package audit

import (
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// PreferenceStyle is the pull of the answers' style on one source's pairwise
// preferences (humans, or a pairwise judge), as Chatbot Arena's style
// control: a Bradley-Terry model with the style differences as covariates.
type PreferenceStyle struct {
	Source       string       `json:"source"`      // "human" or the judge's name
	Comparisons  int          `json:"comparisons"` // votes or verdicts fitted (ties included)
	Coefficients []*StyleCoef `json:"coefficients"`
	Models       []*StyleBT   `json:"models"`
	OrderChanged bool         `json:"order_changed"`
}

// StyleBT is one model's Bradley-Terry rating (logit scale, mean 0) without
// and with the style covariates, with the ranks they give.
type StyleBT struct {
	Model          string `json:"model"`
	Raw            Num    `json:"raw"`
	RawRank        int    `json:"raw_rank"`
	Controlled     Num    `json:"controlled"`
	ControlledRank int    `json:"controlled_rank"`
}

// PreferenceStyleNames name the covariates of PreferenceStyles, in order.
var PreferenceStyleNames = [nStyle]string{"length", "lists", "headers", "bold"}

// styleDiff is Chatbot Arena's normalised style difference of answers a and
// b: (f_a - f_b) / (f_a + f_b) per feature, 0 when both are 0; length in
// characters (not its log).
func styleDiff(a, b StyleFeatures) [nStyle]float64 {
	fa := [nStyle]float64{float64(a.Length), float64(a.Lists), float64(a.Headers), float64(a.Bold)}
	fb := [nStyle]float64{float64(b.Length), float64(b.Lists), float64(b.Headers), float64(b.Bold)}
	var d [nStyle]float64
	for k := range nStyle {
		if s := fa[k] + fb[k]; s != 0 {
			d[k] = (fa[k] - fb[k]) / s
		}
	}
	return d
}

// prefRow is one pairwise comparison: the unit's question, the two models
// (indices), the outcome for a (1 win, 0 loss, 0.5 tie) and the style
// difference a - b.
type prefRow struct {
	q    int
	a, b int
	y    float64
	d    [nStyle]float64
}

// PreferenceStyles fits, on the units where the humans voted, the judge
// gave a pairwise verdict and both answers' style is known (the features of
// the judge's ratings), one Bradley-Terry model with style covariates per
// source (STATS.md section 8):
//
//	logit P(A beats B) = (beta_A - beta_B) + gamma . d,  d_k = (f_Ak - f_Bk) / (f_Ak + f_Bk),
//
// with f = (length, lists, headers, bold), a tie counting as half a win
// each way, by maximum likelihood (Newton's method, gonum Cholesky). gamma's
// intervals are Wald intervals at opt.Confidence from a sandwich variance
// clustered by question, H^-1 (sum_q g_q g_q') H^-1, so that a question's
// comparisons are not taken as independent. The ratings without covariates
// (raw) and with them (controlled) are centred to mean 0. A covariate that
// never differs, or whose coefficient has no finite maximum (separation), is
// left out with a null coefficient; a source with no usable comparison or
// whose ratings separate is left out.
func PreferenceStyles(judge string, ratings []Rating, votes []HumanVote, verdicts []JudgeVerdict, opt Options) []*PreferenceStyle {
	opt = opt.withDefaults()
	type ansKey struct {
		q     int
		model string
		turn  int
	}
	style := map[ansKey]StyleFeatures{}
	for _, r := range ratings {
		if r.Judge == judge && r.Style != nil {
			style[ansKey{r.Question, r.Model, r.Turn}] = *r.Style
		}
	}
	ju, _ := judgeUnits(verdicts, judge, opt)
	hu := humanUnits(votes, opt)
	modelSet := map[string]bool{}
	var keys []pairUnit
	for k := range hu {
		_, judged := ju[k]
		_, sa := style[ansKey{k.q, k.a, k.t}]
		_, sb := style[ansKey{k.q, k.b, k.t}]
		if judged && sa && sb {
			keys = append(keys, k)
			modelSet[k.a], modelSet[k.b] = true, true
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(x, y pairUnit) int {
		switch {
		case x.q != y.q:
			return x.q - y.q
		case x.a != y.a:
			return strings.Compare(x.a, y.a)
		case x.b != y.b:
			return strings.Compare(x.b, y.b)
		}
		return x.t - y.t
	})
	models := sortedKeys(modelSet)
	mIdx := index(models)
	outcome := map[int8]float64{clsA: 1, clsB: 0, clsT: 0.5}
	var human, judged []prefRow
	for _, k := range keys {
		d := styleDiff(style[ansKey{k.q, k.a, k.t}], style[ansKey{k.q, k.b, k.t}])
		row := prefRow{q: k.q, a: int(mIdx[k.a]), b: int(mIdx[k.b]), d: d}
		for _, c := range hu[k] {
			row.y = outcome[c]
			human = append(human, row)
		}
		if c := class(ju[k].comb); c <= clsT {
			row.y = outcome[c]
			judged = append(judged, row)
		}
	}
	var out []*PreferenceStyle
	for _, src := range []struct {
		name string
		rows []prefRow
	}{{"human", human}, {judge, judged}} {
		if p := fitPreferenceStyle(src.name, models, src.rows, opt); p != nil {
			out = append(out, p)
		}
	}
	return out
}

// fitPreferenceStyle fits one source's rows; nil when the fit fails.
func fitPreferenceStyle(source string, models []string, rows []prefRow, opt Options) *PreferenceStyle {
	M := len(models)
	if len(rows) == 0 || M < 2 {
		return nil
	}
	var active []int
	for k := range nStyle {
		if slices.ContainsFunc(rows, func(r prefRow) bool { return r.d[k] != 0 }) {
			active = append(active, k)
		}
	}
	raw, _ := fitBT(rows, M, nil)
	if raw == nil {
		return nil
	}
	// A covariate whose coefficient runs off (its sign decides the outcome
	// of every comparison where it differs) has no finite estimate: it is
	// left out, and the fit is made again.
	ctl, drop := fitBT(rows, M, active)
	for ctl == nil && drop >= 0 {
		active = slices.Delete(slices.Clone(active), drop, drop+1)
		ctl, drop = fitBT(rows, M, active)
	}
	if ctl == nil {
		return nil
	}
	p := &PreferenceStyle{Source: source, Comparisons: len(rows)}
	se := ctl.clusterSE(rows, M, active)
	z := opt.z()
	for k, name := range PreferenceStyleNames {
		c := &StyleCoef{Name: name, Estimate: Estimate{Value: Num(math.NaN())}}
		if i := slices.Index(active, k); i >= 0 {
			g := ctl.beta[M-1+i]
			c.Value = Num(g)
			if s := se[M-1+i]; !math.IsNaN(s) {
				c.CI = &Interval{Num(g - z*s), Num(g + z*s)}
			}
		}
		p.Coefficients = append(p.Coefficients, c)
	}
	rawR, ctlR := raw.ratings(M), ctl.ratings(M)
	for m, name := range models {
		p.Models = append(p.Models, &StyleBT{Model: name, Raw: Num(rawR[m]), Controlled: Num(ctlR[m])})
	}
	rankBy := func(v func(*StyleBT) Num, set func(*StyleBT, int)) {
		s := slices.Clone(p.Models)
		slices.SortStableFunc(s, func(a, b *StyleBT) int {
			switch {
			case v(a) > v(b):
				return -1
			case v(a) < v(b):
				return 1
			}
			return strings.Compare(a.Model, b.Model)
		})
		for i, x := range s {
			set(x, i+1)
		}
	}
	rankBy(func(x *StyleBT) Num { return x.Raw }, func(x *StyleBT, r int) { x.RawRank = r })
	rankBy(func(x *StyleBT) Num { return x.Controlled }, func(x *StyleBT, r int) { x.ControlledRank = r })
	slices.SortStableFunc(p.Models, func(a, b *StyleBT) int { return a.ControlledRank - b.ControlledRank })
	for _, x := range p.Models {
		if x.RawRank != x.ControlledRank {
			p.OrderChanged = true
		}
	}
	return p
}

// btFit is a fitted Bradley-Terry model: beta[0:M-1] are the ratings of
// models 1..M-1 (model 0 is 0), then the style coefficients.
type btFit struct {
	beta   []float64
	active []int
}

// design is the covariate vector of a row.
func (f *btFit) design(r prefRow, M int, x []float64) {
	clear(x)
	if r.a > 0 {
		x[r.a-1] = 1
	}
	if r.b > 0 {
		x[r.b-1] = -1
	}
	for i, k := range f.active {
		x[M-1+i] = r.d[k]
	}
}

// fitBT maximises the likelihood of rows (an outcome y in [0, 1] is y wins
// and 1 - y losses) by Newton's method. On separation (a coefficient beyond
// 50, or the information matrix turning singular as coefficients run off)
// it returns nil and the style covariate (an index into active) whose
// coefficient ran furthest, or -1 when none did.
func fitBT(rows []prefRow, M int, active []int) (*btFit, int) {
	f := &btFit{active: active}
	diverged := func() (*btFit, int) {
		worst, at := 0.0, -1
		for i := range active {
			if b := math.Abs(f.beta[M-1+i]); b > worst || math.IsNaN(b) {
				worst, at = b, i
			}
		}
		return nil, at
	}
	P := M - 1 + len(active)
	f.beta = make([]float64, P)
	x := make([]float64, P)
	gs := make([]float64, P)
	hs := make([]float64, P*P) // upper triangle, row-major
	for iter := 0; iter < 100; iter++ {
		clear(gs)
		clear(hs)
		for _, r := range rows {
			f.design(r, M, x)
			p := sigmoid(dot(f.beta, x))
			w := p * (1 - p)
			for i, xi := range x {
				if xi == 0 {
					continue
				}
				gs[i] += (r.y - p) * xi
				row := hs[i*P:]
				for j := i; j < P; j++ {
					row[j] += w * xi * x[j]
				}
			}
		}
		g := mat.NewVecDense(P, gs)
		h := mat.NewSymDense(P, nil)
		for i := range P {
			for j := i; j < P; j++ {
				h.SetSym(i, j, hs[i*P+j])
			}
		}
		var chol mat.Cholesky
		if !chol.Factorize(h) {
			return diverged()
		}
		var step mat.VecDense
		if err := chol.SolveVecTo(&step, g); err != nil {
			return diverged()
		}
		var d float64
		for i := range P {
			f.beta[i] += step.AtVec(i)
			d = max(d, math.Abs(step.AtVec(i)))
			if math.Abs(f.beta[i]) > 50 || math.IsNaN(f.beta[i]) {
				return diverged()
			}
		}
		if d < 1e-10 {
			break
		}
	}
	return f, -1
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// ratings are the M model ratings, centred to mean 0.
func (f *btFit) ratings(M int) []float64 {
	r := make([]float64, M)
	copy(r[1:], f.beta[:M-1])
	var mean float64
	for _, x := range r {
		mean += x / float64(M)
	}
	for i := range r {
		r[i] -= mean
	}
	return r
}

// clusterSE is the sandwich standard error of each coefficient, the score
// summed within questions: sqrt(diag(H^-1 B H^-1)), B = sum_q g_q g_q'.
func (f *btFit) clusterSE(rows []prefRow, M int, active []int) []float64 {
	P := len(f.beta)
	x := make([]float64, P)
	h := mat.NewSymDense(P, nil)
	b := mat.NewSymDense(P, nil)
	gq := make([]float64, P)
	flush := func() {
		for i := range P {
			for j := i; j < P; j++ {
				b.SetSym(i, j, b.At(i, j)+gq[i]*gq[j])
			}
		}
		clear(gq)
	}
	for i, r := range rows {
		if i > 0 && rows[i-1].q != r.q {
			flush()
		}
		f.design(r, M, x)
		p := sigmoid(dot(f.beta, x))
		w := p * (1 - p)
		for a := range P {
			gq[a] += (r.y - p) * x[a]
			for c := a; c < P; c++ {
				h.SetSym(a, c, h.At(a, c)+w*x[a]*x[c])
			}
		}
	}
	flush()
	se := make([]float64, P)
	for i := range se {
		se[i] = math.NaN()
	}
	var chol mat.Cholesky
	if !chol.Factorize(h) {
		return se
	}
	var hinv mat.SymDense
	if err := chol.InverseTo(&hinv); err != nil {
		return se
	}
	var v, t mat.Dense
	t.Mul(&hinv, b)
	v.Mul(&t, &hinv)
	for i := range P {
		if d := v.At(i, i); d >= 0 {
			se[i] = math.Sqrt(d)
		}
	}
	return se
}
