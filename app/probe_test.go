package app_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"concord/app"
	"concord/judge/audit"
	"concord/store"
)

// TestProbeVerbosity runs the verbosity probe on the demo against a judge that
// always answers [[A]]: it prefers the padded copy whenever it is shown
// first, so every item fails, inconsistently; a second run resumes and sends
// nothing; the report shows the experiment.
func TestProbeVerbosity(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := demoDB(t)
	var calls atomic.Int64
	srv := fakeJudge(t, &calls)
	args := []string{"--db", db, "probe", "verbosity", "--name", "demo-judge", "--base-url", srv.URL + "/v1", "--model", "fake", "--sample", "5", "--json"}
	code, out, errOut := cliRun(t, "", args...)
	if code != 0 {
		t.Fatalf("probe verbosity: exit %d: %s", code, errOut)
	}
	var e audit.Experiment
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("probe --json: %v: %s", err, out)
	}
	if e.Items == 0 || e.Items > 5 || e.Failures == nil || e.Failures.Count != e.Items || e.Inconsistent != e.Items || e.Pending != 0 {
		t.Errorf("probe verbosity = %+v failures %+v; want every one of up to 5 items failed inconsistently", e, e.Failures)
	}
	if got := calls.Load(); got != int64(2*e.Items) {
		t.Errorf("%d requests, want 2 per item (%d)", got, 2*e.Items)
	}
	if code, _, errOut := cliRun(t, "", args...); code != 0 || calls.Load() != int64(2*e.Items) {
		t.Errorf("second run: exit %d (%s), %d requests in all; want it to resume with nothing to send", code, errOut, calls.Load())
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	es, _ := s.Experiments(context.Background(), "demo-judge")
	s.Close()
	if len(es) != 1 || es[0].ProbeJudge != "demo-judge@verbosity-1" {
		t.Errorf("experiments %+v, want one stored as demo-judge@verbosity-1", es)
	}
	_, md, _ := cliRun(t, "", "--db", db, "report", "--judge", "demo-judge", "--bootstrap", "0", "--format", "markdown")
	if !strings.Contains(md, "## Experiments") || !strings.Contains(md, "demo-judge@verbosity-1") || !strings.Contains(md, "failure rate 100.0%") {
		t.Errorf("report --judge demo-judge lacks the experiment:\n%s", md)
	}
	// A probe's judge never becomes the default: the report still picks demo-judge.
	if code, md, errOut := cliRun(t, "", "--db", db, "report", "--bootstrap", "0", "--format", "markdown"); code != 0 || !strings.Contains(md, "demo-judge") {
		t.Errorf("report without --judge after a probe: exit %d (%s); want demo-judge's report", code, errOut)
	}
	_, md, _ = cliRun(t, "", "--db", db, "report", "--judge", "demo-judge@verbosity-1", "--bootstrap", "0", "--format", "markdown")
	if !strings.Contains(md, "## Experiments") || !strings.Contains(md, "failure rate 100.0%") {
		t.Errorf("report --judge demo-judge@verbosity-1 lacks its experiment:\n%s", md)
	}
}

// TestProbeRepeat re-runs demo-judge's units with a judge that answers [[A]]
// in both orders (an inconsistent verdict, a tie for agreement): the two runs
// agree exactly on the units demo-judge called a tie or inconsistent.
func TestProbeRepeat(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := demoDB(t)
	var calls atomic.Int64
	srv := fakeJudge(t, &calls)
	code, out, errOut := cliRun(t, "", "--db", db, "probe", "repeat", "--name", "demo-judge", "--base-url", srv.URL+"/v1",
		"--model", "fake", "--sample", "1000", "--json")
	if code != 0 {
		t.Fatalf("probe repeat: exit %d: %s", code, errOut)
	}
	var e audit.Experiment
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := s.Verdicts(context.Background(), "demo-judge")
	s.Close()
	ties, flips := 0, 0
	for _, v := range vs {
		if v.Combined == "tie" || v.Combined == "inconsistent" {
			ties++
		}
	}
	if e.SelfAgreement == nil || e.Items != len(vs) || e.SelfAgreement.N != len(vs) || e.SelfAgreement.Count != ties || e.Flips.Count != flips {
		t.Errorf("probe repeat = %+v agreement %+v flips %+v; want %d items, %d agreeing, no flips", e, e.SelfAgreement, e.Flips, len(vs), ties)
	}
}

// TestAppProbeEvents runs a probe from the window: probe:progress events name
// the experiment's probe judge, count up to its games and end finished, the
// last one holding the final counters; a resumed probe with nothing left to
// send still closes with a finished event.
func TestAppProbeEvents(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("OPENAI_API_KEY", judgeTestKey)
	db := demoDB(t)
	var calls atomic.Int64
	srv := fakeJudge(t, &calls)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := app.New(st)
	var mu sync.Mutex
	var events []app.ProbeProgress
	app.SetEmit(a, func(name string, data any) {
		if name != app.EventProbeProgress {
			t.Errorf("event %s during a probe, want only %s", name, app.EventProbeProgress)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		events = append(events, data.(app.ProbeProgress))
	})
	req := app.ProbeRequest{Kind: store.ExperimentVerbosity, Sample: 4}
	req.Name, req.Model, req.BaseURL = "demo-judge", "fake", srv.URL+"/v1"
	e, err := a.Probe(req)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := slices.Clone(events)
	mu.Unlock()
	if len(got) == 0 {
		t.Fatal("no probe:progress event")
	}
	last := got[len(got)-1]
	if !last.Progress.Finished || last.Progress.Done != 2*e.Items || last.Progress.Total != 2*e.Items || last.ProbeJudge != e.ProbeJudge || last.Kind != "verbosity" {
		t.Errorf("last probe:progress %+v; want finished, %d of %d games, of %s", last, 2*e.Items, 2*e.Items, e.ProbeJudge)
	}
	for i, ev := range got[:len(got)-1] {
		if ev.Progress.Finished || (i > 0 && ev.Progress.Done < got[i-1].Progress.Done) {
			t.Errorf("event %d %+v: want unfinished progress that never goes back", i, ev)
		}
	}
	mu.Lock()
	events = nil
	mu.Unlock()
	if _, err := a.Probe(req); err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || !events[0].Progress.Finished || events[0].Progress.Total != 0 {
		t.Errorf("resumed probe with nothing to send: events %+v, want one finished event", events)
	}
}
