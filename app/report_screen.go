package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"concord/judge/audit"
	"concord/store"
	"concord/store/outcome"
)

// lengthMargin is the audit's default length margin: answers that differ by more
// than this many characters make a unit length-decisive.
const lengthMargin = 30

// DisagreementFilter selects the units the disagreement browser lists.
type DisagreementFilter struct {
	Judge          string `json:"judge"`           // "" = the only judge
	Humans         string `json:"humans"`          // annotator group; "" or "all" = every human
	Turn           int    `json:"turn"`            // 1 or 2; 0 = both
	Category       string `json:"category"`        // "" = every category
	ModelA         string `json:"model_a"`         // with ModelB: only this pair (either order)
	ModelB         string `json:"model_b"`         //
	Inconsistent   bool   `json:"inconsistent"`    // only units where the judge's two orders disagreed
	LengthDecisive bool   `json:"length_decisive"` // only units whose answers differ by more than 30 characters
}

// DisagreementUnit is one unit where at least one human vote differs from the
// judge's combined verdict (ties, both-bad, both-good and inconsistent count as
// ties). ModelA sorts before ModelB; verdicts are in those terms.
type DisagreementUnit struct {
	QuestionID     int    `json:"question_id"`
	QuestionKey    string `json:"question_key"` // the question's id as its file spelled it
	Category       string `json:"category"`
	ModelA         string `json:"model_a"`
	ModelB         string `json:"model_b"`
	Turn           int    `json:"turn"`
	Judge          string `json:"judge"`
	JudgeVerdict   string `json:"judge_verdict"` // model_a, model_b, tie or inconsistent
	G1             string `json:"g1,omitempty"`  // game with model A shown first
	G2             string `json:"g2,omitempty"`  // game with model B shown first
	Votes          int    `json:"votes"`
	Disagreeing    int    `json:"disagreeing"` // votes whose class differs from the judge's
	HumanA         int    `json:"human_a"`
	HumanB         int    `json:"human_b"`
	HumanTie       int    `json:"human_tie"`
	LenA           int    `json:"len_a"` // characters of model A's answer to this turn; 0 when unknown
	LenB           int    `json:"len_b"`
	LengthDecisive bool   `json:"length_decisive"`
}

// UnitVote is one human vote on a unit, for the detail pane.
type UnitVote struct {
	Annotator string    `json:"annotator"`
	Group     string    `json:"group"`
	Choice    string    `json:"verdict"` // the annotator's: model_a, model_b, tie, both_bad, both_good
	Left      string    `json:"left,omitempty"`
	TimeMS    int64     `json:"time_ms,omitempty"`
	Rationale string    `json:"rationale,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// UnitGame is one presentation order of the judge's verdict: Winner in model
// terms (model_a, model_b, tie, error) and the judge's explanation.
type UnitGame struct {
	Winner      string `json:"winner"`
	Explanation string `json:"explanation"`
	Error       string `json:"error,omitempty"`
}

// UnitDetail is everything behind one unit: the question, both answers, every
// human vote and the judge's explanations for both orders. Model text is plain,
// untrusted Markdown.
type UnitDetail struct {
	QuestionID   int         `json:"question_id"`
	QuestionKey  string      `json:"question_key"`
	Category     string      `json:"category"`
	Turn         int         `json:"turn"`
	Prompts      []string    `json:"prompts"` // the question's turns up to Turn
	Reference    []string    `json:"reference,omitempty"`
	ModelA       string      `json:"model_a"`
	ModelB       string      `json:"model_b"`
	AnswerA      []string    `json:"answer_a"` // model A's answers up to Turn
	AnswerB      []string    `json:"answer_b"`
	Votes        []UnitVote  `json:"votes"`
	Judge        string      `json:"judge,omitempty"`
	JudgeVerdict string      `json:"judge_verdict,omitempty"`
	G1           *UnitGame   `json:"g1,omitempty"`       // model A shown first
	G2           *UnitGame   `json:"g2,omitempty"`       // model B shown first
	RatingA      *UnitRating `json:"rating_a,omitempty"` // the judge's single-answer rating of model A's answer, if any
	RatingB      *UnitRating `json:"rating_b,omitempty"`
}

// Disagreements lists the units where the judge and the humans differ, the
// unit with the most disagreeing votes first.
func (a *App) Disagreements(f DisagreementFilter) ([]DisagreementUnit, error) {
	return disagreements(a.ctx, a.store, f)
}

// UnitDetail returns the question, answers, votes and judge explanations of one unit.
func (a *App) UnitDetail(question int, modelA, modelB string, turn int, judge string) (*UnitDetail, error) {
	return unitDetail(a.ctx, a.store, question, modelA, modelB, turn, judge)
}

// verdictClass maps a verdict spelling to an agreement class: 'a', 'b', 't'
// (tie, both bad, both good, inconsistent), or 0 (error or unknown).
func verdictClass(s string) byte {
	l, err := audit.ParseLabel(s)
	if err != nil {
		return 0
	}
	switch l {
	case audit.A:
		return 'a'
	case audit.B:
		return 'b'
	case audit.Tie, audit.BothBad, audit.BothGood, audit.Inconsistent:
		return 't'
	}
	return 0
}

// modelTerms rewrites a stored winner (model_1/model_2 or model_a/model_b)
// in the vote spelling (model_a/model_b), for the pair's models swapped when
// swapped is true. A spelling it cannot read stays as it is.
func modelTerms(s string, swapped bool) string {
	w, err := outcome.Parse(s)
	if err != nil || w == outcome.None {
		return s
	}
	if swapped {
		w = w.Swap()
	}
	return w.String()
}

type unitKey struct {
	q    int
	a, b string
	turn int
}

func canonical(q int, a, b string, turn int) (unitKey, bool) {
	a, b, swapped := outcome.CanonicalPair(a, b)
	return unitKey{q, a, b, turn}, swapped
}

func disagreements(ctx context.Context, s *store.Store, f DisagreementFilter) ([]DisagreementUnit, error) {
	if f.Turn < 0 || f.Turn > 2 {
		return nil, fmt.Errorf("disagreements: turn %d: want 1, 2 or 0 for both", f.Turn)
	}
	judge, err := resolveJudge(ctx, s, f.Judge)
	if err != nil {
		return nil, fmt.Errorf("disagreements: %w", err)
	}
	group := f.Humans
	if group == "all" {
		group = ""
	}
	facts, err := loadUnitFacts(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("disagreements: %w", err)
	}
	category, length := facts.category, facts.length
	pairA, pairB, _ := outcome.CanonicalPair(f.ModelA, f.ModelB)
	keep := func(k unitKey) bool {
		return (f.Turn == 0 || k.turn == f.Turn) &&
			(f.Category == "" || category[k.q] == f.Category) &&
			(pairA == "" && pairB == "" || k.a == pairA && k.b == pairB)
	}
	verdicts, err := s.Verdicts(ctx, judge)
	if err != nil {
		return nil, fmt.Errorf("disagreements: %w", err)
	}
	units := make(map[unitKey]*DisagreementUnit)
	var order []unitKey
	for _, v := range verdicts {
		k, swapped := canonical(v.QuestionID, v.Model1, v.Model2, v.Turn)
		if !keep(k) || verdictClass(v.Combined) == 0 {
			continue
		}
		u := &DisagreementUnit{QuestionID: k.q, QuestionKey: facts.key[k.q], Category: category[k.q], ModelA: k.a, ModelB: k.b, Turn: k.turn, Judge: judge,
			JudgeVerdict: modelTerms(v.Combined, swapped)}
		g1, g2 := v.G1, v.G2
		if swapped { // the store keeps Model1 < Model2, so this is only defensive
			g1, g2 = g2, g1
		}
		if g1 != nil {
			u.G1 = modelTerms(g1.Winner, swapped)
		}
		if g2 != nil {
			u.G2 = modelTerms(g2.Winner, swapped)
		}
		if f.Inconsistent && u.JudgeVerdict != "inconsistent" {
			continue
		}
		u.LenA, u.LenB = length(k.q, k.a, k.turn), length(k.q, k.b, k.turn)
		u.LengthDecisive = u.LenA > 0 && u.LenB > 0 && abs(u.LenA-u.LenB) > lengthMargin
		if f.LengthDecisive && !u.LengthDecisive {
			continue
		}
		if _, dup := units[k]; !dup {
			order = append(order, k)
		}
		units[k] = u // the last verdict of a unit wins, as in the audit
	}
	votes, err := s.Votes(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("disagreements: %w", err)
	}
	for _, v := range votes {
		k, swapped := canonical(v.QuestionID, v.ModelA, v.ModelB, v.Turn)
		u := units[k]
		if u == nil {
			continue
		}
		c := verdictClass(modelTerms(v.Winner, swapped))
		switch c {
		case 'a':
			u.HumanA++
		case 'b':
			u.HumanB++
		case 't':
			u.HumanTie++
		default:
			continue
		}
		u.Votes++
		if c != verdictClass(u.JudgeVerdict) {
			u.Disagreeing++
		}
	}
	out := make([]DisagreementUnit, 0, len(order))
	for _, k := range order {
		if u := units[k]; u.Disagreeing > 0 {
			out = append(out, *u)
		}
	}
	slices.SortStableFunc(out, func(x, y DisagreementUnit) int {
		if x.Disagreeing != y.Disagreeing {
			return y.Disagreeing - x.Disagreeing
		}
		// more of the votes disagreeing first, then the unit order
		if c := y.Disagreeing*x.Votes - x.Disagreeing*y.Votes; c != 0 {
			return c
		}
		return 0
	})
	return out, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func unitDetail(ctx context.Context, s *store.Store, question int, modelA, modelB string, turn int, judge string) (*UnitDetail, error) {
	if turn < 1 {
		return nil, fmt.Errorf("unit detail: turn %d: want 1 or more", turn)
	}
	if modelA == modelB {
		return nil, fmt.Errorf("unit detail: a unit compares two different models (got %q twice)", modelA)
	}
	k, _ := canonical(question, modelA, modelB, turn)
	d := &UnitDetail{QuestionID: question, Turn: turn, ModelA: k.a, ModelB: k.b, AnswerA: []string{}, AnswerB: []string{}, Votes: []UnitVote{}}
	q, err := s.Question(ctx, question)
	if errors.Is(err, store.ErrNoQuestion) {
		return nil, fmt.Errorf("unit detail: no question %d", question)
	}
	if err != nil {
		return nil, fmt.Errorf("unit detail: %w", err)
	}
	d.QuestionKey, d.Category, d.Prompts, d.Reference = q.Key, q.Category, upTo(q.Turns, turn), upTo(q.Reference, turn)
	answers, err := s.QuestionAnswers(ctx, question)
	if err != nil {
		return nil, fmt.Errorf("unit detail: %w", err)
	}
	for _, a := range answers {
		switch a.Model {
		case k.a:
			d.AnswerA = upTo(a.Turns, turn)
		case k.b:
			d.AnswerB = upTo(a.Turns, turn)
		}
	}
	votes, err := s.UnitVotes(ctx, question, k.a, k.b, turn)
	if err != nil {
		return nil, fmt.Errorf("unit detail: %w", err)
	}
	for _, v := range votes {
		_, swapped := canonical(v.QuestionID, v.ModelA, v.ModelB, v.Turn)
		d.Votes = append(d.Votes, UnitVote{Annotator: v.Annotator, Group: v.Group, Choice: modelTerms(v.Winner, swapped), Left: v.Left,
			TimeMS: v.TimeMS, Rationale: v.Rationale, CreatedAt: v.CreatedAt})
	}
	if judge != "" {
		verdicts, err := s.UnitVerdicts(ctx, judge, question, k.a, k.b, turn)
		if err != nil {
			return nil, fmt.Errorf("unit detail: %w", err)
		}
		for _, v := range verdicts { // the last verdict of a unit wins, as in the audit
			_, swapped := canonical(v.QuestionID, v.Model1, v.Model2, v.Turn)
			d.Judge, d.JudgeVerdict = v.Judge, modelTerms(v.Combined, swapped)
			d.G1, d.G2 = unitGame(v.G1, swapped), unitGame(v.G2, swapped)
			if swapped {
				d.G1, d.G2 = d.G2, d.G1
			}
		}
		if d.RatingA, d.RatingB, err = unitRatings(ctx, s, judge, question, k.a, k.b, turn); err != nil {
			return nil, fmt.Errorf("unit detail: %w", err)
		}
	}
	return d, nil
}

func unitGame(g *store.Game, swapped bool) *UnitGame {
	if g == nil {
		return nil
	}
	return &UnitGame{Winner: modelTerms(g.Winner, swapped), Explanation: g.Judgment, Error: g.Error}
}

// upTo returns the first n turns, or all of them when there are fewer.
func upTo(turns []string, n int) []string {
	if len(turns) > n {
		return turns[:n]
	}
	if turns == nil {
		return []string{} // the window gets [], never null
	}
	return turns
}
