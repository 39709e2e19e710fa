package judge_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"concord/judge"
)

func TestRender(t *testing.T) {
	p := judge.Prompt{Name: "t", Template: "Q={question} A={answer_a} B={answer_b} R={ref_answer_1} {unknown}"}
	got, err := p.Render(judge.Fields{
		Questions: []string{"q1", "q2"}, AnswersA: []string{"a1 {answer_b}", "a2"}, AnswersB: []string{"b1", "b2"},
		Reference: []string{"r1"}, Turn: 1,
	})
	want := "Q=q1 A=a1 {answer_b} B=b1 R=r1 {unknown}" // answer text is never re-expanded
	if err != nil || got != want {
		t.Errorf("Render = %q, %v; want %q", got, err, want)
	}
	if _, err := p.Render(judge.Fields{Questions: []string{"q"}, AnswersA: []string{"a"}, AnswersB: []string{"b"}, Turn: 1}); err == nil {
		t.Errorf("Render without a reference: no error, want one")
	}
}

func TestBuiltinPrompts(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range judge.BuiltinPrompts() {
		if seen[p.Hash()] {
			t.Errorf("prompt %s: hash %s not unique", p.Name, p.Hash())
		}
		seen[p.Hash()] = true
		for _, tok := range []string{"[[A]]", "[[B]]", "[[C]]"} {
			if !strings.Contains(p.System, tok) {
				t.Errorf("prompt %s does not ask for %s", p.Name, tok)
			}
		}
	}
	f := judge.Fields{Questions: []string{"q1", "q2"}, AnswersA: []string{"a1", "a2"}, AnswersB: []string{"b1", "b2"},
		Reference: []string{"r1", "r2"}}
	for _, tt := range []struct {
		cat  string
		turn int
		ref  bool
		want string
		has  []string
	}{
		{"writing", 1, false, "concord-pair-v1", []string{"q1", "a1", "b1"}},
		{"writing", 2, false, "concord-pair-multi-v1", []string{"q1", "q2", "a1", "a2", "b1", "b2"}},
		{"math", 1, true, "concord-pair-ref-v1", []string{"q1", "r1", "a1", "b1"}},
		{"coding", 2, true, "concord-pair-ref-multi-v1", []string{"q2", "r1", "r2", "a2", "b2"}},
		{"math", 1, false, "concord-pair-v1", nil},   // no reference: plain prompt
		{"writing", 1, true, "concord-pair-v1", nil}, // reference ignored outside math/reasoning/coding
	} {
		p := judge.ConcordSet.For(tt.cat, tt.turn, tt.ref)
		if p == nil || p.Name != tt.want {
			t.Errorf("ConcordSet.For(%q, %d, %v) = %v, want %s", tt.cat, tt.turn, tt.ref, p, tt.want)
			continue
		}
		f.Turn = tt.turn
		out, err := p.Render(f)
		if err != nil {
			t.Errorf("%s.Render: %v", p.Name, err)
		}
		for _, s := range tt.has {
			if !strings.Contains(out, s) {
				t.Errorf("%s.Render does not contain %q:\n%s", p.Name, s, out)
			}
		}
	}
}

// TestFastChatPrompts renders FastChat's own templates (from ../shared/data)
// with the same fields.
func TestFastChatPrompts(t *testing.T) {
	fh, err := os.Open("../../shared/data/judge_prompts.jsonl")
	if err != nil {
		t.Skipf("FastChat judge prompts not available (../shared/data): %v", err)
	}
	defer fh.Close()
	prompts := map[string]judge.Prompt{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct{ Name, System_prompt, Prompt_template string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		prompts[r.Name] = judge.Prompt{Name: r.Name, System: r.System_prompt, Template: r.Prompt_template}
	}
	lookup := func(name string) (judge.Prompt, bool, error) { p, ok := prompts[name]; return p, ok, nil }
	set, err := judge.ResolvePromptSet("fastchat", lookup)
	if err != nil {
		t.Fatal(err)
	}
	f := judge.Fields{Questions: []string{"Q1", "Q2"}, AnswersA: []string{"A1", "A2"}, AnswersB: []string{"B1", "B2"},
		Reference: []string{"R1", "R2"}}
	for _, tt := range []struct {
		cat  string
		turn int
		want string
	}{
		{"writing", 1, "pair-v2"}, {"writing", 2, "pair-v2-multi-turn"},
		{"math", 1, "pair-math-v1"}, {"reasoning", 2, "pair-math-v1-multi-turn"},
	} {
		p := set.For(tt.cat, tt.turn, true)
		if p == nil || p.Name != tt.want {
			t.Errorf("fastchat.For(%q, %d) = %v, want %s", tt.cat, tt.turn, p, tt.want)
			continue
		}
		f.Turn = tt.turn
		out, err := p.Render(f)
		if err != nil || strings.Contains(out, "{") {
			t.Errorf("%s.Render = %q, %v; want every placeholder filled", p.Name, out, err)
		}
	}
	single, err := judge.ResolvePromptSet("pair-v2-multi-turn", lookup)
	if err != nil {
		t.Fatal(err)
	}
	if single.For("writing", 1, false) != nil || single.For("writing", 2, false) == nil {
		t.Errorf("single multi-turn prompt: want only second turns judged")
	}
	if _, err := judge.ResolvePromptSet("fastchat", func(string) (judge.Prompt, bool, error) { return judge.Prompt{}, false, nil }); err == nil {
		t.Errorf("ResolvePromptSet(fastchat) without imported prompts: no error")
	}
}
