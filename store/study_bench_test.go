package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"concord/store"
	"concord/store/storetest"
)

// mtBenchStudy imports the shared MT-Bench questions and answers and makes a
// study over every model pair (80 questions x 15 pairs x 2 turns), or skips.
func mtBenchStudy(b *testing.B) (*store.Store, *store.Study) {
	b.Helper()
	data := sharedData(b)
	s := storetest.MustOpen(b)
	mustImport(b, s, filepath.Join(data, "mt_bench"))
	in := info(b, s)
	var models []string
	for _, m := range in.ModelList {
		models = append(models, m.Name)
	}
	st := mustStudy(b, s, store.StudySpec{Name: "bench", Models: models, Seed: 1})
	return s, st
}

// reportQuantiles adds p50 and p95 (milliseconds) of the timed operations.
func reportQuantiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	q := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.95), "p95-ms")
	b.ReportMetric(q(1), "max-ms")
}

// BenchmarkRecordVote measures a vote's commit on MT-Bench-sized data
// (goal: p50 under 5 ms).
func BenchmarkRecordVote(b *testing.B) {
	s, st := mtBenchStudy(b)
	b.ResetTimer()
	times := timeVotes(b, s, st.ID, "bench", "A")
	b.StopTimer()
	reportQuantiles(b, times)
}

// BenchmarkNextItem measures finding the next unvoted turn with a few
// hundred votes already cast (the store half of the 50 ms next-item goal).
func BenchmarkNextItem(b *testing.B) {
	s, st := mtBenchStudy(b)
	ctx := context.Background()
	for i := 0; i < 300; i++ {
		n, err := s.NextItem(ctx, st.ID, "nina")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "nina", Pos: n.Entry.Pos, Turn: n.Turn, Choice: "tie"}); err != nil {
			b.Fatal(err)
		}
	}
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := s.NextItem(ctx, st.ID, "nina"); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
	b.StopTimer()
	reportQuantiles(b, times)
}

// judgeLoad writes judge games into w until stop is closed, each game its
// own transaction (what a judge run does) with a judgment of about 1.5 kB
// like a real one, back to back or one every pause. It returns the games written.
func judgeLoad(tb testing.TB, w *store.Store, stop <-chan struct{}, pause time.Duration) <-chan int {
	tb.Helper()
	ctx := context.Background()
	id, err := w.EnsureJudge(ctx, store.JudgeSpec{Name: "load", Model: "fake", ConfigJSON: "{}", ConfigHash: "load"})
	if err != nil {
		tb.Fatal(err)
	}
	qs, err := w.Questions(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	judgment := strings.Repeat("Assistant A explains the steps more clearly. ", 32) + "[[A]]"
	done := make(chan int, 1)
	go func() {
		n := 0
		defer func() { done <- n }()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			k := store.GameKey{Prompt: fmt.Sprintf("load-%d", i/(2*len(qs))), PromptHash: "h", QuestionID: qs[(i/2)%len(qs)].ID,
				Model1: "demo-aurora", Model2: "demo-basalt", Turn: 1, Game: 1 + i%2}
			if err := w.SaveGame(ctx, id, k, store.Game{Winner: "model_1", Judgment: judgment, UserPrompt: judgment, LatencyMS: 900}); err != nil {
				panic(fmt.Sprintf("judge load: %v", err))
			}
			n++
			time.Sleep(pause)
		}
	}()
	return done
}

// BenchmarkVoteUnderJudgeLoad measures a vote's commit while a judge run
// writes games continuously: "none" has no load, "same-store" runs the judge
// in the app's process (the Judge screen; both share the one writer
// connection, so a vote waits for at most the game being written), and
// "other-process" writes through a second Store on the same file, as
// `concord judge` in a terminal would (SQLite's file lock and busy handler
// decide), flat out or paced at about 50 games a second (a fast real run:
// 16 requests in flight at 300 ms each). Reports vote p50/p95/max and the
// games written per second.
func BenchmarkVoteUnderJudgeLoad(b *testing.B) {
	for _, mode := range []string{"none", "same-store", "other-process", "other-process-paced"} {
		b.Run(mode, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "c.db")
			s := storetest.MustOpenAt(b, path)
			ctx := context.Background()
			if err := s.SeedDemo(ctx); err != nil {
				b.Fatal(err)
			}
			st := mustStudy(b, s, store.StudySpec{Name: "load", Models: demoModels, Seed: 1})
			stop := make(chan struct{})
			var games <-chan int
			switch mode {
			case "same-store":
				games = judgeLoad(b, s, stop, 0)
			case "other-process", "other-process-paced":
				w := storetest.MustOpenAt(b, path)
				pause := time.Duration(0)
				if mode == "other-process-paced" {
					pause = 20 * time.Millisecond
				}
				games = judgeLoad(b, w, stop, pause)
			}
			t0 := time.Now()
			b.ResetTimer()
			times := timeVotes(b, s, st.ID, "load", "B")
			b.StopTimer()
			close(stop)
			if games != nil {
				b.ReportMetric(float64(<-games)/time.Since(t0).Seconds(), "games/s")
			}
			reportQuantiles(b, times)
		})
	}
}

// timeVotes records b.N votes in a study, moving on to a new annotator
// (prefix_1, prefix_2, ...) when one has voted everything, and returns the
// time each RecordVote took; the NextItem calls are not timed.
func timeVotes(b *testing.B, s *store.Store, study int64, prefix, choice string) []time.Duration {
	ctx := context.Background()
	who, k := prefix+"_0", 0
	var times []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		n, err := s.NextItem(ctx, study, who)
		if err != nil {
			b.Fatal(err)
		}
		if n == nil {
			k++
			who = fmt.Sprintf("%s_%d", prefix, k)
			n, _ = s.NextItem(ctx, study, who)
		}
		b.StartTimer()
		t := time.Now()
		if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: study, Annotator: who, Pos: n.Entry.Pos, Turn: n.Turn, Choice: choice, TimeMS: 1000}); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t))
	}
	return times
}
