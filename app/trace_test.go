package app_test

import (
	"bufio"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"concord/app"
	"concord/store"
	"concord/store/storetest"
)

// traceLine is a line of the trace file as a reader sees it.
type traceLine struct {
	Kind         string    `json:"kind"`
	At           time.Time `json:"at"`
	TotalMS      float64   `json:"total_ms"`
	QueueMS      float64   `json:"queue_ms"`
	CallMS       float64   `json:"call_ms"`
	DOMMS        float64   `json:"dom_ms"`
	PaintMS      float64   `json:"paint_ms"`
	BeforePageMS float64   `json:"before_page_ms"`
	PageMS       float64   `json:"page_ms"`
	LoadedMS     float64   `json:"loaded_ms"`
}

func tracingApp(t *testing.T, path string) *app.App {
	t.Helper()
	a := app.New(nil)
	env := func(k string) string {
		if k == app.TraceEnv {
			return path
		}
		return ""
	}
	if err := app.StartTrace(a, env); err != nil {
		t.Fatalf("StartTrace(%s=%s): %v", app.TraceEnv, path, err)
	}
	t.Cleanup(func() { app.StopTrace(a) })
	return a
}

// readTrace parses every line of the file; a line that is not one whole JSON
// record fails the test.
func readTrace(t *testing.T, path string) (lines []traceLine, raw []string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		raw = append(raw, sc.Text())
		var l traceLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s:%d: %q is not a whole record: %v", path, n, sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines, raw
}

func TestTraceOffByDefault(t *testing.T) {
	a := app.New(nil)
	if err := app.StartTrace(a, func(string) string { return "" }); err != nil {
		t.Fatalf("StartTrace without %s: %v", app.TraceEnv, err)
	}
	if a.TraceEnabled() {
		t.Errorf("TraceEnabled() = true without %s, want false", app.TraceEnv)
	}
	if err := a.TraceVote(app.VoteTiming{TotalMS: 1}); err != nil {
		t.Errorf("TraceVote with tracing off = %v, want nil", err)
	}
	if err := a.TraceStartup(app.StartupTiming{ShownAtMS: 1, PageMS: 1}); err != nil {
		t.Errorf("TraceStartup with tracing off = %v, want nil", err)
	}
}

func TestTraceAppendsRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	// An earlier run's line stays: the trace appends.
	earlier := `{"kind":"vote","at":"2025-01-01T00:00:00Z","total_ms":9,"queue_ms":0,"call_ms":1,"dom_ms":2,"paint_ms":6}`
	if err := os.WriteFile(path, []byte(earlier+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := tracingApp(t, path)
	if !a.TraceEnabled() {
		t.Fatalf("TraceEnabled() = false with %s set, want true", app.TraceEnv)
	}
	votes := []app.VoteTiming{
		{TotalMS: 31.5, QueueMS: 0.5, CallMS: 3.25, DOMMS: 12, PaintMS: 15.75},
		{TotalMS: 18, CallMS: 2, DOMMS: 6, PaintMS: 10},
	}
	// Float noise from the window is rounded to the microsecond.
	noisy := app.VoteTiming{TotalMS: 19.000000000003638, CallMS: 9, DOMMS: 2, PaintMS: 8.000000000003638}
	for _, v := range votes {
		if err := a.TraceVote(v); err != nil {
			t.Fatalf("TraceVote(%+v): %v", v, err)
		}
	}
	if err := a.TraceVote(noisy); err != nil {
		t.Fatalf("TraceVote(%+v): %v", noisy, err)
	}
	votes = append(votes, app.VoteTiming{TotalMS: 19, CallMS: 9, DOMMS: 2, PaintMS: 8})
	lines, raw := readTrace(t, path)
	if len(lines) != 1+len(votes) {
		t.Fatalf("trace has %d lines, want %d:\n%s", len(lines), 1+len(votes), strings.Join(raw, "\n"))
	}
	if raw[0] != earlier {
		t.Errorf("first line = %s, want the earlier run's %s", raw[0], earlier)
	}
	for i, v := range votes {
		got := lines[i+1]
		want := traceLine{Kind: "vote", At: got.At, TotalMS: v.TotalMS, QueueMS: v.QueueMS, CallMS: v.CallMS, DOMMS: v.DOMMS, PaintMS: v.PaintMS}
		if got != want {
			t.Errorf("line %d = %+v, want %+v", i+2, got, want)
		}
		if time.Since(got.At) > time.Minute || got.At.After(time.Now()) {
			t.Errorf("line %d at %v, want the time it was written", i+2, got.At)
		}
	}
}

// Votes from many goroutines, and from a second writer on the same file,
// arrive whole: every record once, none torn or interleaved.
func TestTraceConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	apps := []*app.App{tracingApp(t, path), tracingApp(t, path)}
	const goroutines, each = 8, 150
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			a := apps[g%len(apps)]
			for i := 0; i < each; i++ {
				id := float64(g*each + i)
				if err := a.TraceVote(app.VoteTiming{TotalMS: id, CallMS: id / 2, DOMMS: id / 4, PaintMS: id / 4}); err != nil {
					t.Errorf("TraceVote: %v", err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	lines, _ := readTrace(t, path)
	if len(lines) != goroutines*each {
		t.Fatalf("trace has %d lines, want %d", len(lines), goroutines*each)
	}
	seen := make(map[float64]bool)
	for n, l := range lines {
		if l.Kind != "vote" || l.CallMS != l.TotalMS/2 || l.DOMMS != l.TotalMS/4 || l.PaintMS != l.TotalMS/4 {
			t.Fatalf("line %d = %+v: fields from different records", n+1, l)
		}
		if seen[l.TotalMS] {
			t.Fatalf("line %d: record %v written twice", n+1, l.TotalMS)
		}
		seen[l.TotalMS] = true
	}
}

func TestTraceStartup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	a := tracingApp(t, path)
	const waited = 40 * time.Millisecond
	began := time.Now()
	time.Sleep(waited)
	shown := time.Now()
	page := 25.0
	if err := a.TraceStartup(app.StartupTiming{ShownAtMS: float64(shown.UnixMicro()) / 1000, PageMS: page, LoadedMS: 10.5}); err != nil {
		t.Fatalf("TraceStartup: %v", err)
	}
	lines, _ := readTrace(t, path)
	if len(lines) != 1 || lines[0].Kind != "startup" {
		t.Fatalf("trace = %+v, want one startup record", lines)
	}
	l := lines[0]
	// The process started before this test: the total covers at least the
	// wait above, and at most the whole time since the test binary began.
	if min := float64(waited.Milliseconds()); l.TotalMS < min {
		t.Errorf("startup total_ms = %v, want >= %v (the process started before the test)", l.TotalMS, min)
	}
	if max := float64(shown.Sub(began).Milliseconds()) + processAgeBound(); l.TotalMS > max {
		t.Errorf("startup total_ms = %v, want <= %v", l.TotalMS, max)
	}
	if l.PageMS != page || math.Abs(l.BeforePageMS-(l.TotalMS-page)) > 1e-6 {
		t.Errorf("startup parts: page_ms %v, before_page_ms %v, want %v and total-page %v", l.PageMS, l.BeforePageMS, page, l.TotalMS-page)
	}
	if l.LoadedMS != 10.5 {
		t.Errorf("startup loaded_ms = %v, want the window's 10.5", l.LoadedMS)
	}
}

var testStart = time.Now()

// processAgeBound is how long the test binary has run, in ms, plus a second
// for its loading and the clock tick of /proc.
func processAgeBound() float64 { return float64(time.Since(testStart).Milliseconds()) + 1000 }

func TestTraceBadPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "trace.jsonl")
	a := app.New(nil)
	err := app.StartTrace(a, func(k string) string {
		if k == app.TraceEnv {
			return path
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), app.TraceEnv+"="+path) {
		t.Fatalf("StartTrace(%s=%s) = %v, want an error naming the variable and the path", app.TraceEnv, path, err)
	}
	if a.TraceEnabled() {
		t.Errorf("TraceEnabled() = true after a failed open")
	}
}

// A vote's record carries what Go measured of the last App.Vote: its time
// and the size of its JSON reply, so the Go call splits into Go and bridge.
func TestTraceVoteCarriesGoSide(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	a := app.New(s)
	if err := app.StartTrace(a, func(k string) string {
		if k == app.TraceEnv {
			return path
		}
		return ""
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.StopTrace(a) })
	if err := a.SetAnnotator("ines"); err != nil {
		t.Fatal(err)
	}
	st, err := a.CreateStudy(store.StudySpec{Name: "traced", Models: []string{"demo-aurora", "demo-basalt"}})
	if err != nil {
		t.Fatal(err)
	}
	it, err := a.NextItem(st.ID)
	if err != nil {
		t.Fatal(err)
	}
	next, err := a.Vote(app.VoteInput{StudyID: st.ID, Pos: it.Pos, Turn: it.Turn, Choice: "A"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := json.Marshal(next)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.TraceVote(app.VoteTiming{TotalMS: 40, CallMS: 20, DOMMS: 5, PaintMS: 15}); err != nil {
		t.Fatal(err)
	}
	var rec struct {
		GoMS       float64 `json:"go_ms"`
		ReplyBytes int     `json:"reply_bytes"`
	}
	_, raw := readTrace(t, path)
	if len(raw) != 1 {
		t.Fatalf("trace has %d lines, want 1:\n%s", len(raw), strings.Join(raw, "\n"))
	}
	if err := json.Unmarshal([]byte(raw[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.GoMS <= 0 || rec.GoMS > 20_000 {
		t.Errorf("go_ms = %v, want App.Vote's time (positive)", rec.GoMS)
	}
	if rec.ReplyBytes != len(reply) {
		t.Errorf("reply_bytes = %d, want %d (the JSON of Vote's reply)", rec.ReplyBytes, len(reply))
	}
}
