package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"concord/store"
	"concord/store/storetest"
)

var demoModels = []string{"demo-aurora", "demo-basalt", "demo-cirrus"}

func mustStudy(tb testing.TB, s *store.Store, spec store.StudySpec) *store.Study {
	tb.Helper()
	st, err := s.CreateStudy(context.Background(), spec)
	if err != nil {
		tb.Fatalf("CreateStudy(%+v): %v", spec, err)
	}
	return st
}

// syntheticItems makes nq questions for every pair of models, two turns each.
func syntheticItems(models []string, nq int) []store.StudyItem {
	var items []store.StudyItem
	for q := 1; q <= nq; q++ {
		for i := range models {
			for j := i + 1; j < len(models); j++ {
				items = append(items, store.StudyItem{Pos: len(items), QuestionID: q, ModelA: models[i], ModelB: models[j], Turns: []int{1, 2}})
			}
		}
	}
	return items
}

func TestBuildQueueIsDeterministic(t *testing.T) {
	items := syntheticItems([]string{"a", "b", "c", "d"}, 20)
	q1 := store.BuildQueue(items, 7, "alice")
	q2 := store.BuildQueue(items, 7, "alice")
	if !reflect.DeepEqual(q1, q2) {
		t.Fatalf("BuildQueue(seed 7, alice) differs between calls")
	}
	order := func(q []store.QueueEntry) []int {
		var out []int
		for _, e := range q {
			out = append(out, e.Pos)
		}
		return out
	}
	if reflect.DeepEqual(order(q1), order(store.BuildQueue(items, 7, "bob"))) {
		t.Errorf("alice and bob got the same order for seed 7")
	}
	if reflect.DeepEqual(order(q1), order(store.BuildQueue(items, 8, "alice"))) {
		t.Errorf("seeds 7 and 8 gave alice the same order")
	}
	seen := map[int]bool{}
	for _, e := range q1 {
		if seen[e.Pos] {
			t.Fatalf("item %d appears twice in the queue", e.Pos)
		}
		seen[e.Pos] = true
		if e.Left != e.ModelA && e.Left != e.ModelB {
			t.Fatalf("item %d: left model %q is not one of %q, %q", e.Pos, e.Left, e.ModelA, e.ModelB)
		}
	}
	if len(seen) != len(items) {
		t.Errorf("queue has %d items, want %d", len(seen), len(items))
	}
}

func TestBuildQueueIsCounterbalanced(t *testing.T) {
	tests := []struct {
		name   string
		models []string
		nq     int
	}{
		{"3 models, 12 questions", []string{"a", "b", "c"}, 12},
		{"3 models, odd", []string{"a", "b", "c"}, 7},
		{"5 models, odd", []string{"m1", "m2", "m3", "m4", "m5"}, 9},
		{"6 models, 1 question", []string{"u", "v", "w", "x", "y", "z"}, 1},
		{"8 models (MT-Bench size)", []string{"a", "b", "c", "d", "e", "f", "g", "h"}, 80},
	}
	for _, tt := range tests {
		items := syntheticItems(tt.models, tt.nq)
		for _, who := range []string{"alice", "bob", "expert_3", "", "Zoë"} {
			for seed := int64(0); seed < 5; seed++ {
				q := store.BuildQueue(items, seed, who)
				left, shown := map[string]int{}, map[string]int{}
				pairLeft := map[string]int{}
				pairN := map[string]int{}
				for _, e := range q {
					left[e.Left]++
					shown[e.ModelA]++
					shown[e.ModelB]++
					k := e.ModelA + "/" + e.ModelB
					pairN[k]++
					if e.Left == e.ModelA {
						pairLeft[k]++
					}
				}
				for _, m := range tt.models {
					if d := math.Abs(float64(left[m]) - float64(shown[m])/2); d > 1 {
						t.Errorf("%s, %q, seed %d: %s on the left %d of %d times, want within 1 of half", tt.name, who, seed, m, left[m], shown[m])
					}
				}
				for k, n := range pairN {
					if d := math.Abs(float64(pairLeft[k]) - float64(n)/2); d > 1 {
						t.Errorf("%s, %q, seed %d: pair %s has model_a left %d of %d times", tt.name, who, seed, k, pairLeft[k], n)
					}
				}
			}
		}
	}
}

func TestCreateStudySampleIsStratified(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	all := mustStudy(t, s, store.StudySpec{Name: "all", Models: demoModels})
	if all.Items != 36 || all.Units != 72 {
		t.Fatalf("all demo items = %d items, %d units; want 36, 72", all.Items, all.Units)
	}
	st := mustStudy(t, s, store.StudySpec{Name: "sample", Models: demoModels, Sample: 12, Seed: 3, Turns: []int{1}})
	if st.Items != 12 || st.Units != 12 {
		t.Fatalf("sample of 12, turn 1 = %d items, %d units; want 12, 12", st.Items, st.Units)
	}
	qs, err := s.Questions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cat := map[int]string{}
	catAll := map[string]int{}
	for _, q := range qs {
		cat[q.ID] = q.Category
		catAll[q.Category] += 3 // three pairs
	}
	items, err := s.StudyItems(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, it := range items {
		got[cat[it.QuestionID]]++
		if !reflect.DeepEqual(it.Turns, []int{1}) {
			t.Errorf("item %d turns = %v, want [1]", it.Pos, it.Turns)
		}
	}
	for c, n := range catAll {
		want := 12 * float64(n) / 36
		if math.Abs(float64(got[c])-want) >= 1 {
			t.Errorf("category %s has %d sampled items, want %.2f rounded", c, got[c], want)
		}
	}
	again := mustStudy(t, s, store.StudySpec{Name: "sample again", Models: demoModels, Sample: 12, Seed: 3, Turns: []int{1}})
	items2, _ := s.StudyItems(ctx, again.ID)
	if !reflect.DeepEqual(items, items2) {
		t.Errorf("the same seed drew different items")
	}
	if _, err := s.CreateStudy(ctx, store.StudySpec{Name: "sample", Models: demoModels}); err == nil {
		t.Errorf("CreateStudy with a taken name: no error")
	}
	if _, err := s.CreateStudy(ctx, store.StudySpec{Name: "x", Models: []string{"demo-aurora", "nobody"}}); err == nil {
		t.Errorf("CreateStudy with an unknown model: no error")
	}
}

func TestVoteMapsChoiceThroughLeftModel(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	st := mustStudy(t, s, store.StudySpec{Name: "map", Models: demoModels, Turns: []int{1}})
	for _, choice := range []string{"A", "B", "tie", "both_bad", "skip"} {
		n, err := s.NextItem(ctx, st.ID, "mapper")
		if err != nil || n == nil {
			t.Fatalf("NextItem = %v, %v", n, err)
		}
		v, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "mapper", Pos: n.Entry.Pos, Turn: n.Turn, Choice: choice})
		if err != nil {
			t.Fatalf("RecordVote(%s): %v", choice, err)
		}
		want := map[string]string{"tie": "tie", "both_bad": "both_bad", "skip": "skip"}[choice]
		chosen := map[string]string{"A": n.Entry.Left, "B": n.Entry.Right()}[choice]
		if chosen != "" {
			want = "model_a"
			if chosen == v.ModelB {
				want = "model_b"
			}
		}
		if v.Winner != want || v.Left != n.Entry.Left || v.Group != store.LocalGroup {
			t.Errorf("RecordVote(%s) with %s left = winner %s, left %s, group %s; want %s, %s, %s", choice, n.Entry.Left, v.Winner, v.Left, v.Group, want, n.Entry.Left, store.LocalGroup)
		}
	}
	if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "mapper", Pos: 0, Turn: 1, Choice: "left"}); err == nil {
		t.Errorf("RecordVote with choice %q: no error", "left")
	}
}

func TestResumeAfterReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "concord.db")
	ctx := context.Background()
	s := storetest.MustOpenAt(t, path)
	if err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	st := mustStudy(t, s, store.StudySpec{Name: "resume", Models: demoModels, Seed: 42})
	var seen []string
	for i := 0; i < 5; i++ {
		n, err := s.NextItem(ctx, st.ID, "rita")
		if err != nil || n == nil {
			t.Fatalf("NextItem = %v, %v", n, err)
		}
		seen = append(seen, fmt.Sprintf("%d/%d", n.Entry.Pos, n.Turn))
		if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "rita", Pos: n.Entry.Pos, Turn: n.Turn, Choice: "A"}); err != nil {
			t.Fatal(err)
		}
	}
	// Turn 1 comes before turn 2 of the same item, then the next item.
	if !strings.HasSuffix(seen[0], "/1") || !strings.HasSuffix(seen[1], "/2") || strings.Split(seen[0], "/")[0] != strings.Split(seen[1], "/")[0] {
		t.Errorf("first votes went %v, want turn 1 then turn 2 of one item", seen)
	}
	before, err := s.NextItem(ctx, st.ID, "rita")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2 := storetest.MustOpenAt(t, path)
	after, err := s2.NextItem(ctx, st.ID, "rita")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("after reopening NextItem = %+v, want %+v", after, before)
	}
	if after.Progress.Done != 5 || after.Progress.Total != 72 {
		t.Errorf("progress = %d/%d, want 5/72", after.Progress.Done, after.Progress.Total)
	}
	for _, v := range seen {
		if v == fmt.Sprintf("%d/%d", after.Entry.Pos, after.Turn) {
			t.Errorf("resumed at %s, which was already voted", v)
		}
	}
}

func TestUndoWithdrawsWithoutDeleting(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	st := mustStudy(t, s, store.StudySpec{Name: "undo", Models: demoModels})
	if _, err := s.Undo(ctx, st.ID, "uma"); !errors.Is(err, store.ErrNothingToUndo) {
		t.Errorf("Undo with no votes = %v, want ErrNothingToUndo", err)
	}
	var votes []*store.Vote
	var nexts []*store.Next
	for i := 0; i < 3; i++ {
		n, _ := s.NextItem(ctx, st.ID, "uma")
		nexts = append(nexts, n)
		v, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "uma", Pos: n.Entry.Pos, Turn: n.Turn, Choice: "tie", TimeMS: 1000})
		if err != nil {
			t.Fatal(err)
		}
		votes = append(votes, v)
	}
	// A second vote on a voted turn is refused (a repeated key press).
	if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "uma", Pos: nexts[2].Entry.Pos, Turn: nexts[2].Turn, Choice: "A"}); !errors.Is(err, store.ErrAlreadyVoted) {
		t.Errorf("second vote on one turn = %v, want ErrAlreadyVoted", err)
	}
	u, err := s.Undo(ctx, st.ID, "uma")
	if err != nil {
		t.Fatal(err)
	}
	if u.UID != votes[2].UID {
		t.Errorf("Undo withdrew %s, want the last vote %s", u.UID, votes[2].UID)
	}
	var rows, withdrawn int
	if err := s.Read().QueryRow(`SELECT count(*), count(withdrawn_at) FROM votes WHERE study_id = ?`, st.ID).Scan(&rows, &withdrawn); err != nil {
		t.Fatal(err)
	}
	if rows != 3 || withdrawn != 1 {
		t.Errorf("votes log has %d rows, %d withdrawn; want 3, 1", rows, withdrawn)
	}
	n, _ := s.NextItem(ctx, st.ID, "uma")
	if n.Entry.Pos != nexts[2].Entry.Pos || n.Turn != nexts[2].Turn {
		t.Errorf("after undo NextItem = item %d turn %d, want item %d turn %d", n.Entry.Pos, n.Turn, nexts[2].Entry.Pos, nexts[2].Turn)
	}
	if n.Progress.Done != 2 || n.Progress.TimeMS != 2000 {
		t.Errorf("after undo progress = %d done, %d ms; want 2, 2000", n.Progress.Done, n.Progress.TimeMS)
	}
	var buf bytes.Buffer
	if err := s.ExportVotes(ctx, &buf, "jsonl", store.LocalGroup); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), votes[2].UID) || !strings.Contains(buf.String(), votes[1].UID) {
		t.Errorf("export after undo:\n%s\nwant votes 1 and 2 only", buf.String())
	}
	// Undo again withdraws the one before, and voting again makes a new row.
	if u, _ := s.Undo(ctx, st.ID, "uma"); u == nil || u.UID != votes[1].UID {
		t.Errorf("second Undo withdrew %v, want %s", u, votes[1].UID)
	}
	if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "uma", Pos: nexts[1].Entry.Pos, Turn: nexts[1].Turn, Choice: "B"}); err != nil {
		t.Errorf("vote again after undo: %v", err)
	}
}

func TestTimeAccounting(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	st := mustStudy(t, s, store.StudySpec{Name: "time", Models: demoModels})
	s.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	tests := []struct {
		give, want int64
		choice     string
	}{
		{4200, 4200, "A"},
		{-5, 0, "B"},
		{10 * 3600_000, store.MaxVoteTimeMS, "tie"},
		{800, 800, "skip"},
	}
	var sum int64
	for _, tt := range tests {
		n, _ := s.NextItem(ctx, st.ID, "tim")
		v, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "tim", Pos: n.Entry.Pos, Turn: n.Turn, Choice: tt.choice, TimeMS: tt.give, Rationale: "  why  "})
		if err != nil {
			t.Fatal(err)
		}
		if v.TimeMS != tt.want || v.Rationale != "why" || !v.CreatedAt.Equal(s.Now()) {
			t.Errorf("RecordVote(time %d) = %d ms, rationale %q, at %v; want %d, %q, %v", tt.give, v.TimeMS, v.Rationale, v.CreatedAt, tt.want, "why", s.Now())
		}
		sum += tt.want
	}
	p, err := s.Progress(ctx, st.ID, "tim")
	if err != nil {
		t.Fatal(err)
	}
	if p.Done != 4 || p.TimeMS != sum || p.PaceMS != sum/4 {
		t.Errorf("Progress = %+v, want 4 done, %d ms, pace %d", p, sum, sum/4)
	}
	// The skip is in the log and counts as done, but is not a current vote.
	votes, _ := s.Votes(ctx, store.LocalGroup)
	if len(votes) != 3 {
		t.Errorf("Votes(local) = %d, want 3 (the skip is not a vote)", len(votes))
	}
	other, _ := s.Progress(ctx, st.ID, "someone else")
	if other.Done != 0 || other.Total != 72 {
		t.Errorf("another annotator's progress = %+v, want 0/72", other)
	}
}

func TestLocalAnnotator(t *testing.T) {
	s := storetest.MustOpen(t)
	ctx := context.Background()
	if name, err := s.LocalAnnotator(ctx); name != "" || err != nil {
		t.Errorf("LocalAnnotator on a fresh database = %q, %v; want empty", name, err)
	}
	if err := s.SetLocalAnnotator(ctx, "  "); err == nil {
		t.Errorf("SetLocalAnnotator(blank): no error")
	}
	for _, name := range []string{"ana", "ben", "ana"} {
		if err := s.SetLocalAnnotator(ctx, name); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.LocalAnnotator(ctx); got != name {
			t.Errorf("LocalAnnotator after Set(%q) = %q", name, got)
		}
	}
}

// TestVotesWhileJudgeWrites records votes while judge games are written
// continuously, in the same process (back to back) and from a second
// connection to the file (paced like a fast real run): every vote commits,
// none is refused as "database is locked", and the games keep going in between.
func TestVotesWhileJudgeWrites(t *testing.T) {
	for _, mode := range []string{"same-store", "other-connection"} {
		t.Run(mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.db")
			s := storetest.MustOpenAt(t, path)
			ctx := context.Background()
			if err := s.SeedDemo(ctx); err != nil {
				t.Fatal(err)
			}
			st := mustStudy(t, s, store.StudySpec{Name: "busy", Models: demoModels, Seed: 2})
			w, pause := s, time.Duration(0)
			if mode == "other-connection" {
				w = storetest.MustOpenAt(t, path)
				pause = 5 * time.Millisecond
			}
			stop := make(chan struct{})
			games := judgeLoad(t, w, stop, pause)
			for i := 0; i < 40; i++ {
				n, err := s.NextItem(ctx, st.ID, "busy")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "busy", Pos: n.Entry.Pos, Turn: n.Turn, Choice: "tie"}); err != nil {
					t.Fatalf("vote %d during a judge run: %v", i, err)
				}
				time.Sleep(2 * time.Millisecond)
			}
			close(stop)
			if g := <-games; g < 10 {
				t.Errorf("the judge wrote %d games while 40 votes were cast, want it to keep going (at least 10)", g)
			}
			if p, _ := s.Progress(ctx, st.ID, "busy"); p.Done != 40 {
				t.Errorf("progress after 40 votes = %d", p.Done)
			}
		})
	}
}

func TestStudiesActivity(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	st := mustStudy(t, s, store.StudySpec{Name: "activity", Models: demoModels, Turns: []int{1}})
	idle := mustStudy(t, s, store.StudySpec{Name: "idle", Models: demoModels, Turns: []int{2}})
	vote := func(who, choice string) {
		t.Helper()
		n, err := s.NextItem(ctx, st.ID, who)
		if err != nil || n == nil {
			t.Fatalf("NextItem = %v, %v", n, err)
		}
		if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: who, Pos: n.Entry.Pos, Turn: n.Turn, Choice: choice}); err != nil {
			t.Fatal(err)
		}
	}
	vote("ann", "A")
	vote("ann", "skip") // skips are not votes
	vote("bo", "tie")
	vote("bo", "B")
	if _, err := s.Undo(ctx, st.ID, "bo"); err != nil { // withdrawn votes do not count
		t.Fatal(err)
	}
	got, err := s.StudiesActivity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.StudyActivity{Votes: 2, Annotators: 2}); got[st.ID] != want {
		t.Errorf("StudiesActivity()[study] = %+v, want %+v", got[st.ID], want)
	}
	if a, ok := got[idle.ID]; ok {
		t.Errorf("StudiesActivity()[idle study] = %+v, want absent", a)
	}
}

// TestSkippedChoosesTheOperation: a turn without a vote or with a choice is
// not skipped (RecordVote is the call), a skipped one is (ReplaceSkip), and
// ReplaceSkip refuses a turn that is not skipped.
func TestSkippedChoosesTheOperation(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpenDemo(t)
	st := mustStudy(t, s, store.StudySpec{Name: "skips", Models: demoModels, Seed: 3})
	nexts, err := s.NextTurns(ctx, st.ID, "sam", 2)
	if err != nil || len(nexts) != 2 {
		t.Fatalf("NextTurns = %v, %v", nexts, err)
	}
	skipped := func(n store.Next) bool {
		t.Helper()
		got, err := s.Skipped(ctx, st.ID, "sam", n.Entry.Pos, n.Turn)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	req := func(n store.Next, choice string) store.VoteRequest {
		return store.VoteRequest{StudyID: st.ID, Annotator: "sam", Pos: n.Entry.Pos, Turn: n.Turn, Choice: choice}
	}
	if skipped(nexts[0]) {
		t.Errorf("Skipped before any vote = true, want false")
	}
	if _, err := s.ReplaceSkip(ctx, req(nexts[0], "A")); !errors.Is(err, store.ErrNotSkipped) {
		t.Errorf("ReplaceSkip on an unvoted turn = %v, want ErrNotSkipped", err)
	}
	for _, v := range []store.VoteRequest{req(nexts[0], "skip"), req(nexts[1], "tie")} {
		if _, err := s.RecordVote(ctx, v); err != nil {
			t.Fatalf("RecordVote(%+v): %v", v, err)
		}
	}
	if !skipped(nexts[0]) || skipped(nexts[1]) {
		t.Errorf("Skipped after a skip and a tie = %v, %v, want true, false", skipped(nexts[0]), skipped(nexts[1]))
	}
	if _, err := s.ReplaceSkip(ctx, req(nexts[0], "B")); err != nil {
		t.Fatalf("ReplaceSkip on a skipped turn: %v", err)
	}
	if skipped(nexts[0]) {
		t.Errorf("Skipped after ReplaceSkip with B = true, want false")
	}
	if _, err := s.Skipped(ctx, st.ID, "sam", 9999, 1); err == nil {
		t.Errorf("Skipped on item 9999 succeeded, want an error")
	}
}

// TestCastVote: one call whatever the turn's state, in one transaction: a
// new vote on an unvoted turn, a skip replaced (the skip withdrawn, kept in
// the log), a second skip replacing the first, a choice on a chosen turn
// refused with nothing written.
func TestCastVote(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpenDemo(t)
	st := mustStudy(t, s, store.StudySpec{Name: "cast", Models: demoModels, Seed: 3})
	nexts, err := s.NextTurns(ctx, st.ID, "sam", 1)
	if err != nil || len(nexts) != 1 {
		t.Fatalf("NextTurns = %v, %v", nexts, err)
	}
	n := nexts[0]
	steps := []struct {
		choice  string
		wantErr error
		// the turn's current winner afterwards, as the screen says it (A is left), and the log's rows
		current string
		rows    int
	}{
		{"skip", nil, "skip", 1},
		{"skip", nil, "skip", 2},
		{"A", nil, "A", 3},
		{"B", store.ErrAlreadyVoted, "A", 3},
	}
	for i, c := range steps {
		req := store.VoteRequest{StudyID: st.ID, Annotator: " sam ", Pos: n.Entry.Pos, Turn: n.Turn, Choice: c.choice}
		_, err := s.CastVote(ctx, req)
		if !errors.Is(err, c.wantErr) {
			t.Fatalf("step %d: CastVote(%s) = %v, want %v", i+1, c.choice, err, c.wantErr)
		}
		var rows, current int
		var winner, left string
		if err := s.Read().QueryRowContext(ctx, `SELECT count(*), sum(withdrawn_at IS NULL) FROM votes WHERE study_id = ?`, st.ID).Scan(&rows, &current); err != nil {
			t.Fatal(err)
		}
		if err := s.Read().QueryRowContext(ctx, `SELECT winner, left_model FROM votes WHERE study_id = ? AND withdrawn_at IS NULL`, st.ID).Scan(&winner, &left); err != nil {
			t.Fatal(err)
		}
		got := winner
		if c.current == "A" {
			// The stored winner is in the table's order: A means the left model won.
			wantWinner := "model_a"
			if left != n.Entry.ModelA {
				wantWinner = "model_b"
			}
			if winner == wantWinner {
				got = "A"
			}
		}
		if rows != c.rows || current != 1 || got != c.current {
			t.Errorf("step %d (%s): %d rows, %d current, current winner %q; want %d rows, 1 current, %q",
				i+1, c.choice, rows, current, winner, c.rows, c.current)
		}
	}
	if _, err := s.CastVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "sam", Pos: 9999, Turn: 1, Choice: "A"}); err == nil {
		t.Errorf("CastVote on item 9999 succeeded, want an error")
	}
	if _, err := s.CastVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: " ", Pos: n.Entry.Pos, Turn: n.Turn, Choice: "A"}); err == nil || !strings.Contains(err.Error(), "identify") {
		t.Errorf("CastVote without an annotator = %v, want an error asking to identify", err)
	}
}

// TestCachedStudyPerStore: each Store caches its own studies, so two
// databases with a study of the same id do not see each other's.
func TestCachedStudyPerStore(t *testing.T) {
	ctx := context.Background()
	var ids []int64
	var stores []*store.Store
	for _, name := range []string{"first", "second"} {
		s := storetest.MustOpenDemo(t)
		ids = append(ids, mustStudy(t, s, store.StudySpec{Name: name, Models: demoModels, Seed: 1}).ID)
		stores = append(stores, s)
	}
	if ids[0] != ids[1] {
		t.Fatalf("study ids = %v, want the same id in both databases", ids)
	}
	for i, want := range []string{"first", "second"} {
		for range 2 { // the second read comes from the cache
			st, err := stores[i].CachedStudy(ctx, ids[i])
			if err != nil || st.Name != want {
				t.Fatalf("store %d: CachedStudy(%d) = %+v, %v, want %q", i, ids[i], st, err, want)
			}
		}
	}
}
