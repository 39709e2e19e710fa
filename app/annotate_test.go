package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord/app"
	"concord/store"
	"concord/store/storetest"
)

// Models of the fixture: their names must never reach an item.
const (
	modelX = "secret-model-x"
	modelY = "secret-model-y"
	modelZ = "secret-model-z"
)

// annotateFixture writes a small MT-Bench-shaped folder: one question per
// category below, two turns each, every question with a reference answer,
// and three models whose answers name the question, turn and a neutral tag.
func annotateFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cats := []string{"math", "reasoning", "coding", "writing", "roleplay", "stem"}
	var qs strings.Builder
	for i, c := range cats {
		q := map[string]any{"question_id": i + 1, "category": c,
			"turns":     []string{fmt.Sprintf("Question %d turn 1 (%s)", i+1, c), fmt.Sprintf("Question %d turn 2 (%s)", i+1, c)},
			"reference": []string{fmt.Sprintf("Reference %d turn 1", i+1), fmt.Sprintf("Reference %d turn 2", i+1)}}
		b, _ := json.Marshal(q)
		qs.Write(append(b, '\n'))
	}
	if err := os.WriteFile(filepath.Join(dir, "question.jsonl"), []byte(qs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "model_answer"), 0o755); err != nil {
		t.Fatal(err)
	}
	for k, m := range []string{modelX, modelY, modelZ} {
		var as strings.Builder
		for i := range cats {
			a := map[string]any{"question_id": i + 1, "model_id": m, "answer_id": fmt.Sprintf("%d-%d", k, i),
				"choices": []map[string]any{{"index": 0, "turns": []string{
					fmt.Sprintf("Answer %d.1 by writer %c", i+1, 'P'+k), fmt.Sprintf("Answer %d.2 by writer %c", i+1, 'P'+k)}}}}
			b, _ := json.Marshal(a)
			as.Write(append(b, '\n'))
		}
		if err := os.WriteFile(filepath.Join(dir, "model_answer", m+".jsonl"), []byte(as.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// writerOf maps an answer text back to its model, for checking placement.
func writerOf(answer string) string {
	switch {
	case strings.HasSuffix(answer, "writer P"):
		return modelX
	case strings.HasSuffix(answer, "writer Q"):
		return modelY
	case strings.HasSuffix(answer, "writer R"):
		return modelZ
	}
	return ""
}

// newAnnotateApp opens a store with the fixture imported, an identified
// annotator, and a study over all three models with the given spec fields.
func newAnnotateApp(t *testing.T, spec store.StudySpec) (*app.App, *store.Store, *store.Study) {
	t.Helper()
	s := storetest.MustOpen(t)
	if _, err := s.Import(context.Background(), []string{annotateFixture(t)}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	a := app.New(s)
	if err := a.SetAnnotator("ines"); err != nil {
		t.Fatal(err)
	}
	if spec.Name == "" {
		spec.Name = "fixture"
	}
	spec.Models = []string{modelX, modelY, modelZ}
	st, err := a.CreateStudy(spec)
	if err != nil {
		t.Fatal(err)
	}
	return a, s, st
}

func TestNextItemIsBlindAndPlacedAsQueued(t *testing.T) {
	a, s, st := newAnnotateApp(t, store.StudySpec{Seed: 5, ShowReference: true})
	q, err := s.Queue(context.Background(), st.ID, "ines")
	if err != nil {
		t.Fatal(err)
	}
	byPos := map[int]store.QueueEntry{}
	for _, e := range q {
		byPos[e.Pos] = e
	}
	it, err := a.NextItem(st.ID)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; !it.Done; n++ {
		b, _ := json.Marshal(it)
		for _, m := range []string{modelX, modelY, modelZ, "secret-model"} {
			if strings.Contains(string(b), m) {
				t.Fatalf("item %d turn %d leaks model name %q: %s", it.Pos, it.Turn, m, b)
			}
		}
		e := byPos[it.Pos]
		if len(it.Questions) != it.Turn || len(it.Left) != it.Turn || len(it.Right) != it.Turn {
			t.Fatalf("item %d turn %d holds %d questions, %d/%d answers; want %d of each (the turns so far)",
				it.Pos, it.Turn, len(it.Questions), len(it.Left), len(it.Right), it.Turn)
		}
		for turn := 0; turn < it.Turn; turn++ {
			if got := writerOf(it.Left[turn]); got != e.Left {
				t.Errorf("item %d turn %d: left column shows %s's answer, queue places %s left", it.Pos, turn+1, got, e.Left)
			}
			if got := writerOf(it.Right[turn]); got != e.Right() {
				t.Errorf("item %d turn %d: right column shows %s's answer, want %s", it.Pos, turn+1, got, e.Right())
			}
		}
		if it, err = a.Vote(app.VoteInput{StudyID: st.ID, Pos: it.Pos, Turn: it.Turn, Choice: "tie"}); err != nil {
			t.Fatal(err)
		}
		if n > st.Units {
			t.Fatalf("more than %d items served for %d turns", n, st.Units)
		}
	}
	if it.Progress.Done != st.Units || it.Progress.Total != st.Units {
		t.Errorf("at the end progress = %d/%d, want %d/%d", it.Progress.Done, it.Progress.Total, st.Units, st.Units)
	}
}

func TestReferenceOnlyWhereAllowed(t *testing.T) {
	for _, show := range []bool{true, false} {
		a, _, st := newAnnotateApp(t, store.StudySpec{Seed: 1, ShowReference: show})
		seen := map[string]bool{}
		it, err := a.NextItem(st.ID)
		for ; err == nil && !it.Done; it, err = a.Vote(app.VoteInput{StudyID: st.ID, Pos: it.Pos, Turn: it.Turn, Choice: "A"}) {
			want := show && (it.Category == "math" || it.Category == "reasoning" || it.Category == "coding")
			if got := len(it.Reference) > 0; got != want {
				t.Errorf("show_reference %v, %s turn %d: reference shown = %v, want %v", show, it.Category, it.Turn, got, want)
			}
			if want && it.Reference[it.Turn-1] != fmt.Sprintf("Reference %d turn %d", 1+indexOf(it.Category), it.Turn) {
				t.Errorf("%s turn %d: reference = %q", it.Category, it.Turn, it.Reference)
			}
			seen[it.Category] = true
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) != 6 {
			t.Errorf("saw categories %v, want all 6", seen)
		}
	}
}

func indexOf(cat string) int {
	return map[string]int{"math": 0, "reasoning": 1, "coding": 2, "writing": 3, "roleplay": 4, "stem": 5}[cat]
}

func TestVoteReturnsTheNextItem(t *testing.T) {
	a, s, st := newAnnotateApp(t, store.StudySpec{Seed: 9, Turns: []int{1, 2}})
	ctx := context.Background()
	first, err := a.NextItem(st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first.Turn != 1 || first.Progress.Done != 0 || first.Progress.Total != 36 {
		t.Fatalf("first item: turn %d, progress %d/%d; want turn 1, 0/36", first.Turn, first.Progress.Done, first.Progress.Total)
	}
	next, err := a.Vote(app.VoteInput{StudyID: st.ID, Pos: first.Pos, Turn: first.Turn, Choice: "A", TimeMS: 2500, Rationale: "clearer"})
	if err != nil {
		t.Fatal(err)
	}
	// Turn 2 of the same item follows turn 1, and it is what NextItem says.
	if next.Pos != first.Pos || next.Turn != 2 || next.Progress.Done != 1 {
		t.Errorf("Vote returned item %d turn %d (done %d), want item %d turn 2 (done 1)", next.Pos, next.Turn, next.Progress.Done, first.Pos)
	}
	again, err := a.NextItem(st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := jsonOf(t, again), jsonOf(t, next); a != b {
		t.Errorf("NextItem after Vote = %s, want what Vote returned: %s", a, b)
	}
	votes, err := s.Votes(ctx, store.LocalGroup)
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) != 1 || votes[0].Annotator != "ines" || votes[0].TimeMS != 2500 || votes[0].Rationale != "clearer" {
		t.Fatalf("votes after one Vote = %+v, want one by ines, 2500 ms, rationale %q", votes, "clearer")
	}
	q, _ := s.Queue(ctx, st.ID, "ines")
	for _, e := range q {
		if e.Pos == first.Pos {
			want := "model_a"
			if e.Left == e.ModelB {
				want = "model_b"
			}
			if votes[0].Winner != want || votes[0].Left != e.Left {
				t.Errorf("verdict A with %s on the left stored as winner %s, left %s; want %s, %s", e.Left, votes[0].Winner, votes[0].Left, want, e.Left)
			}
		}
	}
	// The same turn twice (a repeated key) is refused, and bad verdicts too.
	if _, err := a.Vote(app.VoteInput{StudyID: st.ID, Pos: first.Pos, Turn: 1, Choice: "B"}); !errors.Is(err, store.ErrAlreadyVoted) {
		t.Errorf("second vote on a turn: err = %v, want ErrAlreadyVoted", err)
	}
	if _, err := a.Vote(app.VoteInput{StudyID: st.ID, Pos: next.Pos, Turn: next.Turn, Choice: "left"}); err == nil {
		t.Errorf("Vote with verdict %q: no error", "left")
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestUpcomingIsWhatComesNext checks the item sent ahead: whatever the
// verdict (skips included), Vote returns the item that was announced as
// Upcoming, with the same text and placement.
func TestUpcomingIsWhatComesNext(t *testing.T) {
	a, _, st := newAnnotateApp(t, store.StudySpec{Seed: 8, ShowReference: true})
	it, err := a.NextItem(st.ID)
	if err != nil {
		t.Fatal(err)
	}
	verdicts := []string{"A", "B", "tie", "both_bad", "skip"}
	for i := 0; !it.Done && !it.Revisit; i++ {
		up := it.Upcoming
		if up == nil && it.Progress.Done < st.Units-1 {
			t.Fatalf("vote %d: no upcoming item with %d turns left", i, st.Units-it.Progress.Done)
		}
		next, err := a.Vote(app.VoteInput{StudyID: st.ID, Pos: it.Pos, Turn: it.Turn, Choice: verdicts[i%len(verdicts)]})
		if err != nil {
			t.Fatal(err)
		}
		if up != nil {
			if next.Revisit || next.Done {
				t.Fatalf("vote %d: upcoming was item %d turn %d, got revisit %v, done %v", i, up.Pos, up.Turn, next.Revisit, next.Done)
			}
			// Progress moves on; everything else is as announced.
			n2, u2 := *next, *up
			n2.Upcoming, u2.Upcoming, n2.Progress, u2.Progress = nil, nil, store.Progress{}, store.Progress{}
			if g, w := jsonOf(t, n2), jsonOf(t, u2); g != w {
				t.Fatalf("vote %d: Vote returned\n%s\nbut announced\n%s", i, g, w)
			}
		}
		it = next
	}
	if !it.Revisit {
		t.Errorf("after every turn once with skips, the next item is not a revisit: %+v", it)
	}
}

func TestVoteNeedsAnAnnotator(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	a := app.New(s)
	st, err := a.CreateStudy(store.StudySpec{Name: "nobody", Models: []string{"demo-aurora", "demo-basalt"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.NextItem(st.ID); err == nil || !strings.Contains(err.Error(), "identify") {
		t.Errorf("NextItem without an annotator: err = %v, want one asking to identify", err)
	}
	if _, err := a.Vote(app.VoteInput{StudyID: st.ID, Pos: 0, Turn: 1, Choice: "A"}); err == nil {
		t.Errorf("Vote without an annotator: no error")
	}
}

func TestUndoReturnsTheUndoneItem(t *testing.T) {
	a, s, st := newAnnotateApp(t, store.StudySpec{Seed: 2})
	if _, err := a.Undo(st.ID); !errors.Is(err, store.ErrNothingToUndo) {
		t.Errorf("Undo with no votes: err = %v, want ErrNothingToUndo", err)
	}
	it, _ := a.NextItem(st.ID)
	var voted []*app.AnnotateItem
	for range 3 {
		voted = append(voted, it)
		var err error
		if it, err = a.Vote(app.VoteInput{StudyID: st.ID, Pos: it.Pos, Turn: it.Turn, Choice: "B"}); err != nil {
			t.Fatal(err)
		}
	}
	for k := 2; k >= 0; k-- {
		back, err := a.Undo(st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if back.Pos != voted[k].Pos || back.Turn != voted[k].Turn || back.Progress.Done != k {
			t.Errorf("Undo #%d returned item %d turn %d (done %d), want item %d turn %d (done %d)",
				3-k, back.Pos, back.Turn, back.Progress.Done, voted[k].Pos, voted[k].Turn, k)
		}
	}
	votes, _ := s.Votes(context.Background(), store.LocalGroup)
	if len(votes) != 0 {
		t.Errorf("after undoing everything %d current votes remain", len(votes))
	}
}

// TestSkippedTurnsComeBackOnce follows the skip policy: a skipped turn comes
// back after every unvoted turn; a verdict then replaces the skip; a second
// skip leaves it skipped.
func TestSkippedTurnsComeBackOnce(t *testing.T) {
	a, s, st := newAnnotateApp(t, store.StudySpec{Seed: 4, Turns: []int{1}, Categories: []string{"math", "coding"}})
	ctx := context.Background()
	it, err := a.NextItem(st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Units != 6 {
		t.Fatalf("study has %d turns, want 6 (2 questions x 3 pairs)", st.Units)
	}
	var order []string
	skipped := map[string]bool{}
	key := func(it *app.AnnotateItem) string { return fmt.Sprintf("%d/%d", it.Pos, it.Turn) }
	for i := 0; i < 6; i++ {
		if it.Revisit || it.Done {
			t.Fatalf("vote %d: item revisit=%v done=%v before every turn was seen once", i, it.Revisit, it.Done)
		}
		order = append(order, key(it))
		verdict := "A"
		if i == 1 || i == 3 {
			verdict = "skip"
			skipped[key(it)] = true
		}
		if it, err = a.Vote(app.VoteInput{StudyID: st.ID, Pos: it.Pos, Turn: it.Turn, Choice: verdict, Rationale: "skip: unsure"}); err != nil {
			t.Fatal(err)
		}
	}
	// Both skips come back, in queue order, marked as a second look.
	for i, want := range []string{order[1], order[3]} {
		if !it.Revisit || key(it) != want || it.SkippedLeft != 2-i || it.Progress.Done != 6 {
			t.Fatalf("revisit %d = %s (revisit %v, %d left, done %d), want %s, revisit, %d left, done 6",
				i, key(it), it.Revisit, it.SkippedLeft, it.Progress.Done, want, 2-i)
		}
		verdict := []string{"B", "skip"}[i]
		if it, err = a.Vote(app.VoteInput{StudyID: st.ID, Pos: it.Pos, Turn: it.Turn, Choice: verdict}); err != nil {
			t.Fatalf("vote %s on a revisited skip: %v", verdict, err)
		}
	}
	if !it.Done || it.Progress.Done != 6 {
		t.Fatalf("after both revisits: done %v, progress %d; want done, 6", it.Done, it.Progress.Done)
	}
	// The log keeps both skips of order[1] (one withdrawn) and the verdict replacing it.
	var rows, withdrawn, current int
	if err := s.Read().QueryRow(`SELECT count(*), count(withdrawn_at), count(*) - count(withdrawn_at) FROM votes WHERE study_id = ?`, st.ID).
		Scan(&rows, &withdrawn, &current); err != nil {
		t.Fatal(err)
	}
	if rows != 8 || withdrawn != 2 || current != 6 {
		t.Errorf("votes log: %d rows, %d withdrawn, %d current; want 8, 2, 6", rows, withdrawn, current)
	}
	votes, _ := s.Votes(ctx, store.LocalGroup)
	if len(votes) != 5 {
		t.Errorf("current votes without skips = %d, want 5 (four first-time A, one B on a revisit)", len(votes))
	}
	// Undo withdraws the last entry, the second skip: the turn has no current
	// vote and comes back as an ordinary item.
	back, err := a.Undo(st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if key(back) != order[3] || back.Revisit {
		t.Errorf("Undo after the revisits returned %s (revisit %v), want %s as an ordinary item", key(back), back.Revisit, order[3])
	}
	// A verdict on a turn whose current vote is not a skip is still refused.
	for _, o := range order {
		if o == order[3] {
			continue
		}
		var pos, turn int
		fmt.Sscanf(o, "%d/%d", &pos, &turn)
		if _, err := a.Vote(app.VoteInput{StudyID: st.ID, Pos: pos, Turn: turn, Choice: "tie"}); !errors.Is(err, store.ErrAlreadyVoted) {
			t.Errorf("vote on voted turn %s: err = %v, want ErrAlreadyVoted", o, err)
		}
	}
}

// BenchmarkVoteAndNext measures the bound Vote on MT-Bench data: the commit
// and the next item with its text (the Go half of the 50 ms next-item goal).
func BenchmarkVoteAndNext(b *testing.B) {
	data, _ := filepath.Abs(filepath.Join("..", "..", "shared", "data", "mt_bench"))
	if _, err := os.Stat(filepath.Join(data, "question.jsonl")); err != nil {
		b.Skipf("MT-Bench data not found at %s: %v", data, err)
	}
	s := storetest.MustOpen(b)
	if _, err := s.Import(context.Background(), []string{data}, store.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	a := app.New(s)
	models := []string{"alpaca-13b", "claude-v1", "gpt-3.5-turbo", "gpt-4", "llama-13b", "vicuna-13b-v1.2", "vicuna-13b-v1.3"}
	st, err := a.CreateStudy(store.StudySpec{Name: "bench", Models: models, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	who := 0
	if err := a.SetAnnotator("bench-0"); err != nil {
		b.Fatal(err)
	}
	it, err := a.NextItem(st.ID)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if it.Done {
			b.StopTimer()
			who++
			_ = a.SetAnnotator(fmt.Sprint("bench-", who))
			it, _ = a.NextItem(st.ID)
			b.StartTimer()
		}
		if it, err = a.Vote(app.VoteInput{StudyID: st.ID, Pos: it.Pos, Turn: it.Turn, Choice: "A", TimeMS: 1000}); err != nil {
			b.Fatal(err)
		}
	}
}
