package app

import (
	"context"
	"testing"

	"concord/judge/audit"
)

// BenchmarkReportScoresMTBench is the whole report on MT-Bench with its
// Scores section (960 ratings beside the 2,400 verdicts) and 1,000
// resamples (goal: the CLI's report stays under a quarter of a second).
func BenchmarkReportScoresMTBench(b *testing.B) {
	s := mtBenchStore(b)
	ctx := context.Background()
	for b.Loop() {
		r, err := buildReport(ctx, s, ReportOptions{Judge: "gpt-4", Humans: "all", Seed: 1})
		if err != nil || r.Scores == nil {
			b.Fatalf("report: scores %v, %v", r.Scores, err)
		}
	}
}

// BenchmarkComputeScoresMTBench is the Scores section alone, from the
// audit's plain values.
func BenchmarkComputeScoresMTBench(b *testing.B) {
	s := mtBenchStore(b)
	ctx := context.Background()
	sc, err := loadAnnotatorScope(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	in, err := loadAuditInput(ctx, s, "gpt-4", "", sc)
	if err != nil {
		b.Fatal(err)
	}
	opt := audit.DefaultOptions()
	for b.Loop() {
		audit.ComputeScores(in.ratings, in.votes, in.verdicts, opt)
	}
}
