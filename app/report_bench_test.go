package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

// mtBenchStore imports the shared MT-Bench data into a fresh database, or skips.
func mtBenchStore(b *testing.B) *store.Store {
	b.Helper()
	data := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "mt_bench_human_judgments", "human.csv")); err != nil {
		b.Skipf("shared MT-Bench data not found under %s: %v", data, err)
	}
	s := storetest.MustOpen(b)
	if _, err := s.Import(context.Background(), []string{filepath.Join(data, "mt_bench"), filepath.Join(data, "mt_bench_human_judgments")}, store.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkOpenReportScreen is the Go side of opening the report screen on
// MT-Bench: the audit with 1,000 resamples and the disagreement list
// (goal: together well under the 1 s the screen may take).
func BenchmarkOpenReportScreen(b *testing.B) {
	s := mtBenchStore(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := buildReport(ctx, s, ReportOptions{Judge: "gpt-4", Humans: "all", Seed: 1}); err != nil {
			b.Fatal(err)
		}
		if _, err := disagreements(ctx, s, DisagreementFilter{Judge: "gpt-4", Humans: "all"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnitDetail opens one disagreement's detail on MT-Bench; with the
// per-unit queries it reads a few rows, not the vote, verdict and answer tables.
func BenchmarkUnitDetail(b *testing.B) {
	s := mtBenchStore(b)
	ctx := context.Background()
	units, err := disagreements(ctx, s, DisagreementFilter{Judge: "gpt-4"})
	if err != nil || len(units) == 0 {
		b.Fatalf("disagreements = %d, %v", len(units), err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := units[i%len(units)]
		d, err := unitDetail(ctx, s, u.QuestionID, u.ModelA, u.ModelB, u.Turn, "gpt-4")
		if err != nil || len(d.Votes) < u.Votes || d.G1 == nil && d.JudgeVerdict == "" {
			b.Fatalf("unitDetail(%+v) = %+v, %v", u, d, err)
		}
	}
}
