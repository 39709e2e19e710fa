package judge

import (
	"fmt"
	"strings"
)

// PromptKind says what a prompt asks the judge for. The values are those of
// the "type" field of FastChat's judge_prompts.jsonl, which the store keeps
// as store.Prompt.Type.
type PromptKind string

// Prompt kinds.
const (
	PromptPairwise PromptKind = "pairwise" // a verdict [[A]], [[B]] or [[C]] between two answers
	PromptSingle   PromptKind = "single"   // a rating [[1]] to [[10]] of one answer (ParseRating)
)

// Kind returns the kind shared by the set's prompts (pairwise for a set
// whose prompts leave Kind empty). A set that mixes kinds is an error: a run
// parses every reply of a set the same way.
func (s PromptSet) Kind() (PromptKind, error) {
	var kind PromptKind
	for _, p := range []*Prompt{s.Turn1, s.Turn2, s.RefTurn1, s.RefTurn2} {
		if p == nil {
			continue
		}
		k := p.Kind
		if k == "" {
			k = PromptPairwise
		}
		if kind != "" && k != kind {
			return "", fmt.Errorf("prompt set %s mixes %s and %s prompts", s.Name, kind, k)
		}
		kind = k
	}
	if kind == "" {
		return "", fmt.Errorf("prompt set %s has no prompts", s.Name)
	}
	return kind, nil
}

// FastChatSinglePromptNames are the single-answer prompts of FastChat's
// judge_prompts.jsonl that the "fastchat" single set uses (first turn, second
// turn, first turn with a reference, second turn with references), once
// imported into the prompts table.
var FastChatSinglePromptNames = [4]string{"single-v1", "single-v1-multi-turn", "single-math-v1", "single-math-v1-multi-turn"}

// Concord's own single-answer prompts, written for this project.
const (
	concordSingleScale = `Use the whole scale:
1-2: fails the request: off topic, refuses without cause, or wrong in what matters most.
3-4: attempts the request but has serious errors or leaves out much of what was asked.
5-6: acceptable: mostly correct and on topic, with clear faults or gaps.
7-8: good: correct and useful, with minor faults.
9-10: excellent: correct, complete and clear; hard to improve.`

	concordSingleFormat = `Write a brief assessment that points to concrete strengths and faults. Then, on the last line and nowhere else, give your rating as a whole number from 1 to 10 in double brackets, in the form Rating: [[N]].`

	concordSingleSystem = `You are a careful, fair reviewer rating the answer an AI assistant gave to a user's request.

Weigh, in this order: whether the answer does what was asked (including any explicit constraints on format or length), whether it is correct, whether it is useful (clear, specific, with the detail the request calls for), and only then style. A longer answer is not a better answer by itself; material the user did not ask for earns nothing.

` + concordSingleScale + `

` + concordSingleFormat

	concordSingleSystemMulti = `You are a careful, fair reviewer rating an AI assistant that held a two-turn conversation with a user. Rate only the assistant's reply to the user's SECOND message, reading the first exchange as context: a second reply that contradicts or forgets the first turn, or ignores what the user now asks, is a fault.

Weigh, in this order: whether the reply does what the second message asks (including explicit constraints), whether it is correct, whether it is useful, and only then style. Length alone earns nothing.

` + concordSingleScale + `

` + concordSingleFormat

	concordSingleSystemRef = `You are a careful, fair reviewer rating an AI assistant's answer to a question that has a correct answer (mathematics, reasoning or programming). You are given a reference solution. Treat it as a strong guide, but check it: it can itself be wrong.

First work out, against the reference, whether the assistant's final result is correct, and name each mistake you find in its working. Correctness decides: an answer whose final result is wrong scores 1 to 4 however well it is written; a correct one scores 5 or more, higher the sounder and clearer its reasoning. Length alone earns nothing.

` + concordSingleFormat

	concordSingleSystemRefMulti = `You are a careful, fair reviewer rating an AI assistant that held a two-turn conversation with a user on a problem that has a correct answer (mathematics, reasoning or programming). You are given reference solutions for both user messages. Treat them as a strong guide, but check them: they can be wrong.

Rate only the assistant's reply to the user's SECOND message, reading the first exchange as context. Work out, against the reference, whether that reply is correct and name each mistake. Correctness decides: a wrong final result scores 1 to 4 however well it is written; a correct one scores 5 or more, higher the sounder and clearer its reasoning. Length alone earns nothing.

` + concordSingleFormat

	concordSingleTemplate = `=== User request ===
{question}

=== Answer of the assistant ===
{answer}
=== End of answer ===`

	concordSingleTemplateRef = `=== User request ===
{question}

=== Reference solution ===
{ref_answer_1}
=== End of reference ===

=== Answer of the assistant ===
{answer}
=== End of answer ===`

	concordSingleTemplateMulti = `=== Conversation with the assistant ===
[User, first message]
{question_1}

[Assistant]
{answer_1}

[User, second message]
{question_2}

[Assistant]
{answer_2}
=== End of conversation ===`

	concordSingleTemplateRefMulti = `=== Reference solutions ===
[User, first message]
{question_1}

[Reference]
{ref_answer_1}

[User, second message]
{question_2}

[Reference]
{ref_answer_2}
=== End of reference ===

` + concordSingleTemplateMulti
)

// Concord's built-in single-answer prompts.
var (
	ConcordSingleTurn1 = Prompt{Name: "concord-single-v1", System: concordSingleSystem,
		Template: concordSingleTemplate, Kind: PromptSingle}
	ConcordSingleTurn2 = Prompt{Name: "concord-single-multi-v1", System: concordSingleSystemMulti,
		Template: concordSingleTemplateMulti, Kind: PromptSingle}
	ConcordSingleRefTurn1 = Prompt{Name: "concord-single-ref-v1", System: concordSingleSystemRef,
		Template: concordSingleTemplateRef, Kind: PromptSingle}
	ConcordSingleRefTurn2 = Prompt{Name: "concord-single-ref-multi-v1", System: concordSingleSystemRefMulti,
		Template: concordSingleTemplateRefMulti, Kind: PromptSingle}
)

// ConcordSingleSet is the default single-answer prompt set. Its For picks
// prompts as ConcordSet's does: reference-guided ones for math, reasoning and
// coding when a reference exists.
var ConcordSingleSet = PromptSet{
	Name: "concord", Turn1: &ConcordSingleTurn1, Turn2: &ConcordSingleTurn2,
	RefTurn1: &ConcordSingleRefTurn1, RefTurn2: &ConcordSingleRefTurn2,
	ReferenceCategories: ReferenceCategories,
}

// BuiltinSinglePrompts lists Concord's own single-answer prompts.
func BuiltinSinglePrompts() []Prompt {
	return []Prompt{ConcordSingleTurn1, ConcordSingleTurn2, ConcordSingleRefTurn1, ConcordSingleRefTurn2}
}

// ResolveSinglePromptSet is ResolvePromptSet for single-answer grading: "" or
// "concord" is ConcordSingleSet; "fastchat" is FastChat's four single prompts
// (FastChatSinglePromptNames; they must have been imported); any other name
// is one single-answer prompt, built-in or imported, used for the units it
// fits (see SinglePromptSet). The lookup must report an imported prompt's
// Kind: a prompt that is not PromptSingle is refused.
func ResolveSinglePromptSet(name string, lookup PromptLookup) (PromptSet, error) {
	switch name {
	case "", "concord":
		return ConcordSingleSet, nil
	case "fastchat":
		return fastChatSet(FastChatSinglePromptNames, lookup, wantSingle)
	}
	for _, p := range BuiltinSinglePrompts() {
		if p.Name == name {
			return SinglePromptSet(p), nil
		}
	}
	p, ok, err := lookupPrompt(name, lookup)
	if err != nil {
		return PromptSet{}, err
	}
	if !ok {
		return PromptSet{}, fmt.Errorf("prompt %s not found (built-in: concord, fastchat, %s)", name, strings.Join(promptNames(BuiltinSinglePrompts()), ", "))
	}
	if err := wantSingle(name, p); err != nil {
		return PromptSet{}, err
	}
	return SinglePromptSet(p), nil
}

// wantSingle refuses a prompt that does not rate one answer.
func wantSingle(name string, p Prompt) error {
	if p.Kind != PromptSingle {
		return fmt.Errorf("prompt %s is %s, want a single-answer prompt", name, kindName(p.Kind))
	}
	return nil
}

func kindName(k PromptKind) string {
	if k == "" {
		return string(PromptPairwise)
	}
	return string(k)
}
