package judge_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"concord/judge"
)

func TestBuiltinSinglePrompts(t *testing.T) {
	seen := map[string]string{}
	for _, p := range judge.BuiltinPrompts() {
		seen[p.Hash()] = p.Name
	}
	for _, p := range judge.BuiltinSinglePrompts() {
		if other, ok := seen[p.Hash()]; ok {
			t.Errorf("prompt %s: hash %s also belongs to %s", p.Name, p.Hash(), other)
		}
		seen[p.Hash()] = p.Name
		if p.Kind != judge.PromptSingle {
			t.Errorf("prompt %s: Kind = %q, want %q", p.Name, p.Kind, judge.PromptSingle)
		}
		if !strings.Contains(p.System, "Rating: [[N]]") {
			t.Errorf("prompt %s does not ask for Rating: [[N]]", p.Name)
		}
	}
	f := judge.Fields{Questions: []string{"q1", "q2"}, Answers: []string{"a1", "a2"}, Reference: []string{"r1", "r2"}}
	for _, tt := range []struct {
		cat    string
		turn   int
		ref    bool
		want   string
		has    []string
		hasNot []string
	}{
		{"writing", 1, false, "concord-single-v1", []string{"q1", "a1"}, []string{"q2", "a2"}},
		{"writing", 2, false, "concord-single-multi-v1", []string{"q1", "q2", "a1", "a2"}, []string{"r1"}},
		{"math", 1, true, "concord-single-ref-v1", []string{"q1", "r1", "a1"}, []string{"a2", "r2"}},
		{"coding", 2, true, "concord-single-ref-multi-v1", []string{"q1", "q2", "r1", "r2", "a1", "a2"}, nil},
		{"reasoning", 1, false, "concord-single-v1", nil, nil},     // no reference: plain prompt
		{"roleplay", 2, true, "concord-single-multi-v1", nil, nil}, // reference ignored outside math/reasoning/coding
	} {
		p := judge.ConcordSingleSet.For(tt.cat, tt.turn, tt.ref)
		if p == nil || p.Name != tt.want {
			t.Errorf("ConcordSingleSet.For(%q, %d, %v) = %v, want %s", tt.cat, tt.turn, tt.ref, p, tt.want)
			continue
		}
		f.Turn = tt.turn
		out, err := p.Render(f)
		if err != nil {
			t.Errorf("%s.Render: %v", p.Name, err)
			continue
		}
		for _, s := range tt.has {
			if !strings.Contains(out, s) {
				t.Errorf("%s.Render does not contain %q:\n%s", p.Name, s, out)
			}
		}
		for _, s := range tt.hasNot {
			if strings.Contains(out, s) {
				t.Errorf("%s.Render contains %q:\n%s", p.Name, s, out)
			}
		}
	}
	// A single-answer template has no answer to show from pairwise fields.
	pair := judge.Fields{Questions: []string{"q1"}, AnswersA: []string{"a"}, AnswersB: []string{"b"}, Turn: 1}
	if out, err := judge.ConcordSingleTurn1.Render(pair); err == nil {
		t.Errorf("concord-single-v1.Render(pairwise fields) = %q, want an error", out)
	}
}

func TestPromptSetKind(t *testing.T) {
	mixed := judge.ConcordSingleSet
	mixed.Turn2 = &judge.ConcordTurn2
	tests := []struct {
		set  judge.PromptSet
		want judge.PromptKind
		err  bool
	}{
		{judge.ConcordSet, judge.PromptPairwise, false},
		{judge.ConcordSingleSet, judge.PromptSingle, false},
		{judge.SinglePromptSet(judge.ConcordSingleRefTurn2), judge.PromptSingle, false},
		{mixed, "", true},
		{judge.PromptSet{Name: "empty"}, "", true},
	}
	for _, tt := range tests {
		got, err := tt.set.Kind()
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("PromptSet{%s}.Kind() = %q, %v; want %q, error %v", tt.set.Name, got, err, tt.want, tt.err)
		}
	}
}

// TestFastChatSinglePrompts renders FastChat's single-answer templates (from
// ../shared/data) with the single-answer fields.
func TestFastChatSinglePrompts(t *testing.T) {
	fh, err := os.Open("../../shared/data/judge_prompts.jsonl")
	if err != nil {
		t.Skipf("FastChat judge prompts not available (../shared/data): %v", err)
	}
	defer fh.Close()
	prompts := map[string]judge.Prompt{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct{ Name, Type, System_prompt, Prompt_template string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		prompts[r.Name] = judge.Prompt{Name: r.Name, System: r.System_prompt, Template: r.Prompt_template,
			Kind: judge.PromptKind(r.Type)}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	lookup := func(name string) (judge.Prompt, bool, error) { p, ok := prompts[name]; return p, ok, nil }
	set, err := judge.ResolveSinglePromptSet("fastchat", lookup)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := set.Kind(); k != judge.PromptSingle || err != nil {
		t.Errorf("fastchat single set: Kind() = %q, %v; want single", k, err)
	}
	f := judge.Fields{Questions: []string{"Q1", "Q2"}, Answers: []string{"ANS1", "ANS2"}, Reference: []string{"REF1", "REF2"}}
	for _, tt := range []struct {
		cat  string
		turn int
		ref  bool
		want string
		has  []string
	}{
		{"writing", 1, true, "single-v1", []string{"Q1", "ANS1"}},
		{"writing", 2, true, "single-v1-multi-turn", []string{"Q1", "Q2", "ANS1", "ANS2"}},
		{"math", 1, true, "single-math-v1", []string{"Q1", "REF1", "ANS1"}},
		{"coding", 2, true, "single-math-v1-multi-turn", []string{"Q1", "Q2", "REF1", "REF2", "ANS1", "ANS2"}},
		{"reasoning", 1, false, "single-v1", []string{"Q1", "ANS1"}},
	} {
		p := set.For(tt.cat, tt.turn, tt.ref)
		if p == nil || p.Name != tt.want {
			t.Errorf("fastchat single For(%q, %d, %v) = %v, want %s", tt.cat, tt.turn, tt.ref, p, tt.want)
			continue
		}
		f.Turn = tt.turn
		out, err := p.Render(f)
		if err != nil || strings.Contains(out, "{") {
			t.Errorf("%s.Render = %q, %v; want every placeholder filled", p.Name, out, err)
			continue
		}
		for _, s := range tt.has {
			if !strings.Contains(out, s) {
				t.Errorf("%s.Render does not contain %q", p.Name, s)
			}
		}
	}

	one, err := judge.ResolveSinglePromptSet("single-math-v1-multi-turn", lookup)
	if err != nil {
		t.Fatal(err)
	}
	if one.For("math", 2, false) != nil || one.For("math", 1, true) != nil || one.For("math", 2, true) == nil {
		t.Errorf("single-math-v1-multi-turn alone: want only second turns with a reference judged")
	}
	for _, tt := range []struct {
		name    string
		resolve func(string, judge.PromptLookup) (judge.PromptSet, error)
		mode    string
	}{
		{"pair-v2", judge.ResolveSinglePromptSet, "single"}, // a pairwise prompt in a single-answer run
		{"single-v1", judge.ResolvePromptSet, "pairwise"},   // a single-answer prompt in a pairwise run
		{"concord-single-v1", judge.ResolvePromptSet, "pairwise"},
		{"concord-pair-v1", judge.ResolveSinglePromptSet, "single"},
	} {
		if _, err := tt.resolve(tt.name, lookup); err == nil {
			t.Errorf("resolving %s for a %s run: no error", tt.name, tt.mode)
		}
	}
	empty := func(string) (judge.Prompt, bool, error) { return judge.Prompt{}, false, nil }
	if _, err := judge.ResolveSinglePromptSet("fastchat", empty); err == nil {
		t.Errorf("ResolveSinglePromptSet(fastchat) without imported prompts: no error")
	}
	if s, err := judge.ResolveSinglePromptSet("", empty); err != nil || s.Turn1 != &judge.ConcordSingleTurn1 {
		t.Errorf("ResolveSinglePromptSet(\"\") = %v, %v; want Concord's single set", s.Name, err)
	}
}
