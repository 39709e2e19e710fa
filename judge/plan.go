package judge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"concord/store"
)

// Unit is one (question, model pair, turn); Model1 < Model2 (byte order).
type Unit struct {
	QuestionID int
	Category   string
	Model1     string
	Model2     string
	Turn       int
}

// Task is one request: a unit in one presentation order. In game 1 Model1 is
// shown as A; in game 2 Model2 is.
type Task struct {
	Unit
	Game   int
	Prompt *Prompt
	User   string // the rendered user message
}

// Key identifies the task's game for storage; together with the judge it is
// the identity that makes a resumed run skip finished work.
func (t Task) Key() store.GameKey {
	return store.GameKey{Prompt: t.Prompt.Name, PromptHash: t.Prompt.Hash(), QuestionID: t.QuestionID,
		Model1: t.Model1, Model2: t.Model2, Turn: t.Turn, Game: t.Game}
}

// EstimatedTokensIn is the request's prompt size estimated as characters / 4
// (a rough rule for English text with OpenAI tokenizers; no tokenizer is run).
func (t Task) EstimatedTokensIn() int {
	return (len([]rune(t.Prompt.System)) + len([]rune(t.User)) + 3) / 4
}

// Selection says what to judge. Empty fields mean "all".
type Selection struct {
	Models      []string    // every pair among these models
	Pairs       [][2]string // explicit pairs; when set, Models is ignored
	Turns       []int       // default: every turn each question has
	Categories  []string
	QuestionIDs []int
	Units       []Unit // explicit units (e.g. a study's items); when set, the fields above are ignored
}

// Material is what tasks are built from.
type Material struct {
	Questions  []store.Question
	Answers    []store.Answer
	References map[int][]string // reference answers by question id
}

// materialIndex finds a material's questions by id and answers by question
// and model.
type materialIndex struct {
	questions map[int]store.Question
	answers   map[int]map[string][]string // answer turns by question id, then model
	models    map[string]bool             // the models with any answer
}

// index indexes m's questions and answers.
func (m Material) index() materialIndex {
	ix := materialIndex{questions: map[int]store.Question{}, answers: map[int]map[string][]string{}, models: map[string]bool{}}
	for _, a := range m.Answers {
		if ix.answers[a.QuestionID] == nil {
			ix.answers[a.QuestionID] = map[string][]string{}
		}
		ix.answers[a.QuestionID][a.Model] = a.Turns
		ix.models[a.Model] = true
	}
	for _, q := range m.Questions {
		ix.questions[q.ID] = q
	}
	return ix
}

// reference is the reference answer q is judged with: the material's for q,
// else the one q carries.
func (m Material) reference(q store.Question) []string {
	if ref := m.References[q.ID]; len(ref) > 0 {
		return ref
	}
	return q.Reference
}

// BuildTasks renders both games of every selected unit. Units that cannot be
// judged (an answer or a turn missing, or no prompt in the set for them) are
// counted in skipped with a reason, not fatal.
func BuildTasks(m Material, sel Selection, set PromptSet) (tasks []Task, skipped map[string]int, err error) {
	skipped = map[string]int{}
	ix := m.index()

	units := sel.Units
	if len(units) == 0 {
		units, err = selectUnits(m.Questions, ix.models, sel)
		if err != nil {
			return nil, nil, err
		}
	}
	for _, u := range units {
		if u.Model1 > u.Model2 {
			u.Model1, u.Model2 = u.Model2, u.Model1
		}
		q, ok := ix.questions[u.QuestionID]
		if !ok {
			skipped["question not found"]++
			continue
		}
		u.Category = q.Category
		a1, a2 := ix.answers[q.ID][u.Model1], ix.answers[q.ID][u.Model2]
		if len(a1) < u.Turn || len(a2) < u.Turn || len(q.Turns) < u.Turn {
			skipped["answer or turn missing"]++
			continue
		}
		ref := m.reference(q)
		p := set.For(q.Category, u.Turn, len(ref) >= u.Turn)
		if p == nil {
			skipped[fmt.Sprintf("prompt %s does not fit turn %d", set.Name, u.Turn)]++
			continue
		}
		for game := 1; game <= 2; game++ {
			a, b := a1, a2
			if game == 2 {
				a, b = a2, a1
			}
			user, err := p.Render(Fields{Questions: q.Turns, AnswersA: a, AnswersB: b, Reference: ref, Turn: u.Turn})
			if err != nil {
				skipped[err.Error()]++
				break
			}
			tasks = append(tasks, Task{Unit: u, Game: game, Prompt: p, User: user})
		}
	}
	return tasks, skipped, nil
}

func selectUnits(qs []store.Question, models map[string]bool, sel Selection) ([]Unit, error) {
	var pairs [][2]string
	if len(sel.Pairs) > 0 {
		for _, p := range sel.Pairs {
			if p[0] == p[1] {
				return nil, fmt.Errorf("pair %s:%s compares a model with itself", p[0], p[1])
			}
			for _, m := range p {
				if !models[m] {
					return nil, fmt.Errorf("model %s has no answers", m)
				}
			}
			if p[0] > p[1] {
				p[0], p[1] = p[1], p[0]
			}
			if !slices.Contains(pairs, p) {
				pairs = append(pairs, p)
			}
		}
	} else {
		names := sel.Models
		if len(names) == 0 {
			for m := range models {
				names = append(names, m)
			}
		}
		for _, m := range names {
			if !models[m] {
				return nil, fmt.Errorf("model %s has no answers", m)
			}
		}
		names = slices.Clone(names)
		sort.Strings(names)
		names = slices.Compact(names)
		for i := range names {
			for j := i + 1; j < len(names); j++ {
				pairs = append(pairs, [2]string{names[i], names[j]})
			}
		}
	}
	var units []Unit
	for _, q := range qs {
		turns := questionTurns(sel.Turns, len(q.Turns))
		if len(sel.Categories) > 0 && !slices.Contains(sel.Categories, q.Category) {
			continue
		}
		if len(sel.QuestionIDs) > 0 && !slices.Contains(sel.QuestionIDs, q.ID) {
			continue
		}
		for _, p := range pairs {
			for _, t := range turns {
				units = append(units, Unit{QuestionID: q.ID, Category: q.Category, Model1: p[0], Model2: p[1], Turn: t})
			}
		}
	}
	return units, nil
}

// questionTurns is the turns selected, or by default every turn a question
// has (one for a single-turn set, two for MT-Bench).
func questionTurns(selected []int, n int) []int {
	if len(selected) > 0 {
		return selected
	}
	turns := make([]int, n)
	for i := range turns {
		turns[i] = i + 1
	}
	return turns
}

// Price is a model's price in US dollars per million tokens.
type Price struct {
	InputPerMillion  float64 `json:"input_per_million"`
	OutputPerMillion float64 `json:"output_per_million"`
}

// PriceTable maps a model name (or a prefix of one) to its price.
type PriceTable map[string]Price

// DefaultPrices are list prices in USD per million tokens as known when this
// was written; they go stale, which is why the table is a file users edit.
func DefaultPrices() PriceTable {
	return PriceTable{
		"gpt-4o":        {2.50, 10.00},
		"gpt-4o-mini":   {0.15, 0.60},
		"gpt-4.1":       {2.00, 8.00},
		"gpt-4.1-mini":  {0.40, 1.60},
		"gpt-4.1-nano":  {0.10, 0.40},
		"gpt-4-turbo":   {10.00, 30.00},
		"gpt-4":         {30.00, 60.00},
		"gpt-3.5-turbo": {0.50, 1.50},
		"o1":            {15.00, 60.00},
		"o3-mini":       {1.10, 4.40},
		"o4-mini":       {1.10, 4.40},
	}
}

// Lookup finds a model's price: an exact name first, then the longest table
// entry that prefixes the name (so "gpt-4o-2024-08-06" finds "gpt-4o").
func (t PriceTable) Lookup(model string) (Price, bool) {
	if p, ok := t[model]; ok {
		return p, true
	}
	best := ""
	for k := range t {
		if strings.HasPrefix(model, k) && len(k) > len(best) {
			best = k
		}
	}
	if best == "" {
		return Price{}, false
	}
	return t[best], true
}

// LoadPrices reads the price table at path, writing the defaults there first
// when the file does not exist.
func LoadPrices(path string) (PriceTable, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t := DefaultPrices()
		b, _ = json.MarshalIndent(t, "", "  ")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("write price table: %w", err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return nil, fmt.Errorf("write price table: %w", err)
		}
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read price table: %w", err)
	}
	var t PriceTable
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("read price table %s: %w", path, err)
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return t, nil
}

// Validate checks that every entry names a model and has finite,
// non-negative prices.
func (t PriceTable) Validate() error {
	names := make([]string, 0, len(t))
	for k := range t {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		p := t[k]
		if strings.TrimSpace(k) == "" {
			return errors.New("price table: an entry has no model name")
		}
		if k != strings.TrimSpace(k) {
			return fmt.Errorf("price table: model name %q has surrounding spaces", k)
		}
		for _, v := range []struct {
			what string
			x    float64
		}{{"input", p.InputPerMillion}, {"output", p.OutputPerMillion}} {
			if math.IsNaN(v.x) || math.IsInf(v.x, 0) || v.x < 0 {
				return fmt.Errorf("price table: %s: %s price %v is not a non-negative number", k, v.what, v.x)
			}
		}
	}
	return nil
}

// SavePrices validates the table and writes it to path (readable only by
// the user), replacing the file in one step.
func SavePrices(path string, t PriceTable) error {
	if err := t.Validate(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return fmt.Errorf("write price table: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write price table: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write price table: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write price table: %w", err)
	}
	return nil
}

// EstimatedTokensOut is the output assumed per request for estimates: a
// typical pairwise explanation, capped by max tokens.
const EstimatedTokensOut = 300

// Estimate is a dry run's answer: what a run would send and roughly cost.
type Estimate struct {
	Units     int            `json:"units"`    // units with at least one game to run
	Requests  int            `json:"requests"` // games to run now
	Done      int            `json:"done"`     // games already finished (skipped on resume)
	Retry     int            `json:"retry"`    // of Requests, games that ended in error before
	Skipped   map[string]int `json:"skipped"`  // units that cannot be judged, by reason
	TokensIn  int            `json:"tokensIn"` // characters / 4
	TokensOut int            `json:"tokensOut"`
	Cost      float64        `json:"cost"` // USD; valid when CostKnown
	CostKnown bool           `json:"costKnown"`
	Price     Price          `json:"price"`
	Note      string         `json:"note"`
}

// Estimated adds token and cost estimates for tasks to e.
func Estimated(e Estimate, pending []Task, maxTokens int, model string, prices PriceTable) Estimate {
	out := EstimatedTokensOut
	if maxTokens > 0 && maxTokens < out {
		out = maxTokens
	}
	units := map[Unit]bool{}
	for _, t := range pending {
		e.TokensIn += t.EstimatedTokensIn()
		e.TokensOut += out
		units[t.Unit] = true
	}
	e.Units = len(units)
	e.Requests = len(pending)
	if p, ok := prices.Lookup(model); ok {
		e.Price, e.CostKnown = p, true
		e.Cost = float64(e.TokensIn)/1e6*p.InputPerMillion + float64(e.TokensOut)/1e6*p.OutputPerMillion
	}
	e.Note = fmt.Sprintf("Tokens are estimated as characters/4 for input and %d per request for output.", out)
	return e
}
