package app_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// BenchmarkProbeOverhead compares a verbosity probe of 20 items (40 requests:
// picking answers with lists, rewriting, storing the experiment, judging)
// with a plain judge run of the same 40 requests, on MT-Bench's questions and
// answers against a fake judge that answers at once (so the overhead is all
// Concord's). Goal: the probe within 5% of the plain run.
func BenchmarkProbeOverhead(b *testing.B) {
	data := filepath.Join("..", "..", "shared", "data", "mt_bench")
	if _, err := os.Stat(data); err != nil {
		b.Skipf("no MT-Bench data at %s", data)
	}
	b.Setenv("XDG_CONFIG_HOME", b.TempDir())
	db := filepath.Join(b.TempDir(), "bench.db")
	if code, _, errOut := cliRun(&testing.T{}, "", "--db", db, "import", data); code != 0 {
		b.Fatalf("import: %s", errOut)
	}
	var calls atomic.Int64
	srv := fakeJudge(&testing.T{}, &calls)
	defer srv.Close()
	var seq atomic.Int64 // each run a fresh experiment or judge, so nothing resumes
	questions := "81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100"
	b.Run("probe", func(b *testing.B) {
		start := calls.Load()
		defer func() { b.ReportMetric(float64(calls.Load()-start)/float64(b.N), "requests/op") }()
		for range b.N {
			code, _, errOut := cliRun(&testing.T{}, "", "--db", db, "probe", "verbosity", "--base-url", srv.URL+"/v1", "--model", "fake",
				"--sample", "20", "--seed", fmt.Sprint(seq.Add(1)), "--json")
			if code != 0 {
				b.Fatalf("probe: %s", errOut)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		start := calls.Load()
		defer func() { b.ReportMetric(float64(calls.Load()-start)/float64(b.N), "requests/op") }()
		for range b.N {
			code, _, errOut := cliRun(&testing.T{}, "", "--db", db, "judge", "--base-url", srv.URL+"/v1", "--model", "fake",
				"--name", fmt.Sprintf("plain-%d", seq.Add(1)), "--pairs", "gpt-4:claude-v1", "--questions", questions, "--turns", "1", "--json")
			if code != 0 {
				b.Fatalf("judge: %s", errOut)
			}
		}
	})
}
