package judge

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"concord/store"
)

// Prompt is a judge prompt: a system message and a user-message template
// with {placeholder} fields. Concord's own prompts and prompts imported from
// FastChat's judge_prompts.jsonl share the same placeholders. A pairwise
// prompt uses {question}, {answer_a}, {answer_b}, {ref_answer_1} for one turn,
// and {question_1}, {question_2}, {answer_a_1}, {answer_a_2}, {answer_b_1},
// {answer_b_2}, {ref_answer_1}, {ref_answer_2} for two; a single-answer prompt
// uses {answer} for one turn and {answer_1}, {answer_2} for two instead.
type Prompt struct {
	Name     string
	System   string
	Template string
	Kind     PromptKind // what the judge is asked for; the zero value is pairwise
	// Verdicts are the tokens for the first answer, the second and a tie;
	// zero: [[A]], [[B]] and [[C]] (RenameLabels sets others).
	Verdicts [3]string
}

// verdictTokens are the tokens the prompt asks the judge to end on.
func (p *Prompt) verdictTokens() []string {
	if p == nil || p.Verdicts[0] == "" {
		return verdictTokens
	}
	return p.Verdicts[:]
}

// Hash identifies the prompt's text (store.PromptHash: SHA-256 of the system
// prompt, a NUL byte and the template, first 16 hex digits), the same hash
// imported prompts carry. It is stored with every verdict so that a changed
// prompt is never mistaken for the one that produced earlier verdicts.
func (p Prompt) Hash() string { return store.PromptHash(p.System, p.Template) }

// MultiTurn reports whether the template shows two-turn conversations.
func (p Prompt) MultiTurn() bool {
	return strings.Contains(p.Template, "{question_2}") || strings.Contains(p.Template, "{answer_a_2}") ||
		strings.Contains(p.Template, "{answer_2}")
}

// NeedsReference reports whether the template shows a reference answer.
func (p Prompt) NeedsReference() bool {
	return strings.Contains(p.Template, "{ref_answer_")
}

var placeholder = regexp.MustCompile(`\{[a-z_0-9]+\}`)

// Render fills the template. Only known placeholders are replaced, in one pass,
// so text inside an answer that looks like a placeholder is left alone.
func (p Prompt) Render(f Fields) (string, error) {
	vals := f.values()
	var missing []string
	out := placeholder.ReplaceAllStringFunc(p.Template, func(m string) string {
		v, ok := vals[m[1:len(m)-1]]
		if !ok {
			return m // FastChat templates contain no other braces, but stay literal
		}
		if v == nil {
			missing = append(missing, m)
			return m
		}
		return *v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("prompt %s: no value for %s", p.Name, strings.Join(missing, ", "))
	}
	return out, nil
}

// Fields are the values a template may use. Index 0 is the first turn.
// Answers A and B are in presentation order (A is shown first); Answers is the
// one answer a single-answer prompt rates.
type Fields struct {
	Questions []string
	AnswersA  []string
	AnswersB  []string
	Answers   []string
	Reference []string
	Turn      int // 1-based turn being judged
}

func (f Fields) values() map[string]*string {
	at := func(s []string, i int) *string {
		if i < 0 || i >= len(s) {
			return nil
		}
		return &s[i]
	}
	t := f.Turn - 1
	return map[string]*string{
		"question":     at(f.Questions, t),
		"answer_a":     at(f.AnswersA, t),
		"answer_b":     at(f.AnswersB, t),
		"ref_answer_1": at(f.Reference, 0),
		"ref_answer_2": at(f.Reference, 1),
		"question_1":   at(f.Questions, 0),
		"question_2":   at(f.Questions, 1),
		"answer_a_1":   at(f.AnswersA, 0),
		"answer_a_2":   at(f.AnswersA, 1),
		"answer_b_1":   at(f.AnswersB, 0),
		"answer_b_2":   at(f.AnswersB, 1),
		"answer":       at(f.Answers, t),
		"answer_1":     at(f.Answers, 0),
		"answer_2":     at(f.Answers, 1),
	}
}

// PromptSet picks the prompt for a unit: a plain prompt for first and
// second turns, and reference-guided ones for categories with a reference
// answer (math, reasoning, coding). A nil entry means units of that kind
// cannot be judged with this set.
type PromptSet struct {
	Name                string
	Turn1, Turn2        *Prompt
	RefTurn1, RefTurn2  *Prompt
	ReferenceCategories []string
}

// For returns the prompt for a question of the given category and turn;
// hasRef says whether a reference answer exists for it. A reference-guided
// prompt is used when a reference exists and the category is one of
// ReferenceCategories (nil: any category); otherwise the plain prompt. Nil
// means the set cannot judge that unit.
func (s PromptSet) For(category string, turn int, hasRef bool) *Prompt {
	useRef := hasRef && (s.ReferenceCategories == nil || slices.Contains(s.ReferenceCategories, category))
	switch turn {
	case 1:
		if useRef && s.RefTurn1 != nil {
			return s.RefTurn1
		}
		return s.Turn1
	case 2:
		if useRef && s.RefTurn2 != nil {
			return s.RefTurn2
		}
		return s.Turn2
	}
	return nil
}

// Hashes returns "name=hash" for each prompt of the set, for the judge's
// configuration record.
func (s PromptSet) Hashes() []string {
	var out []string
	for _, p := range []*Prompt{s.Turn1, s.Turn2, s.RefTurn1, s.RefTurn2} {
		if p != nil {
			out = append(out, p.Name+"="+p.Hash())
		}
	}
	return out
}

// ReferenceCategories are MT-Bench's categories judged against a reference answer.
var ReferenceCategories = []string{"math", "reasoning", "coding"}

// FastChatPromptNames are the pairwise prompts of FastChat's judge_prompts.jsonl
// that the "fastchat" set uses, once imported into the prompts table.
var FastChatPromptNames = [4]string{"pair-v2", "pair-v2-multi-turn", "pair-math-v1", "pair-math-v1-multi-turn"}

// SinglePromptSet uses one prompt for every unit it can judge: a multi-turn
// template only second turns, a single-turn template only first turns, and a
// reference-guided template only questions that have a reference answer.
func SinglePromptSet(p Prompt) PromptSet {
	s := PromptSet{Name: p.Name}
	q := &p
	switch {
	case p.NeedsReference() && p.MultiTurn():
		s.RefTurn2 = q
	case p.NeedsReference():
		s.RefTurn1 = q
	case p.MultiTurn():
		s.Turn2 = q
	default:
		s.Turn1 = q
	}
	return s
}

// Concord's own pairwise prompts, written for this project.
const (
	concordSystem = `You are a careful, even-handed reviewer comparing two AI assistants, A and B, that answered the same user request. Decide which answer serves the user better.

Weigh, in this order: whether the answer does what was asked (including any explicit constraints on format or length), whether it is correct, whether it is useful (clear, specific, with the detail the request calls for), and only then style. A longer answer is not a better answer by itself; extra material that the user did not ask for counts for nothing. Ignore the names, and ignore which answer you read first: swapping A and B must not change your decision.

Write a brief comparison of the two answers, pointing to concrete strengths and faults. Then, on the last line and nowhere else, give exactly one verdict: [[A]] if A's answer is better, [[B]] if B's answer is better, or [[C]] if they are about equally good.`

	concordSystemMulti = `You are a careful, even-handed reviewer comparing two AI assistants, A and B. Each held the same two-turn conversation with a user. Judge only the assistants' replies to the user's SECOND message, reading the first exchange as context: a second reply that contradicts or forgets the first turn, or ignores what the user now asks, is a fault.

Weigh, in this order: whether the reply does what the second message asks (including explicit constraints), whether it is correct, whether it is useful, and only then style. Length alone earns nothing. Ignore the names and the order in which you read the conversations: swapping A and B must not change your decision.

Write a brief comparison of the two second replies, pointing to concrete strengths and faults. Then, on the last line and nowhere else, give exactly one verdict: [[A]] if A's reply is better, [[B]] if B's reply is better, or [[C]] if they are about equally good.`

	concordSystemRef = `You are a careful, even-handed reviewer comparing two AI assistants, A and B, on a question that has a correct answer (mathematics, reasoning or programming). You are given a reference solution. Treat it as a strong guide, but check it: it can itself be wrong.

First work out, against the reference, whether each assistant's final result is correct, and name each mistake you find in its working. Correctness decides: a correct answer beats an incorrect one however well the incorrect one is written. If both are correct, or both wrong, prefer the one whose reasoning is sounder and easier to follow. Length alone earns nothing, and the order in which you read A and B must not matter.

Keep the comparison brief. Then, on the last line and nowhere else, give exactly one verdict: [[A]] if A's answer is better, [[B]] if B's answer is better, or [[C]] if they are about equally good.`

	concordSystemRefMulti = `You are a careful, even-handed reviewer comparing two AI assistants, A and B, each of which held the same two-turn conversation with a user on a problem that has a correct answer (mathematics, reasoning or programming). You are given reference solutions for both user messages. Treat them as a strong guide, but check them: they can be wrong.

Judge only the assistants' replies to the user's SECOND message, reading the first exchange as context. Work out, against the reference, whether each second reply is correct and name each mistake. Correctness decides; if both are correct or both wrong, prefer the sounder, clearer reasoning. Length alone earns nothing, and the order in which you read A and B must not matter.

Keep the comparison brief. Then, on the last line and nowhere else, give exactly one verdict: [[A]] if A's reply is better, [[B]] if B's reply is better, or [[C]] if they are about equally good.`

	concordTemplate = `=== User request ===
{question}

=== Answer of assistant A ===
{answer_a}
=== End of A ===

=== Answer of assistant B ===
{answer_b}
=== End of B ===`

	concordTemplateRef = `=== User request ===
{question}

=== Reference solution ===
{ref_answer_1}
=== End of reference ===

=== Answer of assistant A ===
{answer_a}
=== End of A ===

=== Answer of assistant B ===
{answer_b}
=== End of B ===`

	concordTemplateMulti = `=== Conversation with assistant A ===
[User, first message]
{question_1}

[Assistant A]
{answer_a_1}

[User, second message]
{question_2}

[Assistant A]
{answer_a_2}
=== End of conversation with A ===

=== Conversation with assistant B ===
[User, first message]
{question_1}

[Assistant B]
{answer_b_1}

[User, second message]
{question_2}

[Assistant B]
{answer_b_2}
=== End of conversation with B ===`

	concordTemplateRefMulti = `=== Reference solutions ===
[User, first message]
{question_1}

[Reference]
{ref_answer_1}

[User, second message]
{question_2}

[Reference]
{ref_answer_2}
=== End of reference ===

` + concordTemplateMulti
)

// Concord's built-in prompts.
var (
	ConcordTurn1    = Prompt{Name: "concord-pair-v1", System: concordSystem, Template: concordTemplate}
	ConcordTurn2    = Prompt{Name: "concord-pair-multi-v1", System: concordSystemMulti, Template: concordTemplateMulti}
	ConcordRefTurn1 = Prompt{Name: "concord-pair-ref-v1", System: concordSystemRef, Template: concordTemplateRef}
	ConcordRefTurn2 = Prompt{Name: "concord-pair-ref-multi-v1", System: concordSystemRefMulti, Template: concordTemplateRefMulti}
)

// ConcordSet is the default prompt set.
var ConcordSet = PromptSet{
	Name: "concord", Turn1: &ConcordTurn1, Turn2: &ConcordTurn2,
	RefTurn1: &ConcordRefTurn1, RefTurn2: &ConcordRefTurn2,
	ReferenceCategories: ReferenceCategories,
}

// BuiltinPrompts lists Concord's own prompts.
func BuiltinPrompts() []Prompt {
	return []Prompt{ConcordTurn1, ConcordTurn2, ConcordRefTurn1, ConcordRefTurn2}
}

// PromptLookup finds an imported prompt by name (the prompts table).
type PromptLookup func(name string) (Prompt, bool, error)

// ResolvePromptSet turns a --prompt value into a set: "" or "concord" is
// Concord's set; "fastchat" is FastChat's four pairwise prompts (they must
// have been imported); any other name is a single prompt, built-in or
// imported, used for the units it fits (see SinglePromptSet).
func ResolvePromptSet(name string, lookup PromptLookup) (PromptSet, error) {
	switch name {
	case "", "concord":
		return ConcordSet, nil
	case "fastchat":
		return fastChatSet(FastChatPromptNames, lookup, func(n string, p Prompt) error {
			if p.Kind == PromptSingle {
				return fmt.Errorf("prompt %s rates one answer, want a pairwise prompt", n)
			}
			return nil
		})
	}
	for _, p := range BuiltinPrompts() {
		if p.Name == name {
			return SinglePromptSet(p), nil
		}
	}
	p, ok, err := lookupPrompt(name, lookup)
	if err != nil {
		return PromptSet{}, err
	}
	if !ok {
		for _, p := range BuiltinSinglePrompts() {
			if p.Name == name {
				return PromptSet{}, fmt.Errorf("prompt %s rates one answer: it is for single-answer grading, not pairwise", name)
			}
		}
		return PromptSet{}, fmt.Errorf("prompt %s not found (built-in: concord, fastchat, %s)", name, strings.Join(promptNames(BuiltinPrompts()), ", "))
	}
	if p.Kind == PromptSingle {
		return PromptSet{}, fmt.Errorf("prompt %s rates one answer: it is for single-answer grading, not pairwise", name)
	}
	return SinglePromptSet(p), nil
}

// fastChatSet is FastChat's set of four imported prompts, looked up by name
// for Turn1, Turn2, RefTurn1 and RefTurn2; check refuses one of the wrong kind.
func fastChatSet(names [4]string, lookup PromptLookup, check func(name string, p Prompt) error) (PromptSet, error) {
	var ps [4]*Prompt
	for i, n := range names {
		p, ok, err := lookupPrompt(n, lookup)
		if err != nil {
			return PromptSet{}, err
		}
		if !ok {
			return PromptSet{}, fmt.Errorf("prompt %s not found: import FastChat's judge_prompts.jsonl first", n)
		}
		if err := check(n, p); err != nil {
			return PromptSet{}, err
		}
		ps[i] = &p
	}
	return PromptSet{Name: "fastchat", Turn1: ps[0], Turn2: ps[1], RefTurn1: ps[2], RefTurn2: ps[3],
		ReferenceCategories: ReferenceCategories}, nil
}

func lookupPrompt(name string, lookup PromptLookup) (Prompt, bool, error) {
	if lookup == nil {
		return Prompt{}, false, nil
	}
	p, ok, err := lookup(name)
	if err != nil {
		return Prompt{}, false, fmt.Errorf("look up prompt %s: %w", name, err)
	}
	return p, ok, nil
}

func promptNames(ps []Prompt) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}
