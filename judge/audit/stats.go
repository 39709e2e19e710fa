package audit

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Ratio returns k/n, or NaN when n = 0.
func Ratio(k, n float64) float64 {
	if n <= 0 {
		return math.NaN()
	}
	return k / n
}

// CohenKappa returns Cohen's kappa for two raters from their confusion matrix,
// m[i][j] = items rater X labelled i and rater Y labelled j:
//
//	kappa = (p_o - p_e) / (1 - p_e),  p_o = sum_k m[k][k] / n,
//	p_e = sum_k (sum_j m[k][j] / n) (sum_i m[i][k] / n).
//
// It is NaN when n = 0 or p_e = 1 (both raters always gave one same label).
func CohenKappa(m [][]float64) float64 {
	k := len(m)
	rows := make([]float64, k)
	cols := make([]float64, k)
	var n, agree float64
	for i := range k {
		for j := range k {
			rows[i] += m[i][j]
			cols[j] += m[i][j]
			n += m[i][j]
		}
		agree += m[i][i]
	}
	return kappa(n, agree, rows, cols)
}

// kappa computes Cohen's kappa from the count n, the agreements and the two
// marginal label counts.
func kappa(n, agree float64, x, y []float64) float64 {
	if n <= 0 {
		return math.NaN()
	}
	var pe float64
	for i := range x {
		pe += (x[i] / n) * (y[i] / n)
	}
	if pe >= 1 {
		if agree == n {
			return 1
		}
		return math.NaN()
	}
	return (agree/n - pe) / (1 - pe)
}

// KrippendorffAlpha returns Krippendorff's alpha for nominal data with any number
// of raters per unit. units[u] holds the labels (0..k-1) given to unit u; units with
// fewer than two labels are dropped. With the coincidence matrix
// o[c][k] = sum_u #(ordered pairs of labels c,k within u) / (m_u - 1) and
// n_c = sum_k o[c][k], n = sum_c n_c:
//
//	alpha = 1 - D_o / D_e = 1 - (n - 1) sum_{c!=k} o[c][k] / sum_{c!=k} n_c n_k.
//
// It is NaN when fewer than two labels are pairable or all labels are equal.
func KrippendorffAlpha(units [][]int) float64 {
	k := 0
	for _, u := range units {
		for _, v := range u {
			k = max(k, v+1)
		}
	}
	o := make([][]float64, k)
	for i := range o {
		o[i] = make([]float64, k)
	}
	cnt := make([]float64, k)
	for _, u := range units {
		m := float64(len(u))
		if m < 2 {
			continue
		}
		clear(cnt)
		for _, v := range u {
			cnt[v]++
		}
		for c := range k {
			for d := range k {
				if c == d {
					o[c][d] += cnt[c] * (cnt[c] - 1) / (m - 1)
				} else {
					o[c][d] += cnt[c] * cnt[d] / (m - 1)
				}
			}
		}
	}
	return alphaFromCoincidence(o)
}

func alphaFromCoincidence(o [][]float64) float64 {
	k := len(o)
	nc := make([]float64, k)
	var n, dis float64
	for c := range k {
		for d := range k {
			nc[c] += o[c][d]
			if c != d {
				dis += o[c][d]
			}
		}
		n += nc[c]
	}
	exp := n * n
	for _, v := range nc {
		exp -= v * v
	}
	if n < 2 || exp <= 0 {
		return math.NaN()
	}
	return 1 - (n-1)*dis/exp
}

// Wilson returns the Wilson score interval for k successes in n trials at normal
// quantile z (1.96 for 95%), with p = k/n:
//
//	(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n).
//
// It returns NaN, NaN when n = 0.
func Wilson(k, n int, z float64) (lo, hi float64) {
	if n <= 0 {
		return math.NaN(), math.NaN()
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := z * z
	c := p + z2/(2*nf)
	h := z * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	d := 1 + z2/nf
	return (c - h) / d, (c + h) / d
}

// VotesNeeded returns how many votes an interval at normal quantile z needs to
// exclude 0.5 when the observed rate is p:
//
//	n = z² p (1 - p) / (p - 0.5)².
//
// It is +Inf when p = 0.5.
func VotesNeeded(p, z float64) float64 {
	if p == 0.5 {
		return math.Inf(1)
	}
	return z * z * p * (1 - p) / ((p - 0.5) * (p - 0.5))
}

// Position is where a judge's preference lay over the two games of a unit.
type Position uint8

// Positions of a pair of games.
const (
	Consistent Position = iota // same model won both games, or both tied
	First                      // the first-shown answer won both, or won one and tied the other
	Second                     // the same for the second-shown answer
	GameError                  // either game is an error
)

var positionNames = [...]string{"consistent", "first", "second", "error"}

func (p Position) String() string { return positionNames[p] }

// ClassifyGames codes two games of one unit by where the winner was shown (g1 shows
// ModelA first, g2 shows ModelB first; both name the winning model) and returns
// Consistent, First, Second or GameError as defined in STATS.md §4.
func ClassifyGames(g1, g2 Label) Position {
	if class(g1) > clsT || class(g2) > clsT {
		return GameError
	}
	// Code by shown position: 0 first, 1 second, 2 tie.
	s1 := class(g1)        // A shown first in g1: A -> first
	s2 := class(g2.Swap()) // B shown first in g2: B -> first
	switch {
	case s1 == s2 && s1 != clsT: // the same position won both: opposite models
		if s1 == clsA {
			return First
		}
		return Second
	case s1 == clsT && s2 == clsT, s1 != clsT && s2 != clsT:
		return Consistent
	}
	if s1 == clsA || s2 == clsA {
		return First
	}
	return Second
}

// PreferenceFairness returns the normalised preference fairness of Shi et al. 2024
// for f first-biased and s second-biased units out of units:
//
//	raw = s²/(f+s) - f²/(f+s),  PF = raw / units,
//
// in [-1, 1]; negative means a preference for the first position. It is 0 when
// f + s = 0 and NaN when units = 0.
func PreferenceFairness(f, s, units float64) float64 {
	if units <= 0 {
		return math.NaN()
	}
	if f+s == 0 {
		return 0
	}
	return (s*s/(f+s) - f*f/(f+s)) / units
}

// BTPrior is the number of virtual tied games added to every pair of models that
// met at least once before fitting Bradley-Terry, so that a model that never won
// (or never lost) keeps a finite rating.
const BTPrior = 1.0

// BradleyTerry fits Bradley-Terry strengths by MM iterations (Hunter 2004) from
// w[i][j] = wins of model i over model j (a tie counts 0.5 each way), after adding
// BTPrior virtual tied games to each pair that met:
//
//	p_i <- W_i / sum_{j != i} n_ij / (p_i + p_j),  W_i = sum_j w[i][j], n_ij = w[i][j] + w[j][i],
//
// and returns Elo-scale ratings 400 log10 p_i shifted so that their mean is 1000.
// A model that met no other has a NaN rating and is left out of the mean.
func BradleyTerry(w [][]float64) []float64 {
	m := len(w)
	flat := make([]float64, m*m)
	for i := range m {
		copy(flat[i*m:], w[i])
	}
	return bradleyTerry(flat, m, make([]float64, 3*m))
}

// bradleyTerry is BradleyTerry on a flat m×m matrix with scratch of length 3m;
// the returned ratings alias scratch.
func bradleyTerry(w []float64, m int, scratch []float64) []float64 {
	p, wins, out := scratch[:m], scratch[m:2*m], scratch[2*m:3*m]
	for i := range m {
		p[i] = 1
		wins[i] = 0
		for j := range m {
			if i != j && w[i*m+j]+w[j*m+i] > 0 {
				wins[i] += w[i*m+j] + BTPrior/2
			}
		}
	}
	for iter := 0; iter < 2000; iter++ {
		var delta, logSum float64
		seen := 0
		for i := range m {
			var den float64
			for j := range m {
				if nij := w[i*m+j] + w[j*m+i]; i != j && nij > 0 {
					den += (nij + BTPrior) / (p[i] + p[j])
				}
			}
			if den == 0 {
				continue
			}
			np := wins[i] / den
			delta = max(delta, math.Abs(math.Log(np/p[i])))
			p[i] = np
			logSum += math.Log(np)
			seen++
		}
		if seen == 0 {
			break
		}
		g := math.Exp(logSum / float64(seen))
		for i := range p {
			p[i] /= g
		}
		if delta < 1e-10 {
			break
		}
	}
	var sum float64
	seen := 0
	for i := range m {
		met := false
		for j := range m {
			if i != j && w[i*m+j]+w[j*m+i] > 0 {
				met = true
			}
		}
		if !met {
			out[i] = math.NaN()
			continue
		}
		out[i] = 400 * math.Log10(p[i])
		sum += out[i]
		seen++
	}
	for i := range out {
		out[i] += 1000 - sum/float64(max(seen, 1))
	}
	return out
}

// KendallTauB returns Kendall's tau-b between two scorings of the same items,
// skipping items where either is NaN:
//
//	tau_b = (n_c - n_d) / sqrt((n_0 - n_1)(n_0 - n_2)),
//
// with n_c, n_d the concordant and discordant pairs, n_0 = n(n-1)/2 and n_1, n_2
// the pairs tied in x and in y. NaN when either side is constant or n < 2.
func KendallTauB(x, y []float64) float64 {
	var nc, nd, tx, ty, n0 float64
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			continue
		}
		for j := i + 1; j < len(x); j++ {
			if math.IsNaN(x[j]) || math.IsNaN(y[j]) {
				continue
			}
			n0++
			dx, dy := x[i]-x[j], y[i]-y[j]
			switch {
			case dx == 0 && dy == 0:
				tx++
				ty++
			case dx == 0:
				tx++
			case dy == 0:
				ty++
			case (dx > 0) == (dy > 0):
				nc++
			default:
				nd++
			}
		}
	}
	d := math.Sqrt((n0 - tx) * (n0 - ty))
	if d == 0 {
		return math.NaN()
	}
	return (nc - nd) / d
}

// percentile returns the type-7 (linear interpolation) quantile q of sorted xs.
func percentile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	h := q * float64(len(xs)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[i] + (h-lo)*(xs[i+1]-xs[i])
}

// median returns the median of xs (NaN when empty); xs is sorted in place.
func median(xs []float64) float64 {
	slices.Sort(xs)
	return percentile(xs, 0.5)
}

// logistic fits the logistic regression P(y_r) = sigmoid(x_r · beta) to the rows
// of x (which include the intercept column) by Newton's method on the
// log-likelihood, each step solving
//
//	(X' W X) d = X' (y - p),  p_r = sigmoid(x_r · beta),  W = diag(p_r (1 - p_r)),
//
// with solveSym. It returns the coefficients, or nil when a step fails or a
// slope passes 50 in magnitude (separation: the likelihood has no finite
// maximum). A general minimiser (gonum optimize) is not used on purpose: its
// gradient-based stopping rule would stop on a separated fit at a large but
// finite slope instead of reporting that none exists.
func logistic(x *mat.Dense, y []bool) []float64 {
	n, k := x.Dims()
	beta := make([]float64, k)
	g := make([]float64, k)
	h := make([]float64, k*k)
	for iter := 0; iter < 100; iter++ {
		clear(g)
		clear(h)
		for r := range n {
			xr := x.RawRowView(r)
			p := sigmoid(floats.Dot(beta, xr))
			res := -p
			if y[r] {
				res = 1 - p
			}
			w := p * (1 - p)
			for i, xi := range xr {
				g[i] += res * xi
				for j := i; j < k; j++ {
					h[i*k+j] += w * xi * xr[j]
				}
			}
		}
		step, ok := solveSym(h, g)
		if !ok {
			return nil
		}
		floats.Add(beta, step)
		d := floats.Norm(step, math.Inf(1))
		if math.IsNaN(d) || slices.ContainsFunc(beta[1:], func(b float64) bool { return math.Abs(b) > 50 }) {
			return nil // separation: no finite maximum
		}
		if d < 1e-10 {
			return beta
		}
	}
	return beta
}

func sigmoid(t float64) float64 { return 1 / (1 + math.Exp(-t)) }

// solveSym solves h x = g for a symmetric positive definite k×k matrix h,
// given by its upper triangle in row-major order (len(g) = k), by a Cholesky
// factorisation (gonum mat). Regressors whose diagonal entry is zero (a column
// of zeros: unused) are left out and get x_i = 0. It reports false when no
// regressor is used or the rest of h is not positive definite.
func solveSym(h, g []float64) ([]float64, bool) {
	k := len(g)
	idx := make([]int, 0, k)
	for i := range k {
		if h[i*k+i] > 1e-12 {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, false
	}
	n := len(idx)
	a := mat.NewSymDense(n, nil)
	b := mat.NewVecDense(n, nil)
	for r, i := range idx {
		for c := r; c < n; c++ {
			a.SetSym(r, c, h[i*k+idx[c]])
		}
		b.SetVec(r, g[i])
	}
	var chol mat.Cholesky
	if !chol.Factorize(a) {
		return nil, false
	}
	var sol mat.VecDense
	if err := chol.SolveVecTo(&sol, b); err != nil {
		return nil, false
	}
	x := make([]float64, k)
	for r, i := range idx {
		x[i] = sol.AtVec(r)
	}
	return x, true
}
