package judge_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"concord/judge"
	"concord/store"
)

// streamingBatchAPI is a files and batches server that keeps nothing of
// what it is sent (so it does not weigh on the process's memory) and streams
// each batch's output from the batch's lines in the store: every batch is
// "in_progress" until complete is set, then "completed".
type streamingBatchAPI struct {
	st       *store.Store
	complete atomic.Bool
	uploaded atomic.Int64 // bytes
	mu       sync.Mutex
	n        int
	local    map[string]int64 // provider batch id -> local batch id (by upload order)
	files    []int64          // uploaded file index -> local batch id
}

func (s *streamingBatchAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	p := r.URL.Path
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	switch {
	case r.Method == "POST" && p == "/v1/files":
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		name := ""
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FormName() == "file" {
				name = part.FileName()
				k, _ := io.Copy(io.Discard, part)
				s.uploaded.Add(k)
			}
		}
		var local int64
		fmt.Sscanf(name, "concord-batch-%d.jsonl", &local)
		fmt.Fprintf(w, `{"id":"file-%d","object":"file","purpose":"batch","filename":%q}`, local, name)
	case r.Method == "GET" && p == "/v1/batches":
		fmt.Fprint(w, `{"object":"list","data":[]}`)
	case r.Method == "POST" && p == "/v1/batches":
		var req struct {
			InputFileID string `json:"input_file_id"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		fmt.Fprintf(w, `{"id":"batch-%s","status":"validating"}`, strings.TrimPrefix(req.InputFileID, "file-"))
	case r.Method == "GET" && strings.HasPrefix(p, "/v1/batches/"):
		id := strings.TrimPrefix(p, "/v1/batches/batch-")
		if s.complete.Load() {
			fmt.Fprintf(w, `{"id":"batch-%s","status":"completed","output_file_id":"out-%s"}`, id, id)
		} else {
			fmt.Fprintf(w, `{"id":"batch-%s","status":"in_progress"}`, id)
		}
	case r.Method == "GET" && strings.HasPrefix(p, "/v1/files/out-"):
		var local int64
		fmt.Sscanf(p, "/v1/files/out-%d/content", &local)
		rows, err := s.st.Read().QueryContext(r.Context(), `SELECT custom_id FROM batch_lines WHERE batch_id = ?`, local)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer rows.Close()
		bw := bufio.NewWriter(w)
		for rows.Next() {
			var id string
			rows.Scan(&id)
			fmt.Fprintf(bw, `{"id":"r%d","custom_id":%q,"response":{"status_code":200,"body":{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Assistant A is more helpful and more accurate on the details the user asked for, while B misses a step.\n[[A]]"}}],"usage":{"prompt_tokens":400,"completion_tokens":30}}},"error":null}`+"\n", n, id)
		}
		bw.Flush()
	default:
		http.NotFound(w, r)
	}
}

// peakHeap samples the live heap every few milliseconds until stopped.
func peakHeap() (stop func() uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-t.C:
			case <-done:
				return
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// batchBenchRig is a store with games×... fixture: questions x 10 pairs (5
// models) x 2 turns x 2 orders = 40 games per question.
func batchBenchRig(b *testing.B, games int) (*store.Store, *streamingBatchAPI, *judge.Batcher, []judge.Task) {
	st, _ := mustOpen(b)
	writeFixture(b, st, games/40, []string{"m1", "m2", "m3", "m4", "m5"})
	tasks := tasksFor(b, st, judge.Selection{})
	if len(tasks) != games {
		b.Fatalf("%d tasks, want %d", len(tasks), games)
	}
	api := &streamingBatchAPI{st: st}
	srv := httptest.NewServer(api)
	b.Cleanup(srv.Close)
	ctx := context.Background()
	qs, _ := st.Questions(ctx)
	as, _ := st.Answers(ctx)
	cfg := batchCfg(srv.URL)
	res := judge.PairResolver(cfg, testKey, judge.Material{Questions: qs, Answers: as}, judge.ConcordSet)
	bt := &judge.Batcher{API: judge.NewBatchAPI(judge.ClientConfig{BaseURL: cfg.BaseURL, APIKey: testKey}), Store: st, APIKey: testKey,
		Open: func(store.BatchRecord) (judge.Resolver, error) { return res, nil }}
	return st, api, bt, tasks
}

// BenchmarkBatchSubmit records and uploads the request files of a run of
// 10,000 and 100,000 games and creates the batches: games/s and the peak
// heap during the step, beyond the tasks the planner holds. go-openai holds
// a whole request file (twice: the file and its multipart form) while it
// uploads, so the peak follows the part size (default 50,000 requests, here
// about 75 MB), not the run's: the last case cuts the parts at 16 MiB.
// Run with -benchtime=1x.
func BenchmarkBatchSubmit(b *testing.B) {
	for _, c := range []struct {
		games int
		limit judge.BatchLimits
	}{{10_000, judge.BatchLimits{}}, {100_000, judge.BatchLimits{}}, {100_000, judge.BatchLimits{MaxBytes: 16 << 20}}} {
		games := c.games
		b.Run(fmt.Sprintf("games=%d/part-MiB=%d", games, c.limit.MaxBytes>>20), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				st, api, bt, tasks := batchBenchRig(b, games)
				ctx := context.Background()
				jid, err := st.EnsureJudge(ctx, judge.Spec(batchCfg(""), judge.ConcordSet))
				if err != nil {
					b.Fatal(err)
				}
				bts := judge.PairBatchTasks(batchCfg(""), testKey, tasks)
				bt.Limits = c.limit
				stop := peakHeap()
				base := stop()
				stop = peakHeap()
				b.StartTimer()
				start := time.Now()
				if _, err := bt.Submit(ctx, store.BatchRecord{JudgeID: jid, RunJSON: "{}"}, bts); err != nil {
					b.Fatal(err)
				}
				if err := bt.Refresh(ctx); err != nil {
					b.Fatal(err)
				}
				el := time.Since(start)
				b.StopTimer()
				peak := stop()
				recs, _ := st.Batches(ctx, true)
				for _, r := range recs {
					if r.RemoteID == "" {
						b.Fatalf("batch %d not created: %+v", r.ID, r)
					}
				}
				b.ReportMetric(float64(games)/el.Seconds(), "games/s")
				b.ReportMetric(float64(api.uploaded.Load())/float64(games), "B/game")
				b.ReportMetric(float64(len(recs)), "parts")
				b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "peak-MiB")
			}
		})
	}
}

// BenchmarkBatchIngest downloads and stores the results of 10,000 and
// 100,000 games (parsed with ParseVerdict, saved as a live run saves them):
// rows/s and the peak live heap while storing. Run with -benchtime=1x.
func BenchmarkBatchIngest(b *testing.B) {
	for _, games := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("games=%d", games), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				st, api, bt, tasks := batchBenchRig(b, games)
				ctx := context.Background()
				jid, err := st.EnsureJudge(ctx, judge.Spec(batchCfg(""), judge.ConcordSet))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := bt.Submit(ctx, store.BatchRecord{JudgeID: jid, RunJSON: "{}"}, judge.PairBatchTasks(batchCfg(""), testKey, tasks)); err != nil {
					b.Fatal(err)
				}
				if err := bt.Refresh(ctx); err != nil {
					b.Fatal(err)
				}
				tasks = nil
				api.complete.Store(true)
				stop := peakHeap()
				base := stop()
				stop = peakHeap()
				b.StartTimer()
				start := time.Now()
				if err := bt.Refresh(ctx); err != nil {
					b.Fatal(err)
				}
				el := time.Since(start)
				b.StopTimer()
				peak := stop()
				recs, _ := st.Batches(ctx, false)
				stored := 0
				for _, r := range recs {
					stored += r.Stored
				}
				if stored != games {
					b.Fatalf("%d results stored, want %d", stored, games)
				}
				b.ReportMetric(float64(games)/el.Seconds(), "rows/s")
				b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "peak-MiB")
			}
		})
	}
}
