package judge_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"concord/judge"
	"concord/store"
)

// singleTasks builds every single-answer task of the fixture with Concord's prompts.
func singleTasks(tb testing.TB, st *store.Store, sel judge.Selection) []judge.SingleTask {
	tb.Helper()
	ctx := context.Background()
	qs, err := st.Questions(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	as, err := st.Answers(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tasks, skipped, err := judge.BuildSingleTasks(judge.Material{Questions: qs, Answers: as}, sel, judge.ConcordSingleSet)
	if err != nil || len(skipped) > 0 {
		tb.Fatalf("BuildSingleTasks: skipped %v, %v", skipped, err)
	}
	return tasks
}

// The fake judge rates by the answer it is shown (a turn-2 request holds
// both turns' answers): some replies have no rating, one is out of range, one
// echoes the key, and one request fails with 503 once.
func rateFaults(user string, attempt int) reply {
	switch {
	case strings.Contains(user, "answers 1.1") && !strings.Contains(user, "answers 1.2"): // turn 1: unparsable on the first run, rated on the retry
		if attempt == 0 {
			return reply{text: "A fine answer, I would say eight."}
		}
		return reply{text: "Now sure. Rating: [[7]]"}
	case strings.Contains(user, "answers 2.2"): // a transient failure, then a rating
		if attempt == 0 {
			return reply{status: 503, body: `{"error": {"message": "overloaded"}}`}
		}
		return reply{text: "Rating: [[8.5]]"}
	case strings.Contains(user, "answers 3.1") && !strings.Contains(user, "answers 3.2"): // turn 1: the key echoed back must not be stored
		return reply{text: "You sent $AUTH. Rating: [[3]]"}
	case strings.Contains(user, "answers 4.2"): // out of range: an error, kept with its text
		return reply{text: "Rating: [[11]]"}
	}
	return reply{text: "Solid. Rating: [[6]]"}
}

func TestRunSingle(t *testing.T) {
	st, _ := mustOpen(t)
	models := []string{"alpha", "beta", "gamma"}
	writeFixture(t, st, 4, models)
	tasks := singleTasks(t, st, judge.Selection{})
	if len(tasks) != 4*3*2 {
		t.Fatalf("tasks = %d, want one per question, model and turn: %d", len(tasks), 4*3*2)
	}
	refs := 0
	for _, tk := range tasks {
		if tk.Turn == 2 && !strings.Contains(tk.User, "answers") {
			t.Errorf("turn-2 task q%d %s lacks the conversation", tk.QuestionID, tk.Model)
		}
		if strings.Contains(tk.User, fmt.Sprintf("ref %d.1", tk.QuestionID)) {
			refs++
		}
	}
	if refs != 2*3*2 { // the math questions (2 and 4), each turn shows the first reference
		t.Errorf("tasks with the reference = %d, want %d", refs, 2*3*2)
	}
	srv := newFakeServer(t, rateFaults)
	logs := &logBuf{}
	r := newRunner(srv, st, logs)
	r.Set = judge.ConcordSingleSet
	ctx := context.Background()
	pending, est, err := judge.PendingSingle(ctx, st, r.Config, r.Set, tasks)
	if err != nil || len(pending) != len(tasks) || est.Done != 0 {
		t.Fatalf("PendingSingle = %d, %+v, %v", len(pending), est, err)
	}
	res, err := r.RunSingle(ctx, pending)
	// errors: alpha, beta, gamma on 1.1 (unparsable) and on 4.2 (out of range)
	if err != nil || res.Done != len(tasks) || res.Errors != 6 {
		t.Fatalf("RunSingle = done %d, errors %d, %v; want %d and 6", res.Done, res.Errors, err, len(tasks))
	}
	if n := srv.requests(); n != len(tasks)+3 {
		t.Errorf("requests = %d, want one per answer and turn plus 3 retries of the 503s", n)
	}
	rs, err := st.Ratings(ctx, "fake-judge")
	if err != nil || len(rs) != len(tasks) {
		t.Fatalf("stored ratings = %d, %v; want %d", len(rs), err, len(tasks))
	}
	for _, rt := range rs {
		switch {
		case strings.Contains(rt.Judgment+rt.UserPrompt+rt.Error, testKey):
			t.Errorf("rating q%d %s turn %d holds the API key", rt.QuestionID, rt.Model, rt.Turn)
		case rt.QuestionID == 2 && rt.Turn == 2 && (rt.Score != 8.5 || rt.IsError()):
			t.Errorf("q2 turn 2 = %+v, want 8.5 after the retry", rt)
		case rt.QuestionID == 4 && rt.Turn == 2 && (!rt.IsError() || !strings.Contains(rt.Judgment, "[[11]]")):
			t.Errorf("q4 turn 2 = %+v, want an error keeping the reply", rt)
		case rt.QuestionID == 1 && rt.Turn == 1 && !rt.IsError():
			t.Errorf("q1 turn 1 = %+v, want an error (no rating)", rt)
		case rt.QuestionID == 3 && rt.Turn == 1 && rt.Score != 3:
			t.Errorf("q3 turn 1 = %+v, want 3", rt)
		case !rt.IsError() && (rt.TokensIn == 0 || rt.Prompt == "" || rt.PromptHash == ""):
			t.Errorf("rating %+v lacks tokens or its prompt", rt)
		}
	}
	if strings.Contains(logs.String(), testKey) {
		t.Error("the log holds the API key")
	}

	// Resume: only the 6 errors run again, and 1.1 is now rated; 4.2 stays an error.
	pending, est, err = judge.PendingSingle(ctx, st, r.Config, r.Set, tasks)
	if err != nil || len(pending) != 6 || est.Retry != 6 || est.Done != len(tasks)-6 {
		t.Fatalf("resume PendingSingle = %d pending, %+v, %v; want 6 retries", len(pending), est, err)
	}
	before := srv.requests()
	if res, err = r.RunSingle(ctx, pending); err != nil || res.Errors != 3 {
		t.Fatalf("resumed RunSingle = %+v, %v; want 3 errors left", res, err)
	}
	if n := srv.requests() - before; n != 6 {
		t.Errorf("resume sent %d requests, want 6", n)
	}
	rs, _ = st.Ratings(ctx, "fake-judge")
	if len(rs) != len(tasks) {
		t.Errorf("ratings after resume = %d, want %d (no duplicates)", len(rs), len(tasks))
	}

	// Another prompt text under the same judge name is refused.
	other := judge.SinglePromptSet(judge.ConcordSingleTurn1)
	if _, _, err := judge.PendingSingle(ctx, st, r.Config, other, tasks); !errors.Is(err, store.ErrJudgeConfig) {
		t.Errorf("PendingSingle with another prompt set = %v, want ErrJudgeConfig", err)
	}
}

// Cancelling a single run stores nothing for the requests in flight, and a
// resume finishes the rest without repeating what was stored.
func TestRunSingleCancel(t *testing.T) {
	st, _ := mustOpen(t)
	writeFixture(t, st, 6, []string{"alpha", "beta"})
	tasks := singleTasks(t, st, judge.Selection{Turns: []int{1}})
	var served atomic.Int32
	srv := newFakeServer(t, func(user string, attempt int) reply {
		served.Add(1)
		return reply{text: "Rating: [[5]]", delay: 30 * time.Millisecond}
	})
	r := newRunner(srv, st, &logBuf{})
	r.Set = judge.ConcordSingleSet
	r.Config.Concurrency = 1
	ctx, cancel := context.WithCancel(context.Background())
	r.OnProgress = func(p judge.Progress) {
		if p.Done >= 2 {
			cancel()
		}
	}
	r.ProgressEvery = 5 * time.Millisecond
	res, err := r.RunSingle(ctx, tasks)
	if !errors.Is(err, context.Canceled) || res.Done >= len(tasks) {
		t.Fatalf("cancelled RunSingle = %+v, %v; want context.Canceled before the end", res, err)
	}
	pending, est, err := judge.PendingSingle(context.Background(), st, r.Config, r.Set, tasks)
	if err != nil || est.Done != res.Done || len(pending) != len(tasks)-res.Done {
		t.Fatalf("after cancel: %d stored, %d pending, %v; want %d stored", est.Done, len(pending), err, res.Done)
	}
	r.OnProgress = nil
	if _, err := r.RunSingle(context.Background(), pending); err != nil {
		t.Fatal(err)
	}
	if rs, _ := st.Ratings(context.Background(), "fake-judge"); len(rs) != len(tasks) {
		t.Errorf("ratings = %d, want %d", len(rs), len(tasks))
	}
}
