package audit_test

import (
	"fmt"
	"testing"

	"concord/judge/audit"
)

// BenchmarkReportMTBench: the full report (all humans, 1,000 resamples) on the
// MT-Bench human judgments and GPT-4 pair verdicts. Goal: under 1 s.
func BenchmarkReportMTBench(b *testing.B) {
	votes, verdicts := mtBench(b)
	opt := audit.DefaultOptions()
	b.ReportAllocs()
	for b.Loop() {
		audit.Compute(votes, verdicts, opt)
	}
}

// BenchmarkReportSynthetic: 1,000,000 votes over 5,000 questions, 8 models,
// 100 annotators, a judge in both orders on all 280,000 units, 1,000 resamples.
// Goal: under 10 s and 1 GB.
func BenchmarkReportSynthetic(b *testing.B) {
	votes, verdicts := randomData(1, 5000, 1_000_000)
	opt := audit.DefaultOptions()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		audit.Compute(votes, verdicts, opt)
	}
}

// BenchmarkScaling shows how time grows with votes (5,000 questions, 1,000
// resamples) and with resamples (100,000 votes).
func BenchmarkScaling(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("votes=%d", n), func(b *testing.B) {
			votes, verdicts := randomData(2, 5000, n)
			opt := audit.DefaultOptions()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				audit.Compute(votes, verdicts, opt)
			}
		})
	}
	votes, verdicts := randomData(2, 5000, 100_000)
	for _, r := range []int{0, 100, 1000, 4000} {
		b.Run(fmt.Sprintf("resamples=%d", r), func(b *testing.B) {
			opt := audit.DefaultOptions()
			opt.Bootstrap = r
			b.ReportAllocs()
			for b.Loop() {
				audit.Compute(votes, verdicts, opt)
			}
		})
	}
}
