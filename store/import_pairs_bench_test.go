package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"concord/store"
	"concord/store/storetest"
)

// BenchmarkImportPairs imports a pairs-with-texts CSV file of n rows (a
// prompt, two models, two answers of about 2 KB, a human label) and reports
// rows per second and peak resident memory, which must stay flat as n grows.
// In the same run it loads the same file with the stock sqlite3 shell's
// `.import --csv` into an in-memory database, the floor a hand-written
// importer can approach, and reports its rows per second and the ratio.
// CONCORD_BENCH_PAIRS adds a size (the figure is 200000). On a
// shared machine the wall-clock rates swing with the load; the CPU time of
// both (cpu-rows/s: rows per second of CPU, all threads) moves far less,
// and its ratio is the one to compare between runs.
func BenchmarkImportPairs(b *testing.B) {
	sizes := []int{20_000}
	if n, err := strconv.Atoi(os.Getenv("CONCORD_BENCH_PAIRS")); err == nil && n > 0 {
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			path := filepath.Join(dir, "pairs.csv")
			writeSyntheticPairs(b, path, n)
			var rss uint64
			var sqliteTime, sqliteCPU, cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db := filepath.Join(dir, fmt.Sprint(i, ".db"))
				s := storetest.MustOpenAt(b, db)
				runtime.GC()
				resetPeakRSS()
				cpu0 := cpuTime()
				b.StartTimer()
				rep, err := s.Import(context.Background(), []string{path}, store.ImportOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				cpu += cpuTime() - cpu0
				if rep.Files[0].Records != n {
					b.Fatalf("imported %d rows, want %d", rep.Files[0].Records, n)
				}
				rss = max(rss, peakRSS())
				s.Close()
				os.Remove(db)
				if _, err := exec.LookPath("sqlite3"); err == nil {
					start := time.Now()
					cmd := exec.Command("sqlite3", ":memory:", ".import --csv "+path+" t", "SELECT count(*) FROM t")
					out, err := cmd.CombinedOutput()
					sqliteTime += time.Since(start)
					if cmd.ProcessState != nil {
						sqliteCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
					}
					if err != nil || strings.TrimSpace(string(out)) != strconv.Itoa(n) {
						b.Fatalf("sqlite3 .import: %v: %s", err, out)
					}
				}
				b.StartTimer()
			}
			rate := float64(n) * float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "rows/s")
			if rss > 0 {
				b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MB")
			}
			if sqliteTime > 0 {
				floor := float64(n) * float64(b.N) / sqliteTime.Seconds()
				b.ReportMetric(floor, "sqlite3-import-rows/s")
				b.ReportMetric(floor/rate, "sqlite3/concord")
			}
			if cpu > 0 && sqliteCPU > 0 {
				rows := float64(n) * float64(b.N)
				b.ReportMetric(rows/cpu.Seconds(), "cpu-rows/s")
				b.ReportMetric(rows/sqliteCPU.Seconds(), "sqlite3-cpu-rows/s")
				b.ReportMetric(cpu.Seconds()/sqliteCPU.Seconds(), "cpu-sqlite3/concord")
			}
		})
	}
}

// cpuTime is the CPU time the process has used, all threads, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writeSyntheticPairs writes n rows of pairs with inline texts as CSV: n/4
// prompts, each compared on four of the 15 pairs of six models, answers of
// about 2 KB that depend only on the prompt and the model (as a model's
// answer does), and a label cycling through the three outcomes.
func writeSyntheticPairs(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	models := []string{"m0", "m1", "m2", "m3", "m4", "m5"}
	var pairs [][2]string
	for a := range models {
		for c := a + 1; c < len(models); c++ {
			pairs = append(pairs, [2]string{models[a], models[c]})
		}
	}
	const filler = "The answer goes on, explaining each step with care and adding an example or two; "
	answer := func(q int, m string) string {
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s on prompt %d: ", m, q)
		for i := 0; sb.Len() < 2000; i++ {
			fmt.Fprintf(&sb, "%d. %s", i+1, filler)
		}
		return sb.String()
	}
	winners := []string{"model_a", "model_b", "tie"}
	fmt.Fprintln(w, "prompt,model_a,model_b,response_a,response_b,winner")
	for i := 0; i < n; i++ {
		q := i / 4
		p := pairs[(q*7+i%4*4)%len(pairs)]
		fmt.Fprintf(w, "\"Prompt %d: explain, in detail, the topic number %d.\",%s,%s,\"%s\",\"%s\",%s\n",
			q, q, p[0], p[1], answer(q, p[0]), answer(q, p[1]), winners[i%3])
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
}
