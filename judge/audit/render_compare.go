package audit

import "fmt"

// renderComparison writes the judge-vs-judge section (report --compare).
func renderComparison(d *doc, r *Report) {
	c := r.Comparison
	if c == nil {
		return
	}
	d.heading(2, "Judge vs judge")
	d.para("%s vs %s on the %d units both judged (%d with human votes, %d questions; %d units with an error excluded).",
		c.Judges[0], c.Judges[1], c.Units, c.HumanUnits, c.Questions, c.Errors)
	var rows [][]string
	for _, s := range c.Sides {
		cost, latency := "n/a", "n/a"
		if sp := s.Spend; sp != nil {
			if sp.USD != nil {
				cost = fmt.Sprintf("$%.5f", *sp.USD)
			}
			if sp.LatencyMS.Valid() {
				latency = fmt.Sprintf("%.2f s", float64(sp.LatencyMS)/1000)
			}
		}
		rows = append(rows, []string{s.Judge, rateCell(&s.WithTies), rateCell(&s.WithoutTies), shareCell(&s.Consistency), cost, latency})
	}
	d.table([]string{"judge", "agreement with ties", "without ties", "position consistency", "cost per verdict", "latency per verdict"}, rows)
	d.para("Paired difference (%s minus %s, questions resampled together): with ties %s, without ties %s. McNemar's exact test: %d comparisons only %s agrees with, %d only %s, p = %s.",
		c.Judges[0], c.Judges[1], estCell(&c.DiffWithTies, 3), estCell(&c.DiffWithoutTies, 3),
		c.McNemar.B, c.Judges[0], c.McNemar.C, c.Judges[1], num(c.McNemar.P, 4))
}

// renderConfusion writes each judge's confusion matrix against the humans.
func renderConfusion(d *doc, r *Report) {
	if len(r.Confusion) == 0 {
		return
	}
	d.heading(2, "Confusion with humans")
	for _, c := range r.Confusion {
		d.para("%s: rows are the judge's verdicts, columns the human votes (%d comparisons); agreement with ties %s.", c.Judge, c.N, pct(c.Accuracy))
		head := append([]string{"judge \\ human"}, c.Cols...)
		head = append(head, "precision")
		var rows [][]string
		for i, name := range c.Rows {
			row := []string{name}
			for _, n := range c.Counts[i] {
				row = append(row, fmt.Sprint(n))
			}
			rows = append(rows, append(row, pct(c.Precision[i])))
		}
		recall := []string{"recall"}
		for _, x := range c.Recall {
			recall = append(recall, pct(x))
		}
		d.table(head, append(rows, append(recall, "")))
	}
}

// renderPPI writes the prediction-powered human win rates per model pair.
func renderPPI(d *doc, r *Report) {
	if len(r.PPI) == 0 {
		return
	}
	d.heading(2, "Human win rates with the judge's help")
	d.para("Prediction-powered inference (PPI++): the judge's win rate on every unit, corrected by the humans-minus-judge difference on the units both labelled; normal intervals from the question bootstrap. Effective votes: how many human votes alone would give the same precision.")
	var rows [][]string
	for _, p := range r.PPI {
		ppiCell := func(e PPIInterval) string { return pct(e.Value) + " " + pctCI(e.CI) }
		rows = append(rows, []string{p.Judge, p.ModelA + " vs " + p.ModelB, fmt.Sprint(p.Units), fmt.Sprint(p.Votes),
			ppiCell(p.PPI), ppiCell(p.HumanOnly), ppiCell(p.JudgeOnly), num(p.EffectiveVotes, 0), num(p.Lambda, 2)})
	}
	d.table([]string{"judge", "pair (first wins)", "units", "votes", "PPI", "humans only", "judge only", "effective votes", "lambda"}, rows)
}

// renderExperiments writes the judge experiments (concord probe).
func renderExperiments(d *doc, r *Report) {
	if len(r.Experiments) == 0 {
		return
	}
	d.heading(2, "Experiments")
	var rows [][]string
	for _, e := range r.Experiments {
		result := ""
		switch {
		case e.Failures != nil:
			result = "failure rate " + shareCell(e.Failures)
			if e.Inconsistent > 0 {
				result += fmt.Sprintf(", %d inconsistent", e.Inconsistent)
			}
		case e.SelfAgreement != nil:
			result = "self-agreement " + shareCell(e.SelfAgreement) + ", flips " + shareCell(e.Flips)
		case e.FirstWithLetters != nil:
			result = "first position wins " + shareCell(e.FirstWithLetters) + " of decisive games with A/B, " + shareCell(e.FirstWithNames) +
				" with neutral names; label A preference " + estCell(e.LabelPreference, 3)
		case e.FailuresWithReference != nil:
			result = "failures with the reference " + shareCell(e.FailuresWithReference) + ", without " + shareCell(e.FailuresWithoutReference)
		}
		rows = append(rows, []string{fmt.Sprint(e.ID), e.Kind, e.ProbeJudge, fmt.Sprintf("%d/%d", e.Judged, e.Items), fmt.Sprint(e.Errors), fmt.Sprint(e.Pending), result})
	}
	d.table([]string{"id", "probe", "verdicts stored as", "judged", "errors", "pending", "result (Wilson intervals)"}, rows)
	for _, e := range r.Experiments {
		if e.FailuresWithReference != nil {
			renderReferenceProbe(d, e)
		}
	}
}

// renderReferenceProbe writes a reference experiment in the shape of the
// MT-Bench paper's Table 4: failures and agreement with humans, per run.
func renderReferenceProbe(d *doc, e *Experiment) {
	d.para("Experiment %d, reference guidance: %d items where the reference shows one answer wrong, each judged in both orders with the reference-guided prompt and with the plain one; a failure is a combined verdict for the wrong answer.", e.ID, e.Items)
	rows := [][]string{{WithReference, shareCell(e.FailuresWithReference), "n/a", "n/a"}, {WithoutReference, shareCell(e.FailuresWithoutReference), "n/a", "n/a"}}
	if h := e.HumanAgreement; h != nil {
		for i, s := range h.Sides {
			rows[i][2], rows[i][3] = rateCell(&s.WithTies), rateCell(&s.WithoutTies)
		}
	}
	d.table([]string{"run", "failures", "agreement with humans", "without ties"}, rows)
	if h := e.HumanAgreement; h != nil {
		d.para("Difference in agreement (with minus without the reference, questions resampled together): %s; McNemar's exact p = %s over %d units with human votes.",
			estCell(&h.DiffWithTies, 3), num(h.McNemar.P, 4), h.HumanUnits)
	} else {
		d.para("No human vote on these units: agreement with humans not measured.")
	}
}
