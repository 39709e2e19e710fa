package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"concord/judge"
	"concord/judge/audit"
	"concord/store"
)

// Truth rules of the reference probe: which answer of a unit counts as the
// one "the reference shows wrong" (STATS.md §10).
const (
	// TruthNumber: the reference's final number matches exactly one answer's
	// final number (judge.ShownWrong); the other answer is wrong. It reads the
	// reference itself, needs no human vote and is reproducible, so the
	// humans stay an independent check; it decides math and most reasoning
	// units, and only those coding units whose reference ends on a number.
	TruthNumber = "number"
	// TruthHumans: a strict majority of the unit's human votes (more than
	// half, ties counted) picks one answer; the other is wrong. For coding
	// and non-numeric reasoning, where no number decides.
	TruthHumans = "humans"
)

// refVariant is a reference probe item's Variant: the model whose answer is
// shown wrong, and by which rule.
type refVariant struct {
	Wrong string `json:"wrong"`
	Truth string `json:"truth"`
}

// referenceItems draws up to req.Sample units of the set's reference
// categories whose question has a reference and whose wrong answer the truth
// rule decides (seeded order, units with human votes first, so that the runs'
// agreement with humans can be measured).
func referenceItems(ctx context.Context, st *store.Store, m judge.Material, req ProbeRequest, set judge.PromptSet) ([]store.ExperimentItem, error) {
	turns := req.Turns
	if len(turns) == 0 {
		turns = []int{1}
	}
	cats := set.ReferenceCategories
	if cats == nil {
		cats = judge.ReferenceCategories
	}
	votes, err := st.Votes(ctx, "")
	if err != nil {
		return nil, err
	}
	type tally struct{ a, b, n int } // votes for Model1, for Model2, all
	tallies := map[store.ExperimentItem]*tally{}
	for _, v := range votes {
		l, err := audit.ParseLabel(v.Winner)
		if err != nil || v.ModelA == v.ModelB {
			continue
		}
		k := store.ExperimentItem{QuestionID: v.QuestionID, Model1: v.ModelA, Model2: v.ModelB, Turn: v.Turn}
		if k.Model1 > k.Model2 {
			k.Model1, k.Model2, l = k.Model2, k.Model1, l.Swap()
		}
		t := tallies[k]
		if t == nil {
			t = &tally{}
			tallies[k] = t
		}
		t.n++
		switch l {
		case audit.A:
			t.a++
		case audit.B:
			t.b++
		}
	}
	answers := map[int]map[string][]string{}
	for _, a := range m.Answers {
		if len(req.Models) > 0 && !slices.Contains(req.Models, a.Model) {
			continue
		}
		if answers[a.QuestionID] == nil {
			answers[a.QuestionID] = map[string][]string{}
		}
		answers[a.QuestionID][a.Model] = a.Turns
	}
	var voted, unvoted []store.ExperimentItem
	for _, q := range m.Questions {
		ref := m.References[q.ID]
		if len(ref) == 0 {
			ref = q.Reference
		}
		if !slices.Contains(cats, q.Category) || len(ref) == 0 {
			continue
		}
		models := make([]string, 0, len(answers[q.ID]))
		for name := range answers[q.ID] {
			models = append(models, name)
		}
		slices.Sort(models)
		for _, t := range turns {
			if t < 1 || t > len(ref) || t > len(q.Turns) {
				continue
			}
			for i, m1 := range models {
				for _, m2 := range models[i+1:] {
					a1, a2 := answers[q.ID][m1], answers[q.ID][m2]
					if t > len(a1) || t > len(a2) {
						continue
					}
					k := store.ExperimentItem{QuestionID: q.ID, Model1: m1, Model2: m2, Turn: t}
					wrong := ""
					tl := tallies[k]
					switch req.Truth {
					case TruthHumans:
						switch {
						case tl != nil && 2*tl.a > tl.n:
							wrong = m2
						case tl != nil && 2*tl.b > tl.n:
							wrong = m1
						}
					default:
						wrong = map[int]string{1: m1, 2: m2}[judge.ShownWrong(ref[t-1], a1[t-1], a2[t-1])]
					}
					if wrong == "" {
						continue
					}
					b, _ := json.Marshal(refVariant{Wrong: wrong, Truth: cmpOr(req.Truth, TruthNumber)})
					k.Variant = string(b)
					if tl != nil {
						voted = append(voted, k)
					} else {
						unvoted = append(unvoted, k)
					}
				}
			}
		}
	}
	if len(voted)+len(unvoted) == 0 {
		return nil, fmt.Errorf("probe reference: no %v unit with a reference where the %s rule shows one answer wrong (import references, or try --truth humans)",
			cats, cmpOr(req.Truth, TruthNumber))
	}
	rng := rand.New(rand.NewPCG(req.Seed, 0x7ef7ef))
	for _, s := range [][]store.ExperimentItem{voted, unvoted} {
		rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	}
	items := append(voted, unvoted...)
	return items[:min(req.Sample, len(items))], nil
}

// referenceResult scores a reference experiment: each item's two runs told
// apart by the prompt (refPrompts are the reference-guided ones), failures
// against the item's wrong answer, and both runs' agreement with the human
// votes on the items.
func referenceResult(ctx context.Context, st *store.Store, e store.Experiment, items []store.ExperimentItem, confidence float64) (*audit.Experiment, error) {
	var ps probeSettings
	if err := json.Unmarshal([]byte(e.Settings), &ps); err != nil {
		return nil, fmt.Errorf("experiment %d settings: %w", e.ID, err)
	}
	runs, err := twoRuns(ctx, st, e, items, func(prompt string) bool { return slices.Contains(ps.RefPrompts, prompt) })
	if err != nil {
		return nil, err
	}
	facts, err := loadUnitFacts(ctx, st)
	if err != nil {
		return nil, err
	}
	var refItems []audit.RefItem
	var verdicts []audit.JudgeVerdict
	for _, it := range items {
		var rv refVariant
		if err := json.Unmarshal([]byte(it.Variant), &rv); err != nil {
			return nil, fmt.Errorf("experiment %d item q%d %s/%s: %w", e.ID, it.QuestionID, it.Model1, it.Model2, err)
		}
		wrong := audit.A
		if rv.Wrong == it.Model2 {
			wrong = audit.B
		}
		it.Variant = ""
		ri := audit.RefItem{With: runs[it][1], Without: runs[it][0], Wrong: wrong}
		refItems = append(refItems, ri)
		for _, run := range []struct {
			name string
			g    audit.ProbeGames
		}{{audit.WithReference, ri.With}, {audit.WithoutReference, ri.Without}} {
			if run.g.G1 == audit.NoLabel || run.g.G2 == audit.NoLabel {
				continue
			}
			verdicts = append(verdicts, audit.JudgeVerdict{Judge: run.name, Question: it.QuestionID, Category: facts.category[it.QuestionID],
				ModelA: it.Model1, ModelB: it.Model2, Turn: it.Turn, G1: run.g.G1, G2: run.g.G2, Combined: audit.Combine(run.g.G1, run.g.G2),
				LenA: facts.length(it.QuestionID, it.Model1, it.Turn), LenB: facts.length(it.QuestionID, it.Model2, it.Turn)})
		}
	}
	out := audit.ReferenceResult(audit.Experiment{ID: e.ID, Kind: e.Kind, Judge: e.Judge, ProbeJudge: e.ProbeJudge, Settings: e.Settings},
		refItems, audit.Z(confidence))
	sc, err := loadAnnotatorScope(ctx, st)
	if err != nil {
		return nil, err
	}
	in, err := loadAuditInput(ctx, st, "", "", sc)
	if err != nil {
		return nil, err
	}
	opt := audit.DefaultOptions()
	opt.Confidence = confidence
	out.HumanAgreement = audit.ReferenceAgreement(in.votes, verdicts, opt)
	return out, nil
}

// twoRuns reads the games of an experiment's two runs on each item, told
// apart by the prompt: [1] holds the run whose prompts second says yes to,
// [0] the other; an item not judged yet has NoLabel games.
func twoRuns(ctx context.Context, st *store.Store, e store.Experiment, items []store.ExperimentItem, second func(prompt string) bool) (map[store.ExperimentItem][2]audit.ProbeGames, error) {
	vs, err := st.Verdicts(ctx, e.ProbeJudge)
	if err != nil {
		return nil, err
	}
	out := make(map[store.ExperimentItem][2]audit.ProbeGames, len(items))
	for _, it := range items {
		it.Variant = ""
		out[it] = [2]audit.ProbeGames{}
	}
	for _, v := range vs {
		k := store.ExperimentItem{QuestionID: v.QuestionID, Model1: v.Model1, Model2: v.Model2, Turn: v.Turn}
		g, ok := out[k]
		if !ok {
			continue
		}
		i := 0
		if second(v.Prompt) {
			i = 1
		}
		g[i] = audit.ProbeGames{G1: gameLabel(v.G1), G2: gameLabel(v.G2)}
		out[k] = g
	}
	return out, nil
}

// errNoRefPrompt is prepareProbe's answer for a prompt set without a
// reference-guided prompt.
var errNoRefPrompt = errors.New("probe reference: the prompt set needs a reference-guided prompt and a plain one (--prompt concord or fastchat)")
