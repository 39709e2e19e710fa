package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"concord/store"
	"concord/store/storetest"
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
	s := storetest.MustOpen(t)
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
	s := storetest.MustOpen(t)
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
		s := storetest.MustOpenAt(b, filepath.Join(b.TempDir(), fmt.Sprint(i, ".db")))
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
// votes and reports votes per second, the peak growth of the Go heap, which
// must not grow with the file size, and (on Linux) the process's peak
// resident memory, which includes SQLite's page cache (capped, see writeBulk).
func BenchmarkImportSyntheticVotes(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			writeSynthetic(b, dir, n)
			b.ResetTimer()
			var peak, rss uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s := storetest.MustOpenAt(b, filepath.Join(dir, fmt.Sprint(i, ".db")))
				runtime.GC()
				var m0 runtime.MemStats
				runtime.ReadMemStats(&m0)
				resetPeakRSS()
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
				rss = max(rss, peakRSS())
				s.Close()
				os.Remove(filepath.Join(dir, fmt.Sprint(i, ".db")))
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "votes/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			if rss > 0 {
				b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
			}
		})
	}
}

// BenchmarkReimportSyntheticVotes imports 1,000,000 synthetic votes once,
// then times importing the same files again (nothing added, every vote
// compared) and reports votes per second and the peak resident memory.
func BenchmarkReimportSyntheticVotes(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	writeSynthetic(b, dir, n)
	paths := []string{filepath.Join(dir, "question.jsonl"), filepath.Join(dir, "model_answer"), filepath.Join(dir, "votes.csv")}
	s := storetest.MustOpenAt(b, filepath.Join(dir, "concord.db"))
	if _, err := s.Import(context.Background(), paths, store.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	resetPeakRSS()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := s.Import(context.Background(), paths, store.ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Added != 0 || rep.Unchanged < n {
			b.Fatalf("import again: added %d, unchanged %d; want 0 and at least %d", rep.Added, rep.Unchanged, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "votes/s")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
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
// 200 annotators in the HF label-only CSV shape. As in the published data,
// nearly every vote is an annotator's only one on its unit (question, pair,
// turn): vote i takes key number i*7919 mod 60,000,000 of the 200 x 5,000 x
// 15 x 2 keys (a one-to-one map), except that one vote in 3,000 repeats an
// earlier vote's key.
func writeSynthetic(tb testing.TB, dir string, n int) {
	tb.Helper()
	const questions, keys = 5000, 30_000_000
	models := []string{"m0", "m1", "m2", "m3", "m4", "m5"}
	var pairs [][2]string
	for a := range models {
		for b := a + 1; b < len(models); b++ {
			pairs = append(pairs, [2]string{models[a], models[b]}, [2]string{models[b], models[a]})
		}
	}
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
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "question_id,model_a,model_b,winner,judge,turn")
	winners := []string{"model_a", "model_b", "tie"}
	for i := 0; i < n; i++ {
		j := i
		if i%3000 == 2999 {
			j = i - 1500
		}
		k := j * 7919 % keys
		qid, k := 1+k%questions, k/questions
		pair, k := pairs[k%15*2+i%2], k/15 // either order on the page
		turn, ann := 1+k%2, k/2
		fmt.Fprintf(w, "%d,%s,%s,%s,expert_%d,%d\n", qid, pair[0], pair[1], winners[i%3], ann, turn)
	}
	w.Flush()
	f.Close()
}

// benchSizes are the vote counts of BenchmarkImportSyntheticVotes;
// CONCORD_BENCH_VOTES adds one (e.g. 3000000 to see memory stay flat).
func benchSizes() []int {
	sizes := []int{100_000, 1_000_000}
	if n, err := strconv.Atoi(os.Getenv("CONCORD_BENCH_VOTES")); err == nil && n > 0 {
		sizes = append(sizes, n)
	}
	return sizes
}

// resetPeakRSS restarts the kernel's count of the process's peak resident
// memory (Linux; elsewhere peakRSS reports 0).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident memory in bytes since resetPeakRSS.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
