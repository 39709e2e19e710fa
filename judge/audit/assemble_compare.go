package audit

import (
	"fmt"
	"slices"
)

// Comparison is the JSON form of a JudgeComparison: two judges on the units
// both judged, against the same human votes (STATS.md §10).
type Comparison struct {
	Judges          [2]string       `json:"judges"`
	Units           int             `json:"units"`
	HumanUnits      int             `json:"human_units"`
	Questions       int             `json:"questions"`
	Errors          int             `json:"errors"`
	Sides           []ComparedJudge `json:"sides"`
	DiffWithTies    Estimate        `json:"difference_with_ties"`
	DiffWithoutTies Estimate        `json:"difference_without_ties"`
	McNemar         McNemarJSON     `json:"mcnemar"`
}

// ComparedJudge is one judge's side of a Comparison.
type ComparedJudge struct {
	Judge       string `json:"judge"`
	WithTies    Rate   `json:"with_ties"`
	WithoutTies Rate   `json:"without_ties"`
	Consistency Share  `json:"consistency"`
	Spend       *Spend `json:"spend,omitempty"` // cost and latency per verdict (filled by the caller, who holds the games)
}

// Spend is what one judge's verdicts on the compared units cost: means per
// verdict (a unit's games summed, both orders) over the Verdicts units whose
// games carry token counts, so v = sum_units (g1 + g2) / Verdicts for tokens,
// dollars and latency alike.
type Spend struct {
	Model     string   `json:"model"`
	Verdicts  int      `json:"verdicts"`
	TokensIn  Num      `json:"tokens_in"`
	TokensOut Num      `json:"tokens_out"`
	USD       *float64 `json:"usd"`        // tokens priced by the model's row of the price table; null without one (a float: cents of a cent matter)
	LatencyMS Num      `json:"latency_ms"` // the two requests' latencies summed (a batch run's games have none: null)
}

// McNemarJSON is McNemar's exact test: B comparisons only the first judge
// agrees with, C only the second, P the two-sided p-value.
type McNemarJSON struct {
	B int `json:"only_first_agrees"`
	C int `json:"only_second_agrees"`
	P Num `json:"p"`
}

// ConfusionMatrix is the JSON form of a Confusion: Rows are the judge's
// verdicts, Cols the human votes (label spellings of outcome.Winner).
type ConfusionMatrix struct {
	Judge     string   `json:"judge"`
	Rows      []string `json:"rows"`
	Cols      []string `json:"cols"`
	Counts    [][]int  `json:"counts"`
	N         int      `json:"n"`
	Recall    []Num    `json:"recall"`
	Precision []Num    `json:"precision"`
	Accuracy  Num      `json:"accuracy"`
}

// PPIPair is the prediction-powered estimate of the humans' win rate of
// ModelA over ModelB with one judge's help, next to the judge-only and
// human-only estimates (see PPIWinRate).
type PPIPair struct {
	Judge          string      `json:"judge"`
	ModelA         string      `json:"model_a"`
	ModelB         string      `json:"model_b"`
	Units          int         `json:"units"`
	Votes          int         `json:"votes"`
	Questions      int         `json:"questions"`
	Lambda         Num         `json:"lambda"`
	PPI            PPIInterval `json:"ppi"`
	HumanOnly      PPIInterval `json:"human_only"`
	JudgeOnly      PPIInterval `json:"judge_only"`
	EffectiveVotes Num         `json:"effective_votes"`
}

// PPIInterval is a PPIEstimate in JSON.
type PPIInterval struct {
	Value Num       `json:"value"`
	SE    Num       `json:"se"`
	CI    *Interval `json:"ci"`
}

// addJudgeExtras fills the report's confusion matrices and PPI win rates for
// every judge of verdicts against the human votes (opt applied).
func addJudgeExtras(r *Report, votes []HumanVote, verdicts []JudgeVerdict, opt Options) {
	r.Confusion, r.PPI = []*ConfusionMatrix{}, []*PPIPair{}
	for _, j := range r.Judges {
		c, err := JudgeConfusion(votes, verdicts, j, opt)
		if err != nil {
			continue // a judge without a verdict has nothing to show
		}
		r.Confusion = append(r.Confusion, confusionJSON(c))
		r.Warnings = append(r.Warnings, c.Warnings...)
		for _, p := range judgedPairs(verdicts, j, opt) {
			res, err := PPIWinRate(votes, verdicts, j, p[0], p[1], opt)
			if err != nil {
				continue // no human vote on the pair: no estimate to make
			}
			r.PPI = append(r.PPI, ppiJSON(res))
		}
	}
}

// judgedPairs lists the model pairs (sorted names) judge judged, in order.
func judgedPairs(verdicts []JudgeVerdict, judge string, opt Options) [][2]string {
	units, _ := judgeUnits(verdicts, judge, opt)
	var out [][2]string
	for k := range units {
		if p := [2]string{k.a, k.b}; !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(x, y [2]string) int { return slices.Compare(x[:], y[:]) })
	return out
}

func confusionJSON(c *Confusion) *ConfusionMatrix {
	names := func(ls []Label) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = l.String()
		}
		return out
	}
	return &ConfusionMatrix{Judge: c.Judge, Rows: names(ConfusionRows), Cols: names(ConfusionCols), Counts: c.Counts,
		N: c.N, Recall: c.Recall, Precision: c.Precision, Accuracy: c.Accuracy}
}

func ppiJSON(p *PPIResult) *PPIPair {
	iv := func(e PPIEstimate) PPIInterval { return PPIInterval{Value: e.Value, SE: e.SE, CI: e.CI} }
	return &PPIPair{Judge: p.Judge, ModelA: p.ModelA, ModelB: p.ModelB, Units: p.Units, Votes: p.Votes, Questions: p.Questions,
		Lambda: p.Lambda, PPI: iv(p.PPI), HumanOnly: iv(p.HumanOnly), JudgeOnly: iv(p.JudgeOnly), EffectiveVotes: p.EffectiveVotes}
}

// AddComparison compares judges x and y (CompareJudges) on votes and verdicts
// (verdicts must hold both judges') and stores the result in r.Comparison,
// with its warnings appended to r's.
func AddComparison(r *Report, votes []HumanVote, verdicts []JudgeVerdict, x, y string, opt Options) error {
	c, err := CompareJudges(votes, verdicts, x, y, opt)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	side := func(s JudgeSide) ComparedJudge {
		return ComparedJudge{Judge: s.Judge, WithTies: s.WithTies, WithoutTies: s.WithoutTies, Consistency: s.Consistency}
	}
	r.Comparison = &Comparison{
		Judges: [2]string{x, y}, Units: c.Units, HumanUnits: c.HumanUnits, Questions: c.Questions, Errors: c.Errors,
		Sides: []ComparedJudge{side(c.X), side(c.Y)}, DiffWithTies: c.DiffWith, DiffWithoutTies: c.DiffWithout,
		McNemar: McNemarJSON{B: c.McNemar.B, C: c.McNemar.C, P: c.McNemar.P},
	}
	r.Warnings = append(r.Warnings, c.Warnings...)
	return nil
}
