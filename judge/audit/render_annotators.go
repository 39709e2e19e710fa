package audit

import (
	"fmt"
	"strings"
)

// scoreCell renders a Score as "rate (n) [lo, hi]".
func scoreCell(s *Score) string {
	if s == nil || s.N == 0 {
		return "n/a"
	}
	out := fmt.Sprintf("%s (%d)", pct(s.Rate), s.N)
	if c := pctCI(s.CI); c != "" {
		out += " " + c
	}
	if s.SmallSample {
		out += "*"
	}
	return out
}

// renderAnnotatorAudit writes the annotator audit section: who was
// excluded, each annotator's figures, the pairwise kappa matrix, and the
// flagged annotators with their reasons.
func renderAnnotatorAudit(d *doc, r *Report) {
	d.heading(2, "Annotator audit")
	a := r.AnnotatorAudit
	if a == nil {
		d.para("(not computed)")
		return
	}
	if len(a.Excluded) > 0 {
		var ex []string
		for _, e := range a.Excluded {
			ex = append(ex, fmt.Sprintf("%s (study %s, %d votes)", e.Annotator, e.Study, e.Votes))
		}
		d.para("Excluded from every figure of this report: %s.", strings.Join(ex, ", "))
	}
	if d.md {
		d.para("Agreement: each annotator's vote against the plurality of the others' votes on the same unit (leave-one-out); gold items (%d answered) count only for gold accuracy. Left rate: share of non-tie votes for the answer shown on the left.", a.GoldItems)
	}
	var rows [][]string
	for _, f := range a.Annotators {
		t := "n/a"
		if f.MedianTimeMS.Valid() {
			t = fmt.Sprintf("%.1fs", float64(f.MedianTimeMS)/1000)
		}
		flag := "-"
		if len(f.Flags) > 0 {
			flag = "flagged"
		}
		rows = append(rows, []string{f.Name, fmt.Sprint(f.Votes), t, scoreCell(f.Agreement), scoreCell(f.AgreementNT), shareCell(f.Gold), shareCell(f.Left), flag})
	}
	d.table([]string{"annotator", "votes", "median time", "agreement", "without ties", "gold accuracy", "left rate", ""}, rows)

	if k := a.Kappa; k != nil && len(k.Annotators) > 1 {
		d.para("Pairwise Cohen's kappa on shared units (blank under %d shared units):", k.MinShared)
		head := append([]string{""}, k.Annotators...)
		rows = nil
		for i, name := range k.Annotators {
			row := []string{name}
			for j := range k.Annotators {
				cell := ""
				switch {
				case i == j:
					cell = "-"
				case k.Kappa[i][j].Valid():
					cell = fmt.Sprintf("%.2f (%d)", float64(k.Kappa[i][j]), k.Shared[i][j])
				case k.Shared[i][j] > 0:
					cell = fmt.Sprintf("(%d)", k.Shared[i][j])
				}
				row = append(row, cell)
			}
			rows = append(rows, row)
		}
		d.table(head, rows)
	}
	if len(a.Flagged) > 0 {
		d.para("Flagged:")
		for _, f := range a.Flagged {
			if d.md {
				d.printf("- **%s**: %s\n", f.Name, strings.Join(f.Reasons, "; "))
			} else {
				d.printf("  %s: %s\n", f.Name, strings.Join(f.Reasons, "; "))
			}
		}
		if d.md {
			d.printf("\n")
		}
	}
}
