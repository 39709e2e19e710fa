package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"concord/store"
)

// mtBenchStudy imports the shared MT-Bench questions and answers and makes a
// study over every model pair (80 questions x 15 pairs x 2 turns), or skips.
func mtBenchStudy(b *testing.B) (*store.Store, *store.Study) {
	b.Helper()
	data := sharedData(b)
	s := MustOpen(b)
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
}

// BenchmarkRecordVote measures a vote's commit on MT-Bench-sized data
// (goal: p50 under 5 ms).
func BenchmarkRecordVote(b *testing.B) {
	s, st := mtBenchStudy(b)
	ctx := context.Background()
	who, k := "bench_0", 0
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		n, err := s.NextItem(ctx, st.ID, who)
		if err != nil {
			b.Fatal(err)
		}
		if n == nil {
			k++
			who = fmt.Sprintf("bench_%d", k)
			n, _ = s.NextItem(ctx, st.ID, who)
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: who, Pos: n.Entry.Pos, Turn: n.Turn, Verdict: "A", TimeMS: 1234}); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(t0))
	}
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
		if _, err := s.RecordVote(ctx, store.VoteRequest{StudyID: st.ID, Annotator: "nina", Pos: n.Entry.Pos, Turn: n.Turn, Verdict: "tie"}); err != nil {
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
