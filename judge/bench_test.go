package judge_test

import (
	"context"
	"testing"
	"time"

	"concord/judge"
)

// mtBenchModels are the six models of the MT-Bench human study: 15 pairs.
var mtBenchModels = []string{"alpaca-13b", "claude-v1", "gpt-3.5-turbo", "gpt-4", "llama-13b", "vicuna-13b-v1.2"}

// BenchmarkRunnerMTBench judges all 2,400 MT-Bench pair-turns (80 questions x
// 15 pairs x 2 turns, synthesised) in both orders, 4,800 requests, against a
// fake server answering in 300 ms, with 32 workers, committing every game to
// a real store. The ideal rate is 32 / 0.3 s = 106.7 requests/s; the goal is
// at least 90% of it. Run with -benchtime=1x (one iteration takes ~45 s).
func BenchmarkRunnerMTBench(b *testing.B) {
	const latency = 300 * time.Millisecond
	const workers = 32
	ideal := float64(workers) / latency.Seconds()
	for range b.N {
		b.StopTimer()
		st, _ := mustOpen(b)
		writeFixture(b, st, 80, mtBenchModels)
		tasks := tasksFor(b, st, judge.Selection{})
		if len(tasks) != 4800 {
			b.Fatalf("BuildTasks = %d tasks, want 4800", len(tasks))
		}
		srv := newFakeServer(b, func(string, int) reply { return reply{delay: latency, text: "[[A]]"} })
		r := newRunner(srv, st, &logBuf{})
		r.Config.Concurrency = workers
		r.Config.Timeout = 10 * time.Second
		b.StartTimer()
		start := time.Now()
		res, err := r.Run(context.Background(), tasks)
		el := time.Since(start)
		b.StopTimer()
		if err != nil || res.Done != len(tasks) || res.Errors != 0 {
			b.Fatalf("Run = done %d, errors %d, %v; want %d, 0", res.Done, res.Errors, err, len(tasks))
		}
		rate := float64(res.Done) / el.Seconds()
		b.ReportMetric(rate, "req/s")
		b.ReportMetric(ideal, "ideal-req/s")
		b.ReportMetric(100*rate/ideal, "%ideal")
	}
}

// BenchmarkRunnerRPM checks the requests-per-minute limit: 200 requests
// (fewer than the full benchmark, to stay near 20 s) at --rpm 600 with 32
// workers and 300 ms latency. The measured rate, from the server's arrival
// times ((n-1) / (last - first)), must not exceed 600 per minute.
func BenchmarkRunnerRPM(b *testing.B) {
	const rpm = 600
	for range b.N {
		b.StopTimer()
		st, _ := mustOpen(b)
		writeFixture(b, st, 20, []string{"m1", "m2", "m3", "m4", "m5"})
		tasks := tasksFor(b, st, judge.Selection{Turns: []int{1}})[:200]
		srv := newFakeServer(b, func(string, int) reply { return reply{delay: 300 * time.Millisecond, text: "[[B]]"} })
		r := newRunner(srv, st, &logBuf{})
		r.Config.Concurrency = 32
		r.Config.RPM = rpm
		r.Config.Timeout = 10 * time.Second
		b.StartTimer()
		start := time.Now()
		res, err := r.Run(context.Background(), tasks)
		el := time.Since(start)
		b.StopTimer()
		if err != nil || res.Done != len(tasks) || res.Retries != 0 {
			b.Fatalf("Run = done %d, %v; want %d", res.Done, err, len(tasks))
		}
		first, last := time.Time{}, time.Time{}
		srv.mu.Lock()
		for _, ts := range srv.seen {
			for _, t := range ts {
				if first.IsZero() || t.Before(first) {
					first = t
				}
				if t.After(last) {
					last = t
				}
			}
		}
		n := srv.total
		srv.mu.Unlock()
		arrival := float64(n-1) / last.Sub(first).Minutes()
		b.Logf("first arrival +%v, last +%v, end +%v, n=%d", first.Sub(start), last.Sub(start), el, n)
		b.ReportMetric(arrival, "req/min")
		b.ReportMetric(float64(res.Done)/el.Minutes(), "done/min")
		if arrival > rpm {
			b.Errorf("measured %.1f requests/min, want at most %d", arrival, rpm)
		}
	}
}
