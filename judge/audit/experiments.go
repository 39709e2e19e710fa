package audit

import (
	"fmt"
	"math"
)

// Experiment is one judge experiment's result in the report (STATS.md §10):
// the verbosity probe fills Failures and Inconsistent, the repeatability probe
// SelfAgreement and Flips, the reference probe FailuresWithReference,
// FailuresWithoutReference and HumanAgreement.
type Experiment struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Judge      string `json:"judge"`
	ProbeJudge string `json:"probe_judge"`
	Settings   string `json:"settings"` // JSON, as stored
	Items      int    `json:"items"`    // items planned
	Judged     int    `json:"judged"`   // items with both games judged without error
	Errors     int    `json:"errors"`   // items with an errored game (excluded)
	Pending    int    `json:"pending"`  // items not judged yet (resume the probe)

	Failures     *Share `json:"failures,omitempty"`     // verbosity: the judge preferred the padded copy in either order
	Inconsistent int    `json:"inconsistent,omitempty"` // verbosity: of the failures, padded won in one order only

	SelfAgreement *Share `json:"self_agreement,omitempty"` // repeat: same combined verdict class in both runs
	Flips         *Share `json:"flips,omitempty"`          // repeat: one run says A, the other B

	// Reference probe: combined verdicts that pick the answer the reference
	// shows wrong, judged with the reference-guided prompt and with the plain one.
	FailuresWithReference    *Share `json:"failures_with_reference,omitempty"`
	FailuresWithoutReference *Share `json:"failures_without_reference,omitempty"`
	// HumanAgreement compares the two runs (judges "with reference" and
	// "without reference") with the human votes on the probe's units.
	HumanAgreement *Comparison `json:"human_agreement,omitempty"`

	// Label control (kind "position"): the share of decisive games won by the
	// answer shown first, with the labels A and B and with two neutral names,
	// and their difference, the preference for the label A itself.
	FirstWithLetters *Share    `json:"first_with_letters,omitempty"`
	FirstWithNames   *Share    `json:"first_with_names,omitempty"`
	LabelPreference  *Estimate `json:"label_preference,omitempty"`
}

// LabelItem is one label control item: the games of the run with the labels
// A and B and of the run with neutral names, in model terms (A is the item's
// first model, shown first in game 1 and second in game 2).
type LabelItem struct{ Letters, Names ProbeGames }

// firstSecond counts a pair of games' wins by the answer shown first and by
// the one shown second (game 1 shows A first, game 2 shows B first).
func firstSecond(g ProbeGames) (first, second int) {
	for i, l := range []Label{g.G1, g.G2} {
		switch {
		case l == A && i == 0, l == B && i == 1:
			first++
		case l == B && i == 0, l == A && i == 1:
			second++
		}
	}
	return first, second
}

// LabelsProbe scores the label control (STATS.md §10): the same units judged
// in both orders with the labels A and B (A always shown first) and with two
// neutral names (the first name always shown first). For each run r,
//
//	first_r = #(decisive games won by the answer shown first) / #(decisive games),
//
// over the items both runs judged without error, with a Wilson interval at
// normal quantile z; 1/2 is no position preference. With neutral names the
// first position carries no letter, so first_names is the preference for the
// position alone, and
//
//	label = first_letters - first_names
//
// is what the label A adds to it (positive: the judge favours "A"). Its
// interval is Newcombe's hybrid score interval for a difference of
// proportions (method 10), from the two Wilson intervals (l_i, u_i) of
// p_i = first_i:
//
//	[d - sqrt((p1-l1)^2 + (u2-p2)^2),  d + sqrt((u1-p1)^2 + (p2-l2)^2)];
//
// it treats the two runs as independent, which is conservative when a judge's
// games on the same unit go together, as they usually do.
func LabelsProbe(items []LabelItem, z float64) (letters, names Share, label Estimate, errs, pending int) {
	var lf, ld, nf, nd int
	for _, it := range items {
		dl, bl := it.Letters.judged()
		dn, bn := it.Names.judged()
		switch {
		case bl || bn:
			errs++
		case !dl || !dn:
			pending++
		default:
			f, s := firstSecond(it.Letters)
			lf, ld = lf+f, ld+f+s
			f, s = firstSecond(it.Names)
			nf, nd = nf+f, nd+f+s
		}
	}
	letters, names = shareWilson(lf, ld, z), shareWilson(nf, nd, z)
	label = Estimate{Value: Num(math.NaN())}
	if ld > 0 && nd > 0 {
		p1, p2 := float64(letters.Rate), float64(names.Rate)
		l1, u1, l2, u2 := float64(letters.CI[0]), float64(letters.CI[1]), float64(names.CI[0]), float64(names.CI[1])
		d := p1 - p2
		label = Estimate{Value: Num(d), CI: &Interval{Num(d - math.Hypot(p1-l1, u2-p2)), Num(d + math.Hypot(u1-p1, p2-l2))}}
	}
	return letters, names, label, errs, pending
}

// LabelsResult scores a label control experiment from its items at normal
// quantile z.
func LabelsResult(e Experiment, items []LabelItem, z float64) *Experiment {
	out := e
	out.Items = len(items)
	l, n, d, errs, pending := LabelsProbe(items, z)
	out.FirstWithLetters, out.FirstWithNames, out.LabelPreference, out.Errors, out.Pending = &l, &n, &d, errs, pending
	out.Judged = out.Items - errs - pending
	return &out
}

// Names of the reference probe's two runs in HumanAgreement.
const (
	WithReference    = "with reference"
	WithoutReference = "without reference"
)

// RefItem is one reference probe item: the two runs' games in model terms
// (A is the item's first model) and which answer the reference shows wrong
// (A or B).
type RefItem struct {
	With, Without ProbeGames
	Wrong         Label
}

// ReferenceProbe scores the reference probe (STATS.md §10, the MT-Bench
// paper's Table 4): item i has a wrong answer W (the one its reference shows
// wrong) and is judged in both orders by each run r (with and without the
// reference); the run fails on the item when its combined verdict picks W,
//
//	fail_r,i = [Combine(G1_r,i, G2_r,i) = W],  failures_r = sum fail_r,i / n,
//
// over the n items both runs judged without error (paired: the same items in
// both rates), with Wilson intervals at normal quantile z. A tie or an
// inconsistent verdict is not a failure.
func ReferenceProbe(items []RefItem, z float64) (with, without Share, errs, pending int) {
	n, kw, ko := 0, 0, 0
	for _, it := range items {
		dw, bw := it.With.judged()
		do, bo := it.Without.judged()
		switch {
		case bw || bo:
			errs++
		case !dw || !do:
			pending++
		default:
			n++
			if Combine(it.With.G1, it.With.G2) == it.Wrong {
				kw++
			}
			if Combine(it.Without.G1, it.Without.G2) == it.Wrong {
				ko++
			}
		}
	}
	return shareWilson(kw, n, z), shareWilson(ko, n, z), errs, pending
}

// ReferenceResult scores a reference experiment from its items at normal
// quantile z (HumanAgreement is left to the caller, who holds the votes).
func ReferenceResult(e Experiment, items []RefItem, z float64) *Experiment {
	out := e
	out.Items = len(items)
	w, o, errs, pending := ReferenceProbe(items, z)
	out.FailuresWithReference, out.FailuresWithoutReference, out.Errors, out.Pending = &w, &o, errs, pending
	out.Judged = w.N
	return &out
}

// ReferenceAgreement compares the reference probe's two runs (verdicts of
// judges WithReference and WithoutReference) with the human votes, as
// CompareJudges does for two judges; nil when either run has no verdict yet.
func ReferenceAgreement(votes []HumanVote, verdicts []JudgeVerdict, opt Options) *Comparison {
	var r Report
	if err := AddComparison(&r, votes, verdicts, WithReference, WithoutReference, opt); err != nil {
		return nil
	}
	return r.Comparison
}

// ProbeGames are the two games of one probe item as winners in model terms:
// A is the first model of the item (the original answer, or the first run),
// B the second (the padded copy); NoLabel for a game not judged yet.
type ProbeGames struct{ G1, G2 Label }

// judged says whether both games are in, and whether either is an error.
func (p ProbeGames) judged() (done, errored bool) {
	if p.G1 == Error || p.G2 == Error {
		return true, true
	}
	return p.G1 != NoLabel && p.G2 != NoLabel, false
}

// VerbosityProbe scores the repetitive-list attack (STATS.md §10): item i
// compares original O (A) with padded P (B) in both orders; the judge fails
// unless its combined verdict is O or a tie, so
//
//	fail_i = [G1 = P or G2 = P],  failure rate = sum fail_i / n,
//
// over the n items whose two games were judged without error, with a Wilson
// interval at normal quantile z. Inconsistent counts the failures where P won
// in one order only. A judge that always prefers the longer answer fails on
// every item, one that always prefers the shorter on none.
func VerbosityProbe(items []ProbeGames, z float64) (failures Share, inconsistent, errs, pending int) {
	n, k := 0, 0
	for _, it := range items {
		done, bad := it.judged()
		switch {
		case bad:
			errs++
		case !done:
			pending++
		default:
			n++
			if it.G1 == B || it.G2 == B {
				k++
				if it.G1 != it.G2 {
					inconsistent++
				}
			}
		}
	}
	return shareWilson(k, n, z), inconsistent, errs, pending
}

// RepeatProbe scores test-retest repeatability: item i holds the combined
// verdicts of the first run (G1) and the re-run (G2) on one unit, each in
// agreement classes (A, B, tie; inconsistent counts as tie), and
//
//	self-agreement = #(class(G1) = class(G2)) / n,  flip rate = #({G1, G2} = {A, B}) / n,
//
// over the n items both runs judged without error, with Wilson intervals at
// normal quantile z. A judge that disagrees with itself on a share d of units
// cannot agree with humans on more than about 1 - d/2 of them.
func RepeatProbe(items []ProbeGames, z float64) (agree, flips Share, errs, pending int) {
	n, a, f := 0, 0, 0
	for _, it := range items {
		done, bad := it.judged()
		switch {
		case bad:
			errs++
		case !done:
			pending++
		default:
			n++
			c1, c2 := class(it.G1), class(it.G2)
			if c1 == c2 {
				a++
			}
			if c1 != c2 && c1 != clsT && c2 != clsT {
				f++
			}
		}
	}
	return shareWilson(a, n, z), shareWilson(f, n, z), errs, pending
}

// shareWilson is k/n with its Wilson interval (nil when n = 0).
func shareWilson(k, n int, z float64) Share {
	s := Share{Count: k, N: n, Rate: Num(Ratio(float64(k), float64(n)))}
	if n > 0 {
		lo, hi := Wilson(k, n, z)
		s.CI = &Interval{Num(lo), Num(hi)}
	}
	return s
}

// Z returns the normal quantile of a two-sided confidence level (0.95 when
// outside (0, 1)).
func Z(confidence float64) float64 { return Options{Confidence: confidence}.withDefaults().z() }

// ProbeResult scores an experiment of kind ("verbosity" or "repeat") from its
// items' games at normal quantile z.
func ProbeResult(e Experiment, items []ProbeGames, z float64) (*Experiment, error) {
	out := e
	out.Items = len(items)
	switch e.Kind {
	case "verbosity":
		f, inc, errs, pending := VerbosityProbe(items, z)
		out.Failures, out.Inconsistent, out.Errors, out.Pending = &f, inc, errs, pending
		out.Judged = f.N
	case "repeat":
		a, fl, errs, pending := RepeatProbe(items, z)
		out.SelfAgreement, out.Flips, out.Errors, out.Pending = &a, &fl, errs, pending
		out.Judged = a.N
	default:
		return nil, fmt.Errorf("probe result: unknown experiment kind %q", e.Kind)
	}
	return &out, nil
}
