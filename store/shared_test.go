package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"concord/store"
)

// sharedData returns ../shared/data (beside the repository), or skips.
func sharedData(tb testing.TB) string {
	tb.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "shared", "data"))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mt_bench", "question.jsonl")); err != nil {
		tb.Skipf("third-party data not found at %s (it lives beside the repository in ../shared/data): %v", dir, err)
	}
	return dir
}

func mtBenchPaths(data string) []string {
	return []string{filepath.Join(data, "mt_bench"), filepath.Join(data, "judge_prompts.jsonl"), filepath.Join(data, "mt_bench_human_judgments")}
}

func TestSharedMTBenchCounts(t *testing.T) {
	data := sharedData(t)
	s := MustOpen(t)
	mustImport(t, s, mtBenchPaths(data)...)
	in := info(t, s)
	got := fmt.Sprintf("questions=%d models=%d answers=%d votes=%d annotators=%d gpt-4=%d", in.Questions, in.Models, in.Answers, in.HumanVotes, in.Annotators, in.JudgeVerdicts["gpt-4"])
	if want := "questions=80 models=7 answers=560 votes=3355 annotators=65 gpt-4=2400"; got != want {
		t.Errorf("info = %s, want %s", got, want)
	}
	groups := map[string]int{}
	for _, g := range in.Groups {
		groups[g.Group] = g.Annotators
	}
	if groups["expert"] != 58 || groups["author"] != 7 {
		t.Errorf("annotator groups = %v, want expert 58, author 7", groups)
	}
	rep := mustImport(t, s, mtBenchPaths(data)...)
	if rep.Added != 0 || rep.Replaced != 0 {
		t.Errorf("re-import added %d, replaced %d; want nothing", rep.Added, rep.Replaced)
	}

	// The HF-shaped verdict export (judge ["gpt-4", "pair"] for these
	// prompt-less verdicts) re-imports onto the same 2,400 verdicts.
	hf := filepath.Join(t.TempDir(), "gpt4_pair.json")
	f, err := os.Create(hf)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ExportVerdictsHF(context.Background(), f, "gpt-4"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rep = mustImport(t, s, hf)
	if rep.Added != 0 || rep.Unchanged != 2400 {
		t.Errorf("re-import of the HF verdict export: added %d, unchanged %d; want 0 and 2400", rep.Added, rep.Unchanged)
	}
}

func TestSharedJPBench(t *testing.T) {
	data := sharedData(t)
	s := MustOpen(t)
	mustImport(t, s, filepath.Join(data, "jp_bench"))
	in := info(t, s)
	if in.Questions != 80 || in.Models != 6 || in.JudgeVerdicts["gpt-4"] != 400 || in.Judges[0].BothOrder != 400 {
		t.Errorf("jp_bench info = %+v, want 80 questions, 6 models, 400 gpt-4 verdicts in both orders", in)
	}
}

// BenchmarkImportMTBench imports the whole shared MT-Bench set (questions,
// answers, prompts, 3,355 votes, 2,400 verdicts) into a fresh database.
func BenchmarkImportMTBench(b *testing.B) {
	data := sharedData(b)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := store.Open(filepath.Join(b.TempDir(), fmt.Sprint(i, ".db")))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Import(context.Background(), mtBenchPaths(data), store.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkImportSyntheticVotes imports label-only CSV files of synthetic
// votes and reports votes per second and the peak heap growth, which must
// not grow with the file size.
func BenchmarkImportSyntheticVotes(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			writeSynthetic(b, dir, n)
			b.ResetTimer()
			var peak uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, err := store.Open(filepath.Join(dir, fmt.Sprint(i, ".db")))
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var m0 runtime.MemStats
				runtime.ReadMemStats(&m0)
				done := make(chan struct{})
				peakCh := make(chan uint64)
				go samplePeak(done, peakCh)
				b.StartTimer()
				if _, err := s.Import(context.Background(), []string{filepath.Join(dir, "question.jsonl"), filepath.Join(dir, "model_answer"), filepath.Join(dir, "votes.csv")}, store.ImportOptions{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				close(done)
				if p := <-peakCh; p-m0.HeapAlloc > peak && p > m0.HeapAlloc {
					peak = p - m0.HeapAlloc
				}
				s.Close()
				os.Remove(filepath.Join(dir, fmt.Sprint(i, ".db")))
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "votes/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

func samplePeak(done <-chan struct{}, out chan<- uint64) {
	var peak uint64
	var m runtime.MemStats
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		runtime.ReadMemStats(&m)
		if m.HeapAlloc > peak {
			peak = m.HeapAlloc
		}
		select {
		case <-done:
			out <- peak
			return
		case <-tick.C:
		}
	}
}

// writeSynthetic writes 5,000 questions, 6 models' answers and n votes from
// 200 annotators in the HF label-only CSV shape.
func writeSynthetic(tb testing.TB, dir string, n int) {
	tb.Helper()
	const questions, annotators = 5000, 200
	models := []string{"m0", "m1", "m2", "m3", "m4", "m5"}
	os.MkdirAll(filepath.Join(dir, "model_answer"), 0o755)
	q, _ := os.Create(filepath.Join(dir, "question.jsonl"))
	for i := 1; i <= questions; i++ {
		fmt.Fprintf(q, `{"question_id": %d, "category": "c%d", "turns": ["q%d turn 1", "q%d turn 2"]}`+"\n", i, i%8, i, i)
	}
	q.Close()
	for _, m := range models {
		f, _ := os.Create(filepath.Join(dir, "model_answer", m+".jsonl"))
		for i := 1; i <= questions; i++ {
			fmt.Fprintf(f, `{"question_id": %d, "choices": [{"turns": ["%s answer %d", "%s second %d"]}]}`+"\n", i, m, i, m, i)
		}
		f.Close()
	}
	f, _ := os.Create(filepath.Join(dir, "votes.csv"))
	fmt.Fprintln(f, "question_id,model_a,model_b,winner,judge,turn")
	winners := []string{"model_a", "model_b", "tie"}
	for i := 0; i < n; i++ {
		a, b := i%6, (i/6)%5
		if b >= a {
			b++
		}
		fmt.Fprintf(f, "%d,%s,%s,%s,expert_%d,%d\n", 1+(i*7919)%questions, models[a], models[b], winners[i%3], (i/7)%annotators, 1+i%2)
	}
	f.Close()
}
