package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TraceEnv names the environment variable that turns the latency trace on:
// CONCORD_TRACE=FILE appends one JSON line a record to FILE.
const TraceEnv = "CONCORD_TRACE"

// Trace record kinds.
const (
	TraceKindVote    = "vote"
	TraceKindStartup = "startup"
)

// VoteTiming is what the window measured for one vote, in milliseconds:
// from the keydown event to the first frame that shows the next item, and its
// parts. Total is Queue + Call + DOM + Paint.
type VoteTiming struct {
	TotalMS float64 `json:"total_ms"`
	// QueueMS is from the event's timestamp to the key handler (0 when the
	// engine's timestamp was unusable or the vote was a click).
	QueueMS float64 `json:"queue_ms"`
	// CallMS is the Go call: the vote's commit and the next item.
	CallMS float64 `json:"call_ms"`
	// DOMMS is the DOM update (Markdown, highlighting, KaTeX).
	DOMMS float64 `json:"dom_ms"`
	// PaintMS is the wait for the next frame.
	PaintMS float64 `json:"paint_ms"`
}

// StartupTiming is what the window measured when the home screen first
// showed the database's counts.
type StartupTiming struct {
	// ShownAtMS is when the counts were on screen, in Unix milliseconds
	// (performance.timeOrigin + performance.now()).
	ShownAtMS float64 `json:"shown_at_ms"`
	// PageMS is the same moment relative to the page's time origin
	// (performance.now()).
	PageMS float64 `json:"page_ms"`
	// LoadedMS is when the page's scripts had run and the first screen was
	// mounted (DOMContentLoaded, which waits for module scripts), relative
	// to the page's time origin; PageMS - LoadedMS is the wait for the data
	// (the Go calls) and its rendering. 0 when the engine did not say.
	LoadedMS float64 `json:"loaded_ms"`
}

// voteRecord is a vote's line in the trace file. GoMS and ReplyBytes are
// measured by Go for the vote the window timed (the last App.Vote call; the
// window casts one at a time): GoMS is App.Vote's own time (commit and next
// item), so CallMS - GoMS is the bridge (WebKit to Go and back, the wait for
// the GTK main loop); ReplyBytes is the size of its JSON reply.
type voteRecord struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	VoteTiming
	GoMS       float64 `json:"go_ms"`
	ReplyBytes int     `json:"reply_bytes"`
}

// startupRecord is the start-up line in the trace file, worked out by Go,
// which knows when the process started: TotalMS is from the process's start
// to the counts shown, BeforePageMS from the process's start to the page's
// time origin (Go, GTK and WebKit starting up), PageMS the rest, of which
// LoadedMS is loading and running the page's scripts.
type startupRecord struct {
	Kind         string    `json:"kind"`
	At           time.Time `json:"at"`
	TotalMS      float64   `json:"total_ms"`
	BeforePageMS float64   `json:"before_page_ms"`
	PageMS       float64   `json:"page_ms"`
	LoadedMS     float64   `json:"loaded_ms"`
}

// traceWriter appends trace records to a file, one JSON line each, every
// line written whole by a single write to a file opened for appending, so
// concurrent callers (and processes) never interleave within a line.
type traceWriter struct {
	mu sync.Mutex
	f  *os.File
	// now is the clock; tests replace it.
	now func() time.Time
	// started is when the process started.
	started time.Time
	// lastVote is App.Vote's latest time and reply size.
	lastVote struct {
		sync.Mutex
		took  time.Duration
		bytes int
	}
}

// noteVote remembers App.Vote's time and the size of its reply, for the
// window's record of that vote.
func (w *traceWriter) noteVote(took time.Duration, reply any) {
	b, _ := json.Marshal(reply)
	w.lastVote.Lock()
	w.lastVote.took, w.lastVote.bytes = took, len(b)
	w.lastVote.Unlock()
}

// openTrace opens path for appending, creating it if needed.
func openTrace(path string) (*traceWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	return &traceWriter{f: f, now: time.Now, started: processStart()}, nil
}

// write appends one record as a JSON line.
func (w *traceWriter) write(rec any) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("trace: encode %T: %w", rec, err)
	}
	line = append(line, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.f.Write(line); err != nil {
		return fmt.Errorf("trace: write %s: %w", w.f.Name(), err)
	}
	return nil
}

func (w *traceWriter) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.f.Close()
}

// startTrace opens the trace file named by $CONCORD_TRACE; tracing stays off
// when it is unset.
func (a *App) startTrace(getenv func(string) string) error {
	path := getenv(TraceEnv)
	if path == "" {
		return nil
	}
	w, err := openTrace(path)
	if err != nil {
		return fmt.Errorf("%s=%s: %w", TraceEnv, path, err)
	}
	a.trace = w
	return nil
}

func (a *App) stopTrace() {
	if a.trace != nil {
		_ = a.trace.close()
	}
}

// TraceEnabled reports whether the latency trace is on ($CONCORD_TRACE); the
// window reads it once and measures nothing when it is off.
func (a *App) TraceEnabled() bool {
	return a.trace != nil
}

// TraceVote appends one vote's timing to the trace; a no-op when tracing is
// off.
func (a *App) TraceVote(t VoteTiming) error {
	if a.trace == nil {
		return nil
	}
	t = VoteTiming{TotalMS: round3(t.TotalMS), QueueMS: round3(t.QueueMS), CallMS: round3(t.CallMS),
		DOMMS: round3(t.DOMMS), PaintMS: round3(t.PaintMS)}
	w := a.trace
	w.lastVote.Lock()
	took, size := w.lastVote.took, w.lastVote.bytes
	w.lastVote.Unlock()
	return w.write(voteRecord{Kind: TraceKindVote, At: w.now().UTC(), VoteTiming: t, GoMS: round3(ms(took)), ReplyBytes: size})
}

// TraceStartup appends the start-up time, from the process's start to the
// moment the window reported the home screen's counts on screen; a no-op
// when tracing is off.
func (a *App) TraceStartup(t StartupTiming) error {
	if a.trace == nil {
		return nil
	}
	shown := time.UnixMicro(int64(t.ShownAtMS * 1000))
	total := ms(shown.Sub(a.trace.started))
	return a.trace.write(startupRecord{Kind: TraceKindStartup, At: a.trace.now().UTC(),
		TotalMS: round3(total), BeforePageMS: round3(total - t.PageMS), PageMS: round3(t.PageMS), LoadedMS: round3(t.LoadedMS)})
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// round3 rounds to the microsecond, so that float noise (19.000000000003638)
// does not reach the file.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// processStart returns when this process started. On Linux it is the process's
// age from /proc (to the clock tick, 10 ms) subtracted from now, so that the
// loading of the GTK and WebKit libraries before Go runs is counted;
// elsewhere it is when the package was initialised.
func processStart() time.Time {
	now := time.Now()
	age, err := processAge()
	if err != nil || age < 0 || age > now.Sub(initTime)+time.Minute {
		return initTime
	}
	return now.Add(-age)
}

var initTime = time.Now()

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Concord builds for.
const clockTicks = 100

// processAge reads the process's start (field 22 of /proc/self/stat, in
// clock ticks since boot) and the time since boot (/proc/uptime).
func processAge() (time.Duration, error) {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, err
	}
	up, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after it follow
	// its closing parenthesis, starting with field 3.
	rest := stat[bytes.LastIndexByte(stat, ')')+1:]
	fields := strings.Fields(string(rest))
	if len(fields) < 20 {
		return 0, fmt.Errorf("/proc/self/stat: %d fields after the name, want 20 or more", len(fields))
	}
	startTicks, err := strconv.ParseInt(fields[19], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("/proc/self/stat: starttime: %w", err)
	}
	upFields := strings.Fields(string(up))
	if len(upFields) == 0 {
		return 0, fmt.Errorf("/proc/uptime: empty")
	}
	uptime, err := strconv.ParseFloat(upFields[0], 64)
	if err != nil {
		return 0, fmt.Errorf("/proc/uptime: %w", err)
	}
	return time.Duration((uptime - float64(startTicks)/clockTicks) * float64(time.Second)), nil
}
