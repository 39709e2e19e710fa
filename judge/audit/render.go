package audit

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes a readable terminal summary of the report.
func WriteText(w io.Writer, r *Report) error { return render(w, r, false) }

// WriteMarkdown writes the report as a shareable Markdown audit document.
func WriteMarkdown(w io.Writer, r *Report) error { return render(w, r, true) }

type doc struct {
	w   io.Writer
	md  bool
	err error
}

func (d *doc) printf(format string, args ...any) {
	if d.err == nil {
		_, d.err = fmt.Fprintf(d.w, format, args...)
	}
}

func (d *doc) heading(level int, title string) {
	if d.md {
		d.printf("\n%s %s\n\n", strings.Repeat("#", level), title)
		return
	}
	if level == 1 {
		d.printf("%s\n%s\n", title, strings.Repeat("=", len(title)))
		return
	}
	d.printf("\n%s\n%s\n", title, strings.Repeat("-", len(title)))
}

func (d *doc) para(format string, args ...any) {
	d.printf(format+"\n", args...)
	if d.md {
		d.printf("\n")
	}
}

func (d *doc) table(head []string, rows [][]string) {
	if len(rows) == 0 {
		d.para("(none)")
		return
	}
	if d.md {
		esc := func(cells []string) string {
			out := make([]string, len(cells))
			for i, c := range cells {
				out[i] = strings.ReplaceAll(c, "|", `\|`)
			}
			return "| " + strings.Join(out, " | ") + " |\n"
		}
		d.printf("%s", esc(head))
		sep := make([]string, len(head))
		for i := range sep {
			sep[i] = "---"
		}
		d.printf("|%s|\n", strings.Join(sep, "|"))
		for _, r := range rows {
			d.printf("%s", esc(r))
		}
		d.printf("\n")
		return
	}
	tw := tabwriter.NewWriter(d.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil && d.err == nil {
		d.err = err
	}
}

func pct(n Num) string {
	if !n.Valid() {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n))
}

func pctCI(ci *Interval) string {
	if ci == nil || !ci[0].Valid() {
		return ""
	}
	return fmt.Sprintf("[%.1f, %.1f]", 100*float64(ci[0]), 100*float64(ci[1]))
}

func num(n Num, prec int) string {
	if !n.Valid() {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", prec, float64(n))
}

func numCI(ci *Interval, prec int) string {
	if ci == nil || !ci[0].Valid() {
		return ""
	}
	return fmt.Sprintf("[%.*f, %.*f]", prec, float64(ci[0]), prec, float64(ci[1]))
}

func estCell(e *Estimate, prec int) string {
	if e == nil {
		return "n/a"
	}
	s := num(e.Value, prec)
	if c := numCI(e.CI, prec); c != "" {
		s += " " + c
	}
	return s
}

func rateCell(r *Rate) string {
	if r == nil {
		return "n/a"
	}
	return countCell(r.Rate, r.Agree, r.N, r.CI, r.SmallSample)
}

func shareCell(r *Share) string {
	if r == nil {
		return "n/a"
	}
	return countCell(r.Rate, r.Count, r.N, r.CI, r.SmallSample)
}

// countCell renders "rate (k/n) [lo, hi]", starred when the sample is small.
func countCell(rate Num, k, n int, ci *Interval, small bool) string {
	s := fmt.Sprintf("%s (%d/%d)", pct(rate), k, n)
	if c := pctCI(ci); c != "" {
		s += " " + c
	}
	if small {
		s += " *"
	}
	return s
}

func turnName(t *int) string {
	if t == nil {
		return "both"
	}
	return fmt.Sprint(*t)
}

func render(w io.Writer, r *Report, md bool) error {
	d := &doc{w: w, md: md}
	d.heading(1, "Concord audit report")
	judges := "none"
	if len(r.Judges) > 0 {
		judges = strings.Join(r.Judges, ", ")
	}
	turn := "all turns"
	if r.Turn != nil {
		turn = fmt.Sprintf("turn %d", *r.Turn)
	}
	ci := "no intervals (bootstrap off)"
	if r.Bootstrap > 0 {
		ci = fmt.Sprintf("%.0f%% question-clustered percentile bootstrap intervals, %d resamples, seed %d", 100*r.Confidence, r.Bootstrap, r.Seed)
	}
	d.para("Judge: %s. Humans: %s. Scope: %s.", judges, r.Humans, turn)
	d.para("Data: %d questions, %d units, %d human votes by %d annotators.", r.Totals.Questions, r.Totals.Units, r.Totals.Votes, r.Totals.Annotators)
	d.para("Rates show count and %s; * marks fewer than the minimum sample.", ci)

	d.heading(2, "Agreement with humans")
	if md {
		d.para("With ties: every comparison of one vote with another on the same unit (humans: pairs of different annotators); without ties: dropping comparisons where either side is a tie. Chance is 1/3 and 1/2.")
	}
	var rows [][]string
	for _, a := range r.Agreement {
		row := []string{a.A, turnName(a.Turn), rateCell(a.WithTies), rateCell(a.WithoutTies), estCell(a.Kappa, 3)}
		extra := ""
		if a.Plurality != nil {
			extra = "plurality " + pct(a.Plurality.Rate) + " " + pctCI(a.Plurality.CI)
		}
		if a.Alpha != nil {
			extra = "alpha " + estCell(a.Alpha, 3)
		}
		rows = append(rows, append(row, extra))
	}
	d.table([]string{"who", "turn", "with ties", "without ties", "kappa", "other"}, rows)
	for _, a := range r.Agreement {
		if len(a.ByCategory) == 0 || a.A == "human" && len(r.Judges) > 0 && !md {
			continue
		}
		d.heading(3, fmt.Sprintf("%s vs human by category", a.A))
		rows = nil
		for _, p := range a.ByCategory {
			rows = append(rows, []string{p.Category, rateCell(p.WithTies), rateCell(p.WithoutTies), estCell(p.Kappa, 3)})
		}
		d.table([]string{"category", "with ties", "without ties", "kappa"}, rows)
		if md {
			d.heading(3, fmt.Sprintf("%s vs human by model pair", a.A))
			rows = nil
			for _, p := range a.ByPair {
				rows = append(rows, []string{p.Pair[0] + " vs " + p.Pair[1], rateCell(p.WithTies), rateCell(p.WithoutTies), estCell(p.Kappa, 3)})
			}
			d.table([]string{"pair", "with ties", "without ties", "kappa"}, rows)
		}
	}

	d.heading(2, "Position bias")
	for _, j := range r.PositionBias.Judges {
		if j.Units > 0 {
			d.para("%s, %d units judged in both orders: consistent %s %s, first %s %s, second %s %s, errors %d; preference fairness %s %s (negative favours the first position).",
				j.Judge, j.Units, pct(j.ConsistentRate.Value), pctCI(j.ConsistentRate.CI), pct(j.FirstRate.Value), pctCI(j.FirstRate.CI),
				pct(j.SecondRate.Value), pctCI(j.SecondRate.CI), j.Error, num(j.PreferenceFairness, 3), numCI(j.PreferenceFairnessCI, 3))
		}
		if co := j.CombinedOnly; co != nil {
			d.para("%s, %d units with a combined verdict only: inconsistent %s (%d) %s.", j.Judge, co.Units, pct(co.Rate), co.Inconsistent, pctCI(co.CI))
		}
		if md && j.Units > 0 {
			rows = nil
			for _, p := range j.ByCategory {
				rows = append(rows, []string{p.Category, fmt.Sprint(p.Units), pct(p.ConsistentRate.Value), pct(p.FirstRate.Value), pct(p.SecondRate.Value), num(p.PreferenceFairness, 3)})
			}
			d.table([]string{"category", "units", "consistent", "first", "second", "fairness"}, rows)
		}
	}
	if h := r.PositionBias.Humans; h != nil {
		if h.NonTieVotes > 0 {
			d.para("Humans: the left answer won %s of %d non-tie votes %s (0.5 = no bias).", pct(h.Rate), h.NonTieVotes, pctCI(h.CI))
		} else {
			d.para("Humans: no vote records the left/right order.")
		}
	}

	d.heading(2, "Length bias")
	for _, l := range r.LengthBias {
		d.para("%s on length-decisive units (answers differ by more than %d characters): judge prefers the longer answer %s; humans on the same units %s; judge excess %s.",
			l.Judge, l.Margin, shareCell(l.JudgeRate), shareCell(l.HumanRate), estCell(l.Excess, 3))
		rows = nil
		for _, b := range l.Curve {
			hi := "inf"
			if b.LogRatioMax.Valid() {
				hi = num(b.LogRatioMax, 2)
			}
			rows = append(rows, []string{fmt.Sprintf("(%s, %s]", num(b.LogRatioMin, 2), hi), shareCell(b.JudgeRate), shareCell(b.HumanRate), estCell(b.Excess, 3)})
		}
		d.table([]string{"log length ratio", "judge", "humans", "excess"}, rows)
		if g := l.Regression; g != nil {
			d.para("Logistic regression of the judge picking model A on tanh(dlen/%.0f) and the human plurality (%d units): length coefficient %s, plurality coefficient %s.",
				float64(g.SD), g.Rows, estCell(g.Length, 3), estCell(g.Plurality, 3))
		}
	}

	d.heading(2, "Models")
	for _, s := range r.Models.Sources {
		d.heading(3, "Leaderboard: "+s.Source)
		rows = nil
		ms := append([]*ModelStat{}, s.Models...)
		sortModels(ms)
		for _, m := range ms {
			rows = append(rows, []string{fmt.Sprint(m.Rank), m.Model, fmt.Sprintf("%d-%d-%d", m.Wins, m.Losses, m.Ties), pct(m.WinRate.Value) + " " + pctCI(m.WinRate.CI), estCell(m.Rating, 0)})
		}
		d.table([]string{"rank", "model", "W-L-T", "win rate", "Bradley-Terry (Elo)"}, rows)
	}
	for _, k := range r.Models.KendallTauB {
		d.para("Kendall's tau-b between the human and %s ratings: %s.", k.Judge, estCell(k.Tau, 3))
	}
	if len(r.Models.SelfPreference) > 0 {
		d.heading(3, "Judge win rate minus human win rate, same units")
		rows = nil
		for _, s := range r.Models.SelfPreference {
			rows = append(rows, []string{s.Judge, s.Model, pct(s.JudgeWinRate), pct(s.HumanWinRate), estCell(s.Difference, 3)})
		}
		d.table([]string{"judge", "model", "judge", "humans", "difference"}, rows)
	}

	d.heading(2, "Close calls")
	rows = nil
	limit := len(r.CloseCalls)
	if !md {
		limit = min(limit, 15)
	}
	for _, c := range r.CloseCalls[:limit] {
		further := "unbounded"
		if c.FurtherVotes != nil {
			further = fmt.Sprint(*c.FurtherVotes)
		}
		cons := ""
		if c.JudgeConsistency != nil {
			cons = shareCell(c.JudgeConsistency)
		}
		judgeRate := ""
		if c.JudgeWinRate != nil {
			judgeRate = pct(c.JudgeWinRate.Value) + " " + pctCI(c.JudgeWinRate.CI)
		}
		rows = append(rows, []string{c.Pair[0] + " vs " + c.Pair[1], fmt.Sprint(c.Votes), pct(c.HumanWinRate.Value) + " " + pctCI(c.HumanWinRate.CI), judgeRate, cons, further, strings.Join(c.Reasons, "; ")})
	}
	d.table([]string{"pair", "votes", "humans: first wins", "judge: first wins", "judge consistency", "more votes", "why"}, rows)
	if limit < len(r.CloseCalls) {
		d.para("... and %d more (see --format markdown or json).", len(r.CloseCalls)-limit)
	}

	d.scores(r.Scores)

	d.heading(2, "Annotators")
	rows = nil
	limit = len(r.Annotators)
	if !md {
		limit = min(limit, 20)
	}
	for _, a := range r.Annotators[:limit] {
		t := "n/a"
		if a.MedianTimeMS.Valid() {
			t = fmt.Sprintf("%.1fs", float64(a.MedianTimeMS)/1000)
		}
		left := "n/a"
		if a.Left.NonTieVotes > 0 {
			left = fmt.Sprintf("%s (%d)", pct(a.Left.Rate), a.Left.NonTieVotes)
		}
		rows = append(rows, []string{a.Name, a.Group, fmt.Sprint(a.Votes), t, rateCell(a.Agreement), left})
	}
	d.table([]string{"annotator", "group", "votes", "median time", "agreement with others", "left wins"}, rows)
	if limit < len(r.Annotators) {
		d.para("... and %d more.", len(r.Annotators)-limit)
	}

	renderComparison(d, r)
	renderConfusion(d, r)
	renderPPI(d, r)
	renderExperiments(d, r)
	renderAnnotatorAudit(d, r)

	if len(r.Warnings) > 0 {
		d.heading(2, "Warnings")
		for _, w := range r.Warnings {
			if md {
				d.printf("- %s (%s)\n", w.Message, w.Section)
			} else {
				d.printf("  ! %s\n", w.Message)
			}
		}
	}
	return d.err
}

func sortModels(ms []*ModelStat) {
	for i := 1; i < len(ms); i++ {
		for k := i; k > 0 && less(ms[k], ms[k-1]); k-- {
			ms[k], ms[k-1] = ms[k-1], ms[k]
		}
	}
}

func less(a, b *ModelStat) bool {
	if (a.Rank == 0) != (b.Rank == 0) {
		return b.Rank == 0
	}
	return a.Rank < b.Rank
}
