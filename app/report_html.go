package app

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"concord/judge/audit"
)

// writeReportHTML writes the audit report as one self-contained HTML file: no
// script, no external resource; the charts are inline SVG drawn here, with
// numbers on hover (SVG titles), readable in light and dark mode. Every string
// from the data goes through html/template.
func writeReportHTML(w io.Writer, r *audit.Report, now time.Time) error {
	v := htmlView(r, now)
	if err := reportTmpl.Execute(w, v); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

// ---- view model ---------------------------------------------------------------

type htmlReport struct {
	Title, Scope, Data, Intervals, Generated string
	Agreement                                []htmlAgreeRow
	AgreementChart                           *svgFig
	Categories                               []htmlPartRow
	CategoryChart                            *svgFig
	Position                                 []htmlPosition
	HumanLeft                                string
	Length                                   []htmlLength
	Boards                                   []htmlBoard
	Tau                                      []string
	CloseCalls                               [][]string
	Annotators                               [][]string
	Warn                                     map[string][]string
}

type htmlAgreeRow struct {
	Who, Turn, WithTies, WithoutTies, Kappa, Other string
	Small                                          bool
}

type htmlPartRow struct{ Name, WithTies, WithoutTies, Kappa string }

type htmlPosition struct {
	Judge, Summary     string
	ByCategory, ByPair *svgFig
	HasBothOrders      bool
}

type htmlLength struct {
	Judge, Summary, Regression string
	Curve                      *svgFig
}

type htmlBoard struct {
	Source string
	Chart  *svgFig
	Rows   [][]string
}

func pctS(n audit.Num) string {
	if !n.Valid() {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n))
}

func ciS(ci *audit.Interval, scale float64, prec int) string {
	if ci == nil || !ci[0].Valid() || !ci[1].Valid() {
		return ""
	}
	return fmt.Sprintf(" [%.*f, %.*f]", prec, scale*float64(ci[0]), prec, scale*float64(ci[1]))
}

func rateS(r *audit.Rate) string {
	if r == nil || r.N == 0 {
		return "n/a"
	}
	s := fmt.Sprintf("%s (%d/%d)%s", pctS(r.Rate), r.Agree, r.N, ciS(r.CI, 100, 1))
	if r.SmallSample {
		s += " *"
	}
	return s
}

func shareS(r *audit.Share) string {
	if r == nil || r.N == 0 {
		return "n/a"
	}
	s := fmt.Sprintf("%s (%d/%d)%s", pctS(r.Rate), r.Count, r.N, ciS(r.CI, 100, 1))
	if r.SmallSample {
		s += " *"
	}
	return s
}

func estS(e *audit.Estimate, prec int) string {
	if e == nil || !e.Value.Valid() {
		return "n/a"
	}
	return fmt.Sprintf("%.*f%s", prec, float64(e.Value), ciS(e.CI, 1, prec))
}

func turnS(t *int) string {
	if t == nil {
		return "all"
	}
	return strconv.Itoa(*t)
}

func htmlView(r *audit.Report, now time.Time) *htmlReport {
	v := &htmlReport{Warn: map[string][]string{}}
	judges := strings.Join(r.Judges, ", ")
	if judges == "" {
		judges = "none"
	}
	v.Title = fmt.Sprintf("Concord audit: %s vs %s humans", judges, r.Humans)
	v.Scope = fmt.Sprintf("Judge: %s. Humans: %s. Turn: %s.", judges, r.Humans, turnS(r.Turn))
	v.Data = fmt.Sprintf("%d questions, %d units, %d human votes by %d annotators.", r.Totals.Questions, r.Totals.Units, r.Totals.Votes, r.Totals.Annotators)
	if r.Bootstrap > 0 {
		v.Intervals = fmt.Sprintf("Intervals: %.0f%% question-clustered percentile bootstrap, %d resamples, seed %d. * marks fewer than 30 observations. Chance agreement: 33.3%% with ties, 50%% without.", 100*r.Confidence, r.Bootstrap, r.Seed)
	} else {
		v.Intervals = "No intervals (bootstrap off). * marks fewer than 30 observations. Chance agreement: 33.3% with ties, 50% without."
	}
	v.Generated = now.UTC().Format("2006-01-02 15:04 UTC")
	for _, w := range r.Warnings {
		s := w.Section
		switch s {
		case audit.SectionAgreement, audit.SectionPosition, audit.SectionLength, audit.SectionModels, audit.SectionAnnotators:
		default:
			s = audit.SectionGeneral // unknown sections go with the general ones (SCHEMA.md)
		}
		v.Warn[s] = append(v.Warn[s], w.Message)
	}

	// Agreement.
	var bars []barRow
	var main *audit.Agreement
	for _, a := range r.Agreement {
		who := a.A
		if who == "human" {
			who = "human vs human"
		} else {
			who += " vs human"
		}
		row := htmlAgreeRow{Who: who, Turn: turnS(a.Turn), WithTies: rateS(a.WithTies), WithoutTies: rateS(a.WithoutTies), Kappa: estS(a.Kappa, 3)}
		if a.Plurality != nil && a.Plurality.N > 0 {
			row.Other = fmt.Sprintf("plurality %s%s", pctS(a.Plurality.Rate), ciS(a.Plurality.CI, 100, 1))
		}
		if a.Alpha != nil && a.Alpha.Value.Valid() {
			row.Other = "alpha " + estS(a.Alpha, 3)
		}
		v.Agreement = append(v.Agreement, row)
		// The chart shows the report's own scope: the filtered turn, or all turns.
		if (r.Turn == nil) == (a.Turn == nil) && (a.Turn == nil || *a.Turn == *r.Turn) {
			cls := "s-judge"
			if a.A == "human" {
				cls = "s-human"
			}
			if a.WithTies != nil && a.WithTies.N > 0 {
				bars = append(bars, barRow{Label: who + ", with ties", Value: a.WithTies.Rate, CI: a.WithTies.CI, Class: cls, Note: rateS(a.WithTies)})
			}
			if a.WithoutTies != nil && a.WithoutTies.N > 0 {
				bars = append(bars, barRow{Label: who + ", without ties", Value: a.WithoutTies.Rate, CI: a.WithoutTies.CI, Class: cls, Note: rateS(a.WithoutTies)})
			}
			if a.A != "human" && main == nil {
				main = a
			}
		}
	}
	if len(bars) > 0 {
		v.AgreementChart = barChart("Agreement with humans", bars, []chanceMark{{1.0 / 3, "chance with ties"}, {0.5, "chance without ties"}})
	}
	if main != nil {
		var cb []barRow
		for _, p := range main.ByCategory {
			v.Categories = append(v.Categories, htmlPartRow{Name: p.Category, WithTies: rateS(p.WithTies), WithoutTies: rateS(p.WithoutTies), Kappa: estS(p.Kappa, 3)})
			if p.WithTies != nil && p.WithTies.N > 0 {
				cb = append(cb, barRow{Label: p.Category, Value: p.WithTies.Rate, CI: p.WithTies.CI, Class: "s-judge", Note: rateS(p.WithTies)})
			}
		}
		if len(cb) > 0 {
			v.CategoryChart = barChart(main.A+" vs human by category (with ties)", cb, []chanceMark{{1.0 / 3, "chance"}})
		}
	}

	// Position bias.
	for _, jp := range r.PositionBias.Judges {
		p := htmlPosition{Judge: jp.Judge, HasBothOrders: jp.Units > 0}
		if jp.Units > 0 {
			p.Summary = fmt.Sprintf("%d units judged in both orders: consistent %d, favours first position %d, favours second %d, errors %d. Preference fairness %s.",
				jp.Units, jp.Consistent, jp.First, jp.Second, jp.Error, estS(&audit.Estimate{Value: jp.PreferenceFairness, CI: jp.PreferenceFairnessCI}, 3))
		}
		if c := jp.CombinedOnly; c != nil {
			p.Summary += fmt.Sprintf(" %d units with a combined verdict only: inconsistent %s (%d)%s.", c.Units, pctS(c.Rate), c.Inconsistent, ciS(c.CI, 100, 1))
		}
		p.ByCategory = positionChart("Position outcomes by category", jp.ByCategory, func(pc *audit.PositionCounts) string { return pc.Category })
		p.ByPair = positionChart("Position outcomes by model pair", jp.ByPair, func(pc *audit.PositionCounts) string {
			if pc.Pair == nil {
				return ""
			}
			return pc.Pair[0] + " / " + pc.Pair[1]
		})
		v.Position = append(v.Position, p)
	}
	if h := r.PositionBias.Humans; h != nil && h.NonTieVotes > 0 {
		v.HumanLeft = fmt.Sprintf("Humans: the left answer wins %s of %d non-tie votes%s (Wilson interval; 50%% = no bias).", pctS(h.Rate), h.NonTieVotes, ciS(h.CI, 100, 1))
	} else {
		v.HumanLeft = "Humans: no vote records which answer was shown on the left."
	}

	// Length bias.
	for _, lb := range r.LengthBias {
		l := htmlLength{Judge: lb.Judge}
		l.Summary = fmt.Sprintf("On length-decisive units (answers differ by more than %d characters) the judge prefers the longer answer %s; humans on the same units %s; excess %s.",
			lb.Margin, shareS(lb.JudgeRate), shareS(lb.HumanRate), estS(lb.Excess, 3))
		if g := lb.Regression; g != nil {
			l.Regression = fmt.Sprintf("Logistic regression of the judge picking model A on tanh(dlen/%.0f) and the human plurality (%d units): length coefficient %s, plurality coefficient %s.",
				float64(g.SD), g.Rows, estS(g.Length, 3), estS(g.Plurality, 3))
		}
		l.Curve = lengthChart(lb)
		v.Length = append(v.Length, l)
	}

	// Leaderboards.
	axis := ratingAxis(r.Models.Sources)
	for _, src := range r.Models.Sources {
		b := htmlBoard{Source: src.Source}
		ms := slices.Clone(src.Models)
		slices.SortStableFunc(ms, func(x, y *audit.ModelStat) int {
			if (x.Rank == 0) != (y.Rank == 0) {
				if x.Rank == 0 {
					return 1
				}
				return -1
			}
			return x.Rank - y.Rank
		})
		var rows []dotRow
		for _, m := range ms {
			b.Rows = append(b.Rows, []string{strconv.Itoa(m.Rank), m.Model, estS(m.Rating, 0), estS(m.WinRate, 3), fmt.Sprintf("%d / %d / %d", m.Wins, m.Losses, m.Ties)})
			if m.Rating != nil && m.Rating.Value.Valid() {
				rows = append(rows, dotRow{Label: m.Model, Value: float64(m.Rating.Value), CI: m.Rating.CI})
			}
		}
		cls := "s-judge"
		if src.Source == "human" {
			cls = "s-human"
		}
		b.Chart = dotChart("Ratings: "+src.Source, rows, cls, axis)
		v.Boards = append(v.Boards, b)
	}
	for _, t := range r.Models.KendallTauB {
		v.Tau = append(v.Tau, fmt.Sprintf("Kendall's tau-b between the human and %s ratings: %s.", t.Judge, estS(t.Tau, 3)))
	}

	for _, c := range r.CloseCalls {
		further := "n/a"
		if c.FurtherVotes != nil {
			further = strconv.Itoa(*c.FurtherVotes)
		}
		v.CloseCalls = append(v.CloseCalls, []string{c.Pair[0] + " vs " + c.Pair[1], strconv.Itoa(c.Votes), estS(c.HumanWinRate, 3),
			estS(c.JudgeWinRate, 3), shareS(c.JudgeConsistency), further, strings.Join(c.Reasons, "; ")})
	}
	anns := slices.Clone(r.Annotators)
	slices.SortStableFunc(anns, func(x, y *audit.Annotator) int { return naturalCompare(x.Name, y.Name) })
	for _, a := range anns {
		t := "n/a"
		if a.MedianTimeMS.Valid() {
			t = fmt.Sprintf("%.1fs", float64(a.MedianTimeMS)/1000)
		}
		left := "n/a"
		if a.Left != nil && a.Left.NonTieVotes > 0 {
			left = fmt.Sprintf("%s (%d)", pctS(a.Left.Rate), a.Left.NonTieVotes)
		}
		v.Annotators = append(v.Annotators, []string{a.Name, a.Group, strconv.Itoa(a.Votes), t, rateS(a.Agreement), rateS(a.AgreementNT), left})
	}
	return v
}

// ---- SVG charts ------------------------------------------------------------------

// svgFig is a chart as a list of shapes; the template draws it.
type svgFig struct {
	W, H  float64
	Label string
	Els   []svgEl
}

// svgEl is one shape: rect (X, Y, W, H), line (X, Y to X2, Y2), text at (X, Y),
// circle (X, Y, R) or polyline (Points). Title is the hover text.
type svgEl struct {
	Kind                  string
	X, Y, W, H, X2, Y2, R float64
	Points                string
	Class, Anchor         string
	Text, Title           string
}

func (f *svgFig) add(e svgEl) { f.Els = append(f.Els, e) }

func (f *svgFig) text(x, y float64, s, anchor, class string) {
	f.add(svgEl{Kind: "text", X: x, Y: y, Text: s, Anchor: anchor, Class: class})
}

type barRow struct {
	Label string
	Value audit.Num
	CI    *audit.Interval
	Class string
	Note  string
}

type chanceMark struct {
	At    float64
	Label string
}

const (
	chartW = 720.0
	labelW = 230.0
)

// barChart draws horizontal bars on a 0 to 100% axis with interval whiskers
// and dashed chance levels.
func barChart(label string, rows []barRow, chance []chanceMark) *svgFig {
	const rowH, top = 24.0, 14.0
	plotW := chartW - labelW - 20
	f := &svgFig{W: chartW, H: top + rowH*float64(len(rows)) + 44, Label: label}
	x := func(p float64) float64 { return labelW + plotW*math.Max(0, math.Min(1, p)) }
	bottom := top + rowH*float64(len(rows))
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		f.add(svgEl{Kind: "line", X: x(t), Y: top - 4, X2: x(t), Y2: bottom, Class: "grid"})
		f.text(x(t), bottom+14, fmt.Sprintf("%.0f%%", 100*t), "middle", "tick")
	}
	for i, r := range rows {
		y := top + rowH*float64(i)
		f.text(labelW-8, y+rowH/2+4, r.Label, "end", "lbl")
		if r.Value.Valid() {
			f.add(svgEl{Kind: "rect", X: x(0), Y: y + 4, W: x(float64(r.Value)) - x(0), H: rowH - 8, Class: r.Class, Title: r.Label + ": " + r.Note})
			if r.CI != nil && r.CI[0].Valid() && r.CI[1].Valid() {
				cy := y + rowH/2
				f.add(svgEl{Kind: "line", X: x(float64(r.CI[0])), Y: cy, X2: x(float64(r.CI[1])), Y2: cy, Class: "whisker"})
				f.add(svgEl{Kind: "line", X: x(float64(r.CI[0])), Y: cy - 5, X2: x(float64(r.CI[0])), Y2: cy + 5, Class: "whisker"})
				f.add(svgEl{Kind: "line", X: x(float64(r.CI[1])), Y: cy - 5, X2: x(float64(r.CI[1])), Y2: cy + 5, Class: "whisker"})
			}
		}
	}
	for i, c := range chance {
		f.add(svgEl{Kind: "line", X: x(c.At), Y: top - 6, X2: x(c.At), Y2: bottom + 2, Class: "chance", Title: c.Label})
		anchor, dx := "middle", 0.0
		if len(chance) > 1 {
			anchor, dx = "end", -4
			if i%2 == 1 {
				anchor, dx = "start", 4
			}
		}
		f.text(x(c.At)+dx, bottom+28, c.Label, anchor, "chance-lbl")
	}
	return f
}

// positionChart draws one stacked bar per scope: consistent, first, second,
// error shares of the units judged in both orders, or, for combined verdicts
// only, consistent versus inconsistent.
func positionChart(label string, parts []*audit.PositionCounts, name func(*audit.PositionCounts) string) *svgFig {
	if len(parts) == 0 {
		return nil
	}
	const rowH, top = 22.0, 30.0
	plotW := chartW - labelW - 20
	f := &svgFig{W: chartW, H: top + rowH*float64(len(parts)) + 26, Label: label}
	x := func(p float64) float64 { return labelW + plotW*p }
	both, combined := false, false
	for _, p := range parts {
		both = both || p.Units > 0
		combined = combined || p.CombinedOnly != nil && p.CombinedOnly.Units > 0
	}
	legend := []struct{ cls, s string }{{"s-cons", "consistent"}}
	if both {
		legend = append(legend, struct{ cls, s string }{"s-first", "favours first"}, struct{ cls, s string }{"s-second", "favours second"})
	}
	if combined {
		legend = append(legend, struct{ cls, s string }{"s-incons", "inconsistent (one combined verdict)"})
	}
	legend = append(legend, struct{ cls, s string }{"s-err", "error"})
	lx := labelW
	for _, l := range legend {
		f.add(svgEl{Kind: "rect", X: lx, Y: 6, W: 10, H: 10, Class: l.cls})
		f.text(lx+14, 15, l.s, "start", "tick")
		lx += 14 + 7*float64(len(l.s)) + 14
	}
	bottom := top + rowH*float64(len(parts))
	for i, p := range parts {
		y := top + rowH*float64(i)
		n := name(p)
		f.text(labelW-8, y+rowH/2+4, n, "end", "lbl")
		var segs []seg
		if p.Units > 0 {
			segs = append(segs, seg{"s-cons", "consistent", p.Consistent, p.Units}, seg{"s-first", "favours first", p.First, p.Units}, seg{"s-second", "favours second", p.Second, p.Units}, seg{"s-err", "error", p.Error, p.Units})
		} else if c := p.CombinedOnly; c != nil && c.Units > 0 {
			segs = append(segs, seg{"s-cons", "consistent", c.Units - c.Inconsistent - c.Error, c.Units}, seg{"s-incons", "inconsistent", c.Inconsistent, c.Units}, seg{"s-err", "error", c.Error, c.Units})
		}
		at := 0.0
		for _, s := range segs {
			if s.n == 0 || s.k == 0 {
				continue
			}
			share := float64(s.k) / float64(s.n)
			f.add(svgEl{Kind: "rect", X: x(at), Y: y + 3, W: x(at+share) - x(at), H: rowH - 6, Class: s.cls,
				Title: fmt.Sprintf("%s: %s %d of %d (%.1f%%)", n, s.what, s.k, s.n, 100*share)})
			at += share
		}
	}
	for _, t := range []float64{0, 0.5, 1} {
		f.text(x(t), bottom+14, fmt.Sprintf("%.0f%%", 100*t), "middle", "tick")
	}
	return f
}

// lengthChart draws the judge's and the humans' preference for the longer
// answer per length-ratio bucket, with interval whiskers and the 50% line.
func lengthChart(lb *audit.LengthBias) *svgFig {
	if len(lb.Curve) == 0 {
		return nil
	}
	const left, top, plotH = 60.0, 30.0, 200.0
	plotW := chartW - left - 30
	f := &svgFig{W: chartW, H: top + plotH + 50, Label: "Preference for the longer answer by length ratio"}
	n := len(lb.Curve)
	x := func(i int) float64 { return left + plotW*(float64(i)+0.5)/float64(n) }
	y := func(p float64) float64 { return top + plotH*(1-math.Max(0, math.Min(1, p))) }
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		cls := "grid"
		if t == 0.5 {
			cls = "chance"
		}
		f.add(svgEl{Kind: "line", X: left, Y: y(t), X2: left + plotW, Y2: y(t), Class: cls})
		f.text(left-6, y(t)+4, fmt.Sprintf("%.0f%%", 100*t), "end", "tick")
	}
	f.add(svgEl{Kind: "rect", X: left, Y: 6, W: 10, H: 10, Class: "s-judge"})
	f.text(left+14, 15, "judge ("+lb.Judge+")", "start", "tick")
	f.add(svgEl{Kind: "rect", X: left + 200, Y: 6, W: 10, H: 10, Class: "s-human"})
	f.text(left+214, 15, "humans, same units", "start", "tick")
	series := []struct {
		cls, who string
		get      func(*audit.LengthBucket) *audit.Share
		dx       float64
	}{
		{"s-judge", "judge", func(b *audit.LengthBucket) *audit.Share { return b.JudgeRate }, -4},
		{"s-human", "humans", func(b *audit.LengthBucket) *audit.Share { return b.HumanRate }, 4},
	}
	for i, b := range lb.Curve {
		lo := float64(b.LogRatioMin)
		hi := "inf"
		if b.LogRatioMax.Valid() {
			hi = fmt.Sprintf("%.2f", float64(b.LogRatioMax))
		}
		f.text(x(i), top+plotH+16, fmt.Sprintf("(%.2f, %s]", lo, hi), "middle", "tick")
	}
	f.text(left+plotW/2, top+plotH+36, "log(longer / shorter length)", "middle", "tick")
	for _, s := range series {
		var pts []string
		for i, b := range lb.Curve {
			sh := s.get(b)
			if sh == nil || sh.N == 0 || !sh.Rate.Valid() {
				continue
			}
			cx, cy := x(i)+s.dx, y(float64(sh.Rate))
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", cx, cy))
			if sh.CI != nil && sh.CI[0].Valid() && sh.CI[1].Valid() {
				f.add(svgEl{Kind: "line", X: cx, Y: y(float64(sh.CI[0])), X2: cx, Y2: y(float64(sh.CI[1])), Class: "whisker " + s.cls + "-stroke"})
			}
			title := fmt.Sprintf("%s: %s", s.who, shareS(sh))
			if b.Excess != nil && b.Excess.Value.Valid() {
				title += "; excess " + estS(b.Excess, 3)
			}
			f.add(svgEl{Kind: "circle", X: cx, Y: cy, R: 4.5, Class: s.cls, Title: title})
		}
		if len(pts) > 1 {
			f.Els = append([]svgEl{{Kind: "polyline", Points: strings.Join(pts, " "), Class: "curve " + s.cls + "-stroke"}}, f.Els...)
		}
	}
	return f
}

// seg is one part of a stacked bar: k of n in the class cls.
type seg struct {
	cls, what string
	k, n      int
}

type dotRow struct {
	Label string
	Value float64
	CI    *audit.Interval
}

// naturalCompare orders names with their digit runs compared as numbers
// (expert_2 before expert_10).
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// ratingAxis is the rating range [lo, hi] shared by every leaderboard (so
// the human and judge charts compare at a glance): every rating and interval
// end, rounded out to 50 points.
func ratingAxis(sources []*audit.ModelSource) [2]float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, src := range sources {
		for _, m := range src.Models {
			if m.Rating == nil || !m.Rating.Value.Valid() {
				continue
			}
			v := float64(m.Rating.Value)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
			if ci := m.Rating.CI; ci != nil && ci[0].Valid() && ci[1].Valid() {
				lo, hi = math.Min(lo, float64(ci[0])), math.Max(hi, float64(ci[1]))
			}
		}
	}
	if math.IsInf(lo, 0) {
		return [2]float64{950, 1050}
	}
	lo, hi = math.Floor(lo/50)*50, math.Ceil(hi/50)*50
	if hi <= lo {
		lo, hi = lo-50, hi+50
	}
	return [2]float64{lo, hi}
}

// dotChart draws ratings as dots with interval whiskers on the axis [lo, hi].
func dotChart(label string, rows []dotRow, cls string, axis [2]float64) *svgFig {
	if len(rows) == 0 {
		return nil
	}
	lo, hi := axis[0], axis[1]
	const w, lw, rowH, top = 420.0, 140.0, 22.0, 8.0
	plotW := w - lw - 16
	f := &svgFig{W: w, H: top + rowH*float64(len(rows)) + 40, Label: label}
	x := func(v float64) float64 { return lw + plotW*(v-lo)/(hi-lo) }
	bottom := top + rowH*float64(len(rows))
	step := 50.0
	for (hi-lo)/step > 6 {
		step *= 2
	}
	for t := lo; t <= hi+1e-9; t += step {
		f.add(svgEl{Kind: "line", X: x(t), Y: top, X2: x(t), Y2: bottom, Class: "grid"})
		f.text(x(t), bottom+14, fmt.Sprintf("%.0f", t), "middle", "tick")
	}
	f.text(lw+plotW/2, bottom+32, "Bradley-Terry rating (Elo scale)", "middle", "tick")
	for i, r := range rows {
		cy := top + rowH*float64(i) + rowH/2
		f.text(lw-8, cy+4, r.Label, "end", "lbl")
		title := fmt.Sprintf("%s: %.0f", r.Label, r.Value)
		if r.CI != nil && r.CI[0].Valid() && r.CI[1].Valid() {
			f.add(svgEl{Kind: "line", X: x(float64(r.CI[0])), Y: cy, X2: x(float64(r.CI[1])), Y2: cy, Class: "whisker"})
			title += fmt.Sprintf(" [%.0f, %.0f]", float64(r.CI[0]), float64(r.CI[1]))
		}
		f.add(svgEl{Kind: "circle", X: x(r.Value), Y: cy, R: 5, Class: cls, Title: title})
	}
	return f
}

// ---- template -------------------------------------------------------------------

func fnum(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{"f": fnum}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{.Title}}</title>
<style>
:root { color-scheme: light dark; --bg:#fafaf9; --fg:#1c1917; --muted:#57534e; --line:#d6d3d1; --card:#fff;
  --judge:#2563eb; --human:#d97706; --cons:#16a34a; --first:#dc2626; --second:#7c3aed; --err:#78716c; --incons:#e11d48; }
@media (prefers-color-scheme: dark) { :root { --bg:#1c1917; --fg:#f5f5f4; --muted:#a8a29e; --line:#44403c; --card:#292524;
  --judge:#60a5fa; --human:#fbbf24; --cons:#4ade80; --first:#f87171; --second:#a78bfa; --err:#a8a29e; --incons:#fb7185; } }
body { margin:0; background:var(--bg); color:var(--fg); font:15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 60px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; } h2 { font-size: 1.2rem; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1rem; margin: 18px 0 6px; }
.muted { color: var(--muted); } .small { font-size: .85rem; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: .88rem; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
.warn { border-left: 3px solid #f59e0b; background: color-mix(in srgb, #f59e0b 10%, transparent); padding: 6px 10px; margin: 8px 0; font-size: .88rem; }
.warn p { margin: 2px 0; }
figure { margin: 10px 0 16px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
figcaption { font-size: .85rem; color: var(--muted); margin: 0 0 4px 4px; }
svg.chart { width: 100%; height: auto; display: block; }
svg .lbl { fill: var(--fg); font-size: 12px; } svg .tick { fill: var(--muted); font-size: 11px; }
svg .grid { stroke: var(--line); stroke-width: 1; } svg .chance { stroke: var(--muted); stroke-dasharray: 4 3; stroke-width: 1.2; }
svg .chance-lbl { fill: var(--muted); font-size: 11px; }
svg .whisker { stroke: var(--fg); stroke-width: 1.4; }
svg .s-judge { fill: var(--judge); } svg .s-human { fill: var(--human); } svg .s-cons { fill: var(--cons); }
svg .s-first { fill: var(--first); } svg .s-second { fill: var(--second); } svg .s-err { fill: var(--err); } svg .s-incons { fill: var(--incons); }
svg .s-judge-stroke { stroke: var(--judge); } svg .s-human-stroke { stroke: var(--human); }
svg .curve { fill: none; stroke-width: 2; }
.boards { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
</style>
</head>
<body><main>
{{define "fig"}}{{if .}}<figure><figcaption>{{.Label}}</figcaption><svg class="chart" viewBox="0 0 {{f .W}} {{f .H}}" role="img" aria-label="{{.Label}}">
{{range .Els}}{{if eq .Kind "rect"}}<rect x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}" class="{{.Class}}">{{if .Title}}<title>{{.Title}}</title>{{end}}</rect>
{{else if eq .Kind "line"}}<line x1="{{f .X}}" y1="{{f .Y}}" x2="{{f .X2}}" y2="{{f .Y2}}" class="{{.Class}}">{{if .Title}}<title>{{.Title}}</title>{{end}}</line>
{{else if eq .Kind "circle"}}<circle cx="{{f .X}}" cy="{{f .Y}}" r="{{f .R}}" class="{{.Class}}">{{if .Title}}<title>{{.Title}}</title>{{end}}</circle>
{{else if eq .Kind "polyline"}}<polyline points="{{.Points}}" class="{{.Class}}"/>
{{else if eq .Kind "text"}}<text x="{{f .X}}" y="{{f .Y}}" text-anchor="{{.Anchor}}" class="{{.Class}}">{{.Text}}</text>
{{end}}{{end}}</svg></figure>{{end}}{{end}}
{{define "warn"}}{{if .}}<div class="warn">{{range .}}<p>⚠ {{.}}</p>{{end}}</div>{{end}}{{end}}
<h1>{{.Title}}</h1>
<p class="muted">{{.Scope}} {{.Data}}<br>{{.Intervals}}<br>Generated by Concord, {{.Generated}}.</p>
{{template "warn" index .Warn "general"}}

<h2 id="agreement">Agreement with humans</h2>
<table><thead><tr><th>comparison</th><th>turn</th><th>with ties</th><th>without ties</th><th>Cohen's kappa</th><th>other</th></tr></thead><tbody>
{{range .Agreement}}<tr><td>{{.Who}}</td><td>{{.Turn}}</td><td>{{.WithTies}}</td><td>{{.WithoutTies}}</td><td>{{.Kappa}}</td><td>{{.Other}}</td></tr>
{{end}}</tbody></table>
{{template "warn" index .Warn "agreement"}}
{{template "fig" .AgreementChart}}
{{if .Categories}}<h3>By category</h3>
<table><thead><tr><th>category</th><th>with ties</th><th>without ties</th><th>kappa</th></tr></thead><tbody>
{{range .Categories}}<tr><td>{{.Name}}</td><td>{{.WithTies}}</td><td>{{.WithoutTies}}</td><td>{{.Kappa}}</td></tr>
{{end}}</tbody></table>{{template "fig" .CategoryChart}}{{end}}

<h2 id="position">Position bias</h2>
{{range .Position}}<h3>{{.Judge}}</h3><p>{{.Summary}}</p>{{template "fig" .ByCategory}}{{template "fig" .ByPair}}{{end}}
<p>{{.HumanLeft}}</p>
{{template "warn" index .Warn "position"}}

<h2 id="length">Length bias</h2>
{{range .Length}}<h3>{{.Judge}}</h3><p>{{.Summary}}</p>{{template "fig" .Curve}}{{if .Regression}}<p class="small muted">{{.Regression}}</p>{{end}}{{end}}
{{template "warn" index .Warn "length"}}

<h2 id="models">Leaderboards</h2>
{{range .Tau}}<p>{{.}}</p>{{end}}
<div class="boards">{{range .Boards}}<div><h3>{{.Source}}</h3>{{template "fig" .Chart}}
<table><thead><tr><th>rank</th><th>model</th><th>rating</th><th>win rate</th><th>W / L / T</th></tr></thead><tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table></div>{{end}}</div>
{{template "warn" index .Warn "models"}}

<h2 id="close-calls">Close calls</h2>
{{if .CloseCalls}}<table><thead><tr><th>pair</th><th>votes</th><th>humans: first wins</th><th>judge: first wins</th><th>judge consistency</th><th>more votes needed</th><th>why</th></tr></thead><tbody>
{{range .CloseCalls}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>{{else}}<p class="muted">None.</p>{{end}}

<h2 id="annotators">Annotators</h2>
<table><thead><tr><th>annotator</th><th>group</th><th>votes</th><th>median time</th><th>agreement with others</th><th>without ties</th><th>left wins</th></tr></thead><tbody>
{{range .Annotators}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table>
{{template "warn" index .Warn "annotators"}}
</main></body></html>
`))
