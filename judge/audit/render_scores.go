package audit

import (
	"fmt"
	"strings"
)

// scores renders the Scores section: per judge, the leaderboard with
// intervals and what is not separable, the category means, the difference
// matrix, the score histogram, the agreement of the ratings read as verdicts
// and the close calls across modes.
func (d *doc) scores(s *ScoresSection) {
	d.heading(2, "Scores")
	if s == nil {
		d.para("No single-answer ratings.")
		return
	}
	d.para("%s", s.Scope)
	for _, j := range s.Judges {
		d.heading(3, fmt.Sprintf("%s: MT-Bench score", j.Judge))
		d.para("%d ratings, %d errors left out. Score: the mean of every rated turn (FastChat's show_result.py).", j.Ratings, j.Errors)
		var rows [][]string
		for _, r := range j.Leaderboard {
			row := []string{fmt.Sprint(r.Rank), r.Model, meanCell(r.Score)}
			for _, t := range r.ByTurn {
				row = append(row, fmt.Sprintf("t%d %s", t.Turn, meanCell(t.ScoreStat)))
			}
			sep := ""
			if r.SeparableFromNext != nil {
				sep = map[bool]string{true: "yes", false: "no"}[*r.SeparableFromNext]
			}
			rows = append(rows, append(row, sep))
		}
		head := []string{"rank", "model", "score"}
		if len(j.Leaderboard) > 0 {
			for _, t := range j.Leaderboard[0].ByTurn {
				head = append(head, fmt.Sprintf("turn %d", t.Turn))
			}
		}
		d.table(append(head, "separable from next"), rows)
		for _, s := range j.Separability {
			d.para("%s", s)
		}

		d.scoreStyle(j)

		d.heading(4, fmt.Sprintf("%s: score by category", j.Judge))
		rows = nil
		for _, r := range j.Leaderboard {
			row := []string{r.Model}
			by := map[string]*CategoryScore{}
			for _, c := range r.ByCategory {
				by[c.Category] = c
			}
			for _, c := range j.Categories {
				if x := by[c]; x != nil {
					row = append(row, num(x.Mean, 2))
				} else {
					row = append(row, "")
				}
			}
			rows = append(rows, row)
		}
		d.table(append([]string{"model"}, j.Categories...), rows)

		d.heading(4, fmt.Sprintf("%s: score differences (row minus column)", j.Judge))
		diff := map[[2]string]*ScoreDiff{}
		for _, x := range j.Differences {
			diff[[2]string{x.A, x.B}] = x
		}
		var names []string
		for _, r := range j.Leaderboard {
			names = append(names, r.Model)
		}
		rows = nil
		for i, a := range names {
			row := []string{a}
			for k, b := range names {
				cell := ""
				if x := diff[[2]string{a, b}]; x != nil && k > i {
					cell = fmtSigned(x.Diff) + " " + numCI(x.CI, 2)
					if !x.Separable {
						cell += " ~"
					}
				}
				row = append(row, cell)
			}
			rows = append(rows, row)
		}
		d.table(append([]string{""}, names...), rows)
		d.para("~ marks a difference whose interval includes 0 (not separable).")

		d.heading(4, fmt.Sprintf("%s: score distribution", j.Judge))
		rows = nil
		for _, h := range j.Histograms {
			row := []string{h.Model}
			for _, c := range h.Counts {
				row = append(row, fmt.Sprint(c))
			}
			rows = append(rows, row)
		}
		d.table([]string{"model", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, rows)

		d.heading(4, fmt.Sprintf("%s: ratings as pairwise verdicts", j.Judge))
		d.para("Per unit the higher-rated answer wins, equal ratings tie; agreement counted as for the pairwise judge.")
		rows = nil
		for _, a := range j.Agreement {
			rows = append(rows, []string{j.Judge + " (single) vs " + a.Versus, fmt.Sprint(a.Turn), rateCell(a.WithTies), rateCell(a.WithoutTies)})
		}
		d.table([]string{"comparison", "turn", "with ties", "without ties"}, rows)

		d.heading(4, fmt.Sprintf("%s: close calls across modes", j.Judge))
		rows = nil
		for _, c := range j.CloseCalls {
			further := ""
			if c.FurtherVotes != nil {
				further = fmt.Sprint(*c.FurtherVotes)
			}
			rows = append(rows, []string{c.Pair[0] + " vs " + c.Pair[1], estCell(c.ScoreDiff, 2),
				winCell(c.JudgeWinRate, c.JudgeVerdicts), winCell(c.HumanWinRate, c.Votes), c.Status, further})
		}
		d.table([]string{"pair", "score difference", "pairwise judge: first wins", "humans: first wins", "status", "more votes"}, rows)
	}
}

// meanCell renders a mean score with its interval.
func meanCell(s ScoreStat) string {
	out := num(s.Mean, 2)
	if c := numCI(s.CI, 2); c != "" {
		out += " " + c
	}
	return out
}

func winCell(e *Estimate, n int) string {
	if e == nil {
		return "n/a (0)"
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s (%d)", pct(e.Value), pctCI(e.CI), n))
}

// scoreStyle renders the style regression: coefficients, then the raw and
// style-adjusted scores side by side.
func (d *doc) scoreStyle(j *JudgeScores) {
	d.heading(4, fmt.Sprintf("%s: style in the score", j.Judge))
	st := j.Style
	if st == nil {
		d.para("No style fit (no answer texts, or the style features do not vary).")
		return
	}
	d.para("Least squares of the rating on the answer's style with one intercept per question (%d ratings); rating points per unit (per e-fold of length).", st.Rows)
	var rows [][]string
	for _, c := range st.Coefficients {
		rows = append(rows, []string{c.Name, estCell(&c.Estimate, 3)})
	}
	d.table([]string{"feature", "coefficient"}, rows)
	rows = nil
	for _, m := range st.Models {
		rows = append(rows, []string{m.Model, fmt.Sprintf("%s (#%d)", num(m.Raw, 2), m.RawRank), fmt.Sprintf("%s (#%d)", estCell(m.Adjusted, 2), m.AdjustedRank)})
	}
	d.table([]string{"model", "raw score", "style-adjusted"}, rows)
	if st.OrderChanged {
		d.para("The order changes once style is taken out.")
	} else {
		d.para("The order survives taking style out.")
	}
	for _, p := range st.Preference {
		who := p.Source + " (pairwise verdicts)"
		if p.Source == "human" {
			who = "humans (votes)"
		}
		d.para("Style in the preferences of %s: Bradley-Terry with style differences as covariates, %d comparisons; coefficients in logits per unit of (f_A - f_B) / (f_A + f_B), intervals clustered by question.", who, p.Comparisons)
		rows = nil
		for _, c := range p.Coefficients {
			rows = append(rows, []string{c.Name, estCell(&c.Estimate, 3)})
		}
		d.table([]string{"feature", "coefficient"}, rows)
		rows = nil
		for _, m := range p.Models {
			rows = append(rows, []string{m.Model, fmt.Sprintf("%s (#%d)", num(m.Raw, 3), m.RawRank), fmt.Sprintf("%s (#%d)", num(m.Controlled, 3), m.ControlledRank)})
		}
		d.table([]string{"model", "rating", "style-controlled"}, rows)
	}
}
