package audit

import (
	"encoding/json"
	"math"
	"strconv"
)

// SchemaVersion is the version of the JSON form of Report (see SCHEMA.md).
// Version 2 made each warning an object with the section it qualifies;
// version 3 added scores, the single-answer ratings' section.
const SchemaVersion = 3

// Sections of the report a Warning can qualify.
const (
	SectionGeneral    = "general"    // the data as a whole (excluded or repeated records)
	SectionAgreement  = "agreement"  // agreement rates, kappa, plurality
	SectionPosition   = "position"   // judge position bias and human left bias
	SectionLength     = "length"     // length bias and its regression
	SectionModels     = "models"     // leaderboards and rank correlation
	SectionAnnotators = "annotators" // per-annotator figures
)

// Warning is a caveat on the report's figures: Section names the part of the
// report whose numbers it qualifies (one of the Section constants), so a
// reader can show it next to them.
type Warning struct {
	Section string `json:"section"`
	Message string `json:"message"`
}

// String returns the message.
func (w Warning) String() string { return w.Message }

// Num is a statistic that marshals to JSON with at most 4 decimals, and as null
// when it is NaN or infinite (an undefined statistic, explained in Warnings).
type Num float64

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, math.Round(f*1e4)/1e4, 'f', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler; null becomes NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// Valid reports whether the statistic is defined.
func (n Num) Valid() bool { return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0) }

// Interval is a percentile bootstrap (or Wilson) confidence interval.
type Interval [2]Num

// Rate is an agreement rate agree/n with its interval.
type Rate struct {
	Agree       int       `json:"agree"`
	N           int       `json:"n"`
	Rate        Num       `json:"rate"`
	CI          *Interval `json:"ci"`
	SmallSample bool      `json:"small_sample,omitempty"`
}

// Share is a proportion count/n with its interval.
type Share struct {
	Count       int       `json:"count"`
	N           int       `json:"n"`
	Rate        Num       `json:"rate"`
	CI          *Interval `json:"ci"`
	SmallSample bool      `json:"small_sample,omitempty"`
}

// Score is the agreement with the human plurality: score/n where a unit scores 1/k
// when the judge matches one of k most frequent human votes.
type Score struct {
	Score       Num       `json:"score"`
	N           int       `json:"n"`
	Rate        Num       `json:"rate"`
	CI          *Interval `json:"ci"`
	SmallSample bool      `json:"small_sample,omitempty"`
}

// Estimate is a point estimate with its interval.
type Estimate struct {
	Value Num       `json:"value"`
	CI    *Interval `json:"ci"`
}

// Report is the full audit. Its JSON form is documented in SCHEMA.md.
type Report struct {
	SchemaVersion int           `json:"schema_version"`
	Humans        string        `json:"humans"`
	Judges        []string      `json:"judges"`
	Turn          *int          `json:"turn"`
	Bootstrap     int           `json:"bootstrap"` // resamples drawn; 0 when intervals are off
	Seed          uint64        `json:"seed"`
	Confidence    float64       `json:"confidence"`
	Totals        Totals        `json:"totals"`
	Agreement     []*Agreement  `json:"agreement"`
	PositionBias  PositionBias  `json:"position_bias"`
	LengthBias    []*LengthBias `json:"length_bias"`
	Models        Models        `json:"models"`
	CloseCalls    []*CloseCall  `json:"close_calls"`
	Annotators    []*Annotator  `json:"annotators"`
	Warnings      []Warning     `json:"warnings"`

	// Judge vs judge and each judge against the humans (assemble_compare.go).
	Comparison *Comparison        `json:"comparison"` // report --compare; null otherwise
	Confusion  []*ConfusionMatrix `json:"confusion"`  // each judge's verdicts against the human votes
	PPI        []*PPIPair         `json:"ppi"`        // humans' win rate per model pair, prediction-powered

	// Judge experiments (experiments.go): the probes run on the report's judge.
	Experiments []*Experiment `json:"experiments"`

	// AnnotatorAudit is the audit of the annotators of studies (STATS.md
	// §9); nil when the report was computed without it.
	AnnotatorAudit *AnnotatorAuditSection `json:"annotator_audit"`

	// Scores is the single-answer ratings section (assemble_scores.go).
	Scores *ScoresSection `json:"scores"` // null without single-answer ratings
}

// Totals counts what the report rests on.
type Totals struct {
	Questions          int            `json:"questions"`
	Units              int            `json:"units"`
	Votes              int            `json:"votes"`
	Annotators         int            `json:"annotators"`
	Verdicts           map[string]int `json:"verdicts"`
	JudgeErrors        map[string]int `json:"judge_errors"`
	ExcludedHumanVotes int            `json:"excluded_human_votes"`
}

// Agreement compares a judge (A = judge name) or humans (A = "human") with the
// human group, for one turn (Turn) or all turns (Turn = nil).
type Agreement struct {
	A      string `json:"a"`
	B      string `json:"b"`
	Humans string `json:"humans"`
	Turn   *int   `json:"turn"`
	*AgreementPart
	ByCategory []*AgreementPart `json:"by_category,omitempty"`
	ByPair     []*AgreementPart `json:"by_pair,omitempty"`
}

// AgreementPart holds the agreement figures of one scope.
type AgreementPart struct {
	Category    string     `json:"category,omitempty"`
	Pair        *[2]string `json:"pair,omitempty"`
	WithTies    *Rate      `json:"with_ties"`
	WithoutTies *Rate      `json:"without_ties"`
	Kappa       *Estimate  `json:"kappa"`
	Alpha       *Estimate  `json:"alpha,omitempty"`
	Plurality   *Score     `json:"plurality,omitempty"`
}

// PositionBias gathers the judges' position bias and the humans' left bias.
type PositionBias struct {
	Judges []*JudgePosition `json:"judges"`
	Humans *LeftBias        `json:"humans"`
}

// JudgePosition is one judge's position bias, overall and by scope.
type JudgePosition struct {
	Judge string `json:"judge"`
	*PositionCounts
	ByCategory []*PositionCounts `json:"by_category,omitempty"`
	ByPair     []*PositionCounts `json:"by_pair,omitempty"`
}

// PositionCounts classifies the units judged in both orders; CombinedOnly covers
// units with a combined verdict only.
type PositionCounts struct {
	Category             string         `json:"category,omitempty"`
	Pair                 *[2]string     `json:"pair,omitempty"`
	Units                int            `json:"units"`
	Consistent           int            `json:"consistent"`
	First                int            `json:"first"`
	Second               int            `json:"second"`
	Error                int            `json:"error"`
	ConsistentRate       *Estimate      `json:"consistent_rate"`
	FirstRate            *Estimate      `json:"first_rate"`
	SecondRate           *Estimate      `json:"second_rate"`
	PreferenceFairness   Num            `json:"preference_fairness"`
	PreferenceFairnessCI *Interval      `json:"preference_fairness_ci"`
	CombinedOnly         *Inconsistency `json:"combined_only,omitempty"`
}

// Inconsistency is the inconsistency rate among units with a combined verdict only.
type Inconsistency struct {
	Units        int       `json:"units"`
	Inconsistent int       `json:"inconsistent"`
	Error        int       `json:"error"`
	Rate         Num       `json:"rate"`
	CI           *Interval `json:"ci"`
}

// LeftBias is P(left answer wins) among non-tie votes with a known left side,
// with a Wilson interval.
type LeftBias struct {
	NonTieVotes int       `json:"non_tie_votes"`
	LeftWins    int       `json:"left_wins"`
	Rate        Num       `json:"rate"`
	CI          *Interval `json:"ci"`
	UnknownLeft int       `json:"unknown_left"`
}

// LengthBias compares the judge's and the humans' preference for the longer
// answer on the same length-decisive units.
type LengthBias struct {
	Judge      string            `json:"judge"`
	Margin     int               `json:"margin"`
	JudgeRate  *Share            `json:"judge_prefers_longer"`
	HumanRate  *Share            `json:"humans_prefer_longer"`
	Excess     *Estimate         `json:"excess"`
	Curve      []*LengthBucket   `json:"curve"`
	Regression *LengthRegression `json:"regression"`
	Unknown    int               `json:"units_without_lengths"`
}

// LengthBucket is one point of the length curve, by log(len_longer/len_shorter).
type LengthBucket struct {
	LogRatioMin Num       `json:"log_ratio_min"`
	LogRatioMax Num       `json:"log_ratio_max"`
	JudgeRate   *Share    `json:"judge_prefers_longer"`
	HumanRate   *Share    `json:"humans_prefer_longer"`
	Excess      *Estimate `json:"excess"`
}

// LengthRegression is the logistic regression of the judge picking model A on
// tanh(dlen/sd) and the human plurality (+1 A, -1 B, 0 none).
type LengthRegression struct {
	Rows           int       `json:"rows"`
	SD             Num       `json:"sd_dlen"`
	Intercept      Num       `json:"intercept"`
	Length         *Estimate `json:"length_coef"`
	Plurality      *Estimate `json:"plurality_coef"`
	IntervalMethod string    `json:"interval_method"`
}

// Models holds win rates and ratings per source ("human" and each judge).
type Models struct {
	Names          []string          `json:"names"`
	Sources        []*ModelSource    `json:"sources"`
	KendallTauB    []*RankAgreement  `json:"kendall_tau_b"`
	SelfPreference []*SelfPreference `json:"self_preference"`
}

// ModelSource is one leaderboard.
type ModelSource struct {
	Source string       `json:"source"`
	Models []*ModelStat `json:"models"`
}

// ModelStat is one model's record from one source.
type ModelStat struct {
	Model   string    `json:"model"`
	Wins    int       `json:"wins"`
	Losses  int       `json:"losses"`
	Ties    int       `json:"ties"`
	WinRate *Estimate `json:"win_rate"`
	Rating  *Estimate `json:"rating"`
	Rank    int       `json:"rank"`
}

// RankAgreement is Kendall's tau-b between the human and a judge's ratings.
type RankAgreement struct {
	Judge string    `json:"judge"`
	Tau   *Estimate `json:"tau"`
}

// SelfPreference is a judge's win rate for a model minus the humans' on the units
// both judged.
type SelfPreference struct {
	Judge        string    `json:"judge"`
	Model        string    `json:"model"`
	JudgeN       int       `json:"judge_n"`
	HumanN       int       `json:"human_n"`
	JudgeWinRate Num       `json:"judge_win_rate"`
	HumanWinRate Num       `json:"human_win_rate"`
	Difference   *Estimate `json:"difference"`
}

// CloseCall is a pair whose order is uncertain or disputed.
type CloseCall struct {
	Judge            string    `json:"judge,omitempty"`
	Pair             [2]string `json:"pair"`
	Reasons          []string  `json:"reasons"`
	Votes            int       `json:"votes"`
	HumanWinRate     *Estimate `json:"human_win_rate"`
	JudgeVerdicts    int       `json:"judge_verdicts"`
	JudgeWinRate     *Estimate `json:"judge_win_rate"`
	JudgeConsistency *Share    `json:"judge_consistency"`
	VotesNeeded      Num       `json:"votes_needed"`
	FurtherVotes     *int      `json:"further_votes"`
}

// Annotator holds one annotator's figures.
type Annotator struct {
	Name         string    `json:"name"`
	Group        string    `json:"group"`
	Votes        int       `json:"votes"`
	MedianTimeMS Num       `json:"median_time_ms"`
	Agreement    *Rate     `json:"agreement"`
	AgreementNT  *Rate     `json:"agreement_without_ties"`
	Left         *LeftBias `json:"left"`
}

// AnnotatorAuditSection audits the annotators (STATS.md §9): each one's
// agreement with the others, gold accuracy and left rate, the pairwise kappa
// matrix, and who is flagged and why. Excluded annotators enter none of the
// report's figures and are listed in Excluded.
type AnnotatorAuditSection struct {
	Annotators []*AnnotatorFigures  `json:"annotators"`
	Kappa      *PairwiseKappa       `json:"kappa"`
	GoldItems  int                  `json:"gold_items"` // distinct gold units answered
	Flagged    []*FlaggedAnnotator  `json:"flagged"`
	Excluded   []*ExcludedAnnotator `json:"excluded"`
}

// AnnotatorFigures are one annotator's figures in AnnotatorAuditSection.
type AnnotatorFigures struct {
	Name         string   `json:"name"`
	Votes        int      `json:"votes"` // gold answers included
	MedianTimeMS Num      `json:"median_time_ms"`
	Agreement    *Score   `json:"agreement"`              // leave-one-out against the others' plurality, ties counted
	AgreementNT  *Score   `json:"agreement_without_ties"` // the same without ties
	Gold         *Share   `json:"gold_accuracy"`          // nil without gold answers
	Left         *Share   `json:"left_rate"`              // nil without non-tie votes of known side
	Flags        []string `json:"flags"`
}

// PairwiseKappa is Cohen's kappa between each pair of annotators over the
// units both voted on: Kappa[i][j] over Shared[i][j] units, null on the
// diagonal and below the threshold of shared units (MinShared).
type PairwiseKappa struct {
	Annotators []string `json:"annotators"`
	Shared     [][]int  `json:"shared"`
	Kappa      [][]Num  `json:"kappa"`
	MinShared  int      `json:"min_shared"`
}

// FlaggedAnnotator is an annotator whose work deserves a look, with why.
type FlaggedAnnotator struct {
	Name    string   `json:"name"`
	Reasons []string `json:"reasons"`
}

// ExcludedAnnotator is an annotator the lead left out of a study's report.
type ExcludedAnnotator struct {
	Study     string `json:"study"`
	Annotator string `json:"annotator"`
	Votes     int    `json:"votes"` // votes left out
}
