package judge_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"concord/judge"
	"concord/store"
)

func TestRateReply(t *testing.T) {
	p := &judge.ConcordSingleRefTurn1
	tests := []struct {
		prompt *judge.Prompt
		reply  string
		score  float64
		err    error // nil: no error text
		errHas string
	}{
		{p, "Correct, and the working is clear.\nRating: [[9]]", 9, nil, ""},
		{p, "Rating: [[8.5]]", 8.5, nil, ""},
		{p, "Mostly right.\nRating: [7]", 7, nil, ""},
		{p, "I cannot decide.", 0, judge.ErrNoRating, ""},
		{p, "Rating: [[6]] or [[7]]", 0, judge.ErrAmbiguousRating, ""},
		{p, "Rating: [[0]]", 0, judge.ErrRatingRange, ""},
		{&judge.ConcordTurn1, "Rating: [[9]]", 0, nil, "not a single-answer prompt"}, // a pairwise prompt's reply
	}
	for _, tt := range tests {
		r := judge.RateReply(tt.prompt, 101, "gpt-4", 1, tt.reply)
		want := judge.RatingKey{Prompt: tt.prompt.Name, PromptHash: tt.prompt.Hash(), QuestionID: 101, Model: "gpt-4", Turn: 1}
		if r.RatingKey != want || r.Judgment != tt.reply {
			t.Errorf("RateReply(%s, %q): key %+v, judgment %q; want %+v and the reply kept", tt.prompt.Name, tt.reply, r.RatingKey, r.Judgment, want)
		}
		wantErr := ""
		if tt.err != nil {
			_, perr := judge.ParseRating(tt.reply)
			if !errors.Is(perr, tt.err) {
				t.Fatalf("test table: ParseRating(%q) = %v, want %v", tt.reply, perr, tt.err)
			}
			wantErr = perr.Error()
		}
		if r.Score != tt.score || (tt.errHas == "" && r.Error != wantErr) || !strings.Contains(r.Error, tt.errHas) {
			t.Errorf("RateReply(%s, %q) = score %v, error %q; want %v, %q%s", tt.prompt.Name, tt.reply, r.Score, r.Error, tt.score, wantErr, tt.errHas)
		}
	}
}

func TestBuildSingleTasks(t *testing.T) {
	m := judge.Material{
		Questions: []store.Question{
			{ID: 81, Category: "writing", Turns: []string{"w1", "w2"}},
			{ID: 111, Category: "math", Turns: []string{"m1", "m2"}},
			{ID: 112, Category: "math", Turns: []string{"n1", "n2"}, Reference: []string{"own-r1"}}, // one reference turn only
		},
		Answers: []store.Answer{
			{QuestionID: 81, Model: "alpaca", Turns: []string{"alpaca-w1", "alpaca-w2"}},
			{QuestionID: 81, Model: "gpt-4", Turns: []string{"gpt4-w1", "gpt4-w2"}},
			{QuestionID: 111, Model: "alpaca", Turns: []string{"alpaca-m1"}}, // turn 2 missing
			{QuestionID: 111, Model: "gpt-4", Turns: []string{"gpt4-m1", "gpt4-m2"}},
			{QuestionID: 112, Model: "gpt-4", Turns: []string{"gpt4-n1", "gpt4-n2"}},
		},
		References: map[int][]string{111: {"ref-m1", "ref-m2"}},
	}
	// id renders a task as question/model/turn/prompt.
	id := func(ts []judge.SingleTask) []string {
		var out []string
		for _, t := range ts {
			out = append(out, fmt.Sprintf("%d/%s/%d/%s", t.QuestionID, t.Model, t.Turn, t.Prompt.Name))
		}
		return out
	}
	tests := []struct {
		name    string
		sel     judge.Selection
		want    []string
		skipped map[string]int
	}{
		{"everything", judge.Selection{}, []string{
			"81/alpaca/1/concord-single-v1", "81/alpaca/2/concord-single-multi-v1",
			"81/gpt-4/1/concord-single-v1", "81/gpt-4/2/concord-single-multi-v1",
			"111/alpaca/1/concord-single-ref-v1",
			"111/gpt-4/1/concord-single-ref-v1", "111/gpt-4/2/concord-single-ref-multi-v1",
			"112/gpt-4/1/concord-single-ref-v1", "112/gpt-4/2/concord-single-multi-v1", // one reference turn: plain prompt for turn 2
		}, map[string]int{"answer or turn missing": 3}}, // alpaca 111 turn 2, alpaca 112 both turns
		{"one model, first turns, math", judge.Selection{Models: []string{"gpt-4"}, Turns: []int{1}, Categories: []string{"math"}},
			[]string{"111/gpt-4/1/concord-single-ref-v1", "112/gpt-4/1/concord-single-ref-v1"}, map[string]int{}},
		{"pairs name the models", judge.Selection{Pairs: [][2]string{{"gpt-4", "alpaca"}}, QuestionIDs: []int{81}, Turns: []int{2}},
			[]string{"81/alpaca/2/concord-single-multi-v1", "81/gpt-4/2/concord-single-multi-v1"}, map[string]int{}},
		{"units rate both models once", judge.Selection{Units: []judge.Unit{
			{QuestionID: 81, Model1: "alpaca", Model2: "gpt-4", Turn: 1},
			{QuestionID: 81, Model1: "gpt-4", Model2: "alpaca", Turn: 1}, // the same answers again
			{QuestionID: 999, Model1: "alpaca", Model2: "gpt-4", Turn: 1},
		}}, []string{"81/alpaca/1/concord-single-v1", "81/gpt-4/1/concord-single-v1"}, map[string]int{"question not found": 2}},
	}
	for _, tt := range tests {
		tasks, skipped, err := judge.BuildSingleTasks(m, tt.sel, judge.ConcordSingleSet)
		if err != nil {
			t.Errorf("%s: BuildSingleTasks: %v", tt.name, err)
			continue
		}
		if got := id(tasks); !slices.Equal(got, tt.want) {
			t.Errorf("%s: BuildSingleTasks = %q, want %q", tt.name, got, tt.want)
		}
		if !maps.Equal(skipped, tt.skipped) {
			t.Errorf("%s: skipped = %v, want %v", tt.name, skipped, tt.skipped)
		}
	}

	// The rendered message shows the rated answer and its reference, not the other model's.
	tasks, _, _ := judge.BuildSingleTasks(m, judge.Selection{Models: []string{"gpt-4"}, QuestionIDs: []int{111}, Turns: []int{2}}, judge.ConcordSingleSet)
	if len(tasks) != 1 {
		t.Fatalf("BuildSingleTasks(gpt-4, q111, turn 2) = %d tasks, want 1", len(tasks))
	}
	for _, s := range []string{"m1", "m2", "ref-m1", "ref-m2", "gpt4-m1", "gpt4-m2"} {
		if !strings.Contains(tasks[0].User, s) {
			t.Errorf("task user message does not contain %q:\n%s", s, tasks[0].User)
		}
	}
	if strings.Contains(tasks[0].User, "alpaca") {
		t.Errorf("task user message shows another model's answer:\n%s", tasks[0].User)
	}
	if r := tasks[0].Rate("Rating: [[6]]"); r.Score != 6 || r.Error != "" || r.UserPrompt != tasks[0].User || r.RatingKey != tasks[0].Key() {
		t.Errorf("SingleTask.Rate = %+v, want score 6 with the task's key and user message", r)
	}

	for _, tt := range []struct {
		name string
		sel  judge.Selection
		set  judge.PromptSet
	}{
		{"pairwise set", judge.Selection{}, judge.ConcordSet},
		{"model without answers", judge.Selection{Models: []string{"llama"}}, judge.ConcordSingleSet},
	} {
		if _, _, err := judge.BuildSingleTasks(m, tt.sel, tt.set); err == nil {
			t.Errorf("BuildSingleTasks with a %s: no error", tt.name)
		}
	}
}
