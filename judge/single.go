package judge

import (
	"fmt"
	"slices"
	"sort"
)

// RatingKey identifies one single-answer grade: a prompt (by name and text
// hash), a question, the model whose answer is rated and the turn. Together
// with the judge it is the identity that makes a resumed run skip finished
// grades, as store.GameKey is for pairwise games.
type RatingKey struct {
	Prompt     string `json:"prompt"`
	PromptHash string `json:"prompt_hash"`
	QuestionID int    `json:"question_id"`
	Model      string `json:"model"`
	Turn       int    `json:"turn"`
}

// Rating is a judge's grade of one answer, as the runner will store it. Score
// is from MinRating to MaxRating when Error is empty; when the reply holds no
// readable rating, Score is 0, Error says why (a ParseRating error) and
// Judgment keeps the raw reply, so the grade is counted as an error, never as
// a score, and is retried when the run is resumed.
type Rating struct {
	RatingKey
	Score      float64 `json:"score"`
	Judgment   string  `json:"judgment"`
	UserPrompt string  `json:"user_prompt,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// RateReply maps a judge's reply on one answer (the question, the answer's
// model and turn) to a Rating. A prompt that is not a single-answer prompt is
// an error in the Rating too: its replies hold verdicts, not ratings.
func RateReply(p *Prompt, questionID int, model string, turn int, reply string) Rating {
	r := Rating{RatingKey: RatingKey{Prompt: p.Name, PromptHash: p.Hash(), QuestionID: questionID, Model: model, Turn: turn},
		Judgment: reply}
	if p.Kind != PromptSingle {
		r.Error = fmt.Sprintf("prompt %s is %s, not a single-answer prompt", p.Name, kindName(p.Kind))
		return r
	}
	score, err := ParseRating(reply)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Score = score
	return r
}

// SingleTask is one single-answer request: one model's answer to one turn of
// a question, with the prompt chosen for it and the rendered user message.
type SingleTask struct {
	QuestionID int
	Category   string
	Model      string
	Turn       int
	Prompt     *Prompt
	User       string // the rendered user message
}

// Key identifies the task's grade for storage.
func (t SingleTask) Key() RatingKey {
	return RatingKey{Prompt: t.Prompt.Name, PromptHash: t.Prompt.Hash(), QuestionID: t.QuestionID, Model: t.Model, Turn: t.Turn}
}

// EstimatedTokensIn is the request's prompt size estimated as characters / 4,
// as Task.EstimatedTokensIn.
func (t SingleTask) EstimatedTokensIn() int {
	return (len([]rune(t.Prompt.System)) + len([]rune(t.User)) + 3) / 4
}

// Rate maps the judge's reply to this task to a Rating (see RateReply), with
// the user message it answered.
func (t SingleTask) Rate(reply string) Rating {
	r := RateReply(t.Prompt, t.QuestionID, t.Model, t.Turn, reply)
	r.UserPrompt = t.User
	return r
}

// BuildSingleTasks renders one task for every selected (question, model,
// turn), the single-answer analogue of BuildTasks. The models are
// sel.Models, or every model named in sel.Pairs or sel.Units, or every model
// with answers; sel.Units, when set, also fixes the questions and turns (both
// of a unit's models are rated). Each (question, model, turn) is rated once.
// Answers that cannot be rated (an answer or a turn missing, or no prompt in
// the set for them) are counted in skipped with a reason, not fatal; a set
// that is not single-answer, or a model without answers, is an error.
func BuildSingleTasks(m Material, sel Selection, set PromptSet) (tasks []SingleTask, skipped map[string]int, err error) {
	kind, err := set.Kind()
	if err != nil {
		return nil, nil, err
	}
	if kind != PromptSingle {
		return nil, nil, fmt.Errorf("prompt set %s is %s, want single-answer prompts", set.Name, kind)
	}
	skipped = map[string]int{}
	ix := m.index()

	type item struct {
		qid   int
		model string
		turn  int
	}
	var items []item
	if len(sel.Units) > 0 {
		for _, u := range sel.Units {
			items = append(items, item{u.QuestionID, u.Model1, u.Turn}, item{u.QuestionID, u.Model2, u.Turn})
		}
	} else {
		models := slices.Clone(sel.Models)
		if len(sel.Pairs) > 0 {
			models = nil
			for _, p := range sel.Pairs {
				models = append(models, p[0], p[1])
			}
		}
		if len(models) == 0 {
			for name := range ix.models {
				models = append(models, name)
			}
		}
		for _, name := range models {
			if !ix.models[name] {
				return nil, nil, fmt.Errorf("model %s has no answers", name)
			}
		}
		sort.Strings(models)
		models = slices.Compact(models)
		for _, q := range m.Questions {
			turns := questionTurns(sel.Turns, len(q.Turns))
			if len(sel.Categories) > 0 && !slices.Contains(sel.Categories, q.Category) {
				continue
			}
			if len(sel.QuestionIDs) > 0 && !slices.Contains(sel.QuestionIDs, q.ID) {
				continue
			}
			for _, name := range models {
				for _, t := range turns {
					items = append(items, item{q.ID, name, t})
				}
			}
		}
	}

	seen := map[item]bool{}
	for _, it := range items {
		if seen[it] {
			continue
		}
		seen[it] = true
		q, ok := ix.questions[it.qid]
		if !ok {
			skipped["question not found"]++
			continue
		}
		a := ix.answers[q.ID][it.model]
		if len(a) < it.turn || len(q.Turns) < it.turn {
			skipped["answer or turn missing"]++
			continue
		}
		ref := m.reference(q)
		p := set.For(q.Category, it.turn, len(ref) >= it.turn)
		if p == nil {
			skipped[fmt.Sprintf("prompt %s does not fit turn %d", set.Name, it.turn)]++
			continue
		}
		user, err := p.Render(Fields{Questions: q.Turns, Answers: a, Reference: ref, Turn: it.turn})
		if err != nil {
			skipped[err.Error()]++
			continue
		}
		tasks = append(tasks, SingleTask{QuestionID: q.ID, Category: q.Category, Model: it.model, Turn: it.turn, Prompt: p, User: user})
	}
	return tasks, skipped, nil
}
