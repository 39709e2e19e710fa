package judge_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// fakeBatches adds OpenAI's /v1/files and /v1/batches to a fakeServer. A
// batch is "validating" for validateFor, then "in_progress" for runFor, then
// ends; time is the fake's clock, which only the test moves (advance). When a
// batch ends, each line is answered by the server's decide function, as a
// live request would be.
type fakeBatches struct {
	mu      sync.Mutex
	now     time.Time
	files   map[string][]byte
	batches map[string]*fakeBatch
	order   []string
	nextID  int
	calls   map[string]int // "POST /v1/files" etc.

	validateFor, runFor time.Duration
	// Switches, set by a test before the batch ends.
	failLine  func(customID string) bool // these lines go to the error file (code server_error)
	expire    bool                       // the batch expires: half its lines answered, the rest in the error file (batch_expired)
	failBatch bool                       // the batch fails validation: no output at all
	failNext  int                        // the next failNext requests get a 500 (nothing done)
	// hook runs after a request to a files or batches endpoint was answered.
	hook func(method, path string)
	// drop, when it returns true, makes the server act on a request but
	// close the connection instead of answering (a crash before the reply).
	drop func(method, path string) bool
}

type fakeBatch struct {
	obj     map[string]any
	input   string
	created time.Time
	cancel  bool
	done    bool
}

func (f *fakeServer) enableBatches() *fakeBatches {
	b := &fakeBatches{now: time.Unix(1_700_000_000, 0), files: map[string][]byte{}, batches: map[string]*fakeBatch{},
		calls: map[string]int{}, validateFor: time.Minute, runFor: 10 * time.Minute}
	f.batch = b
	return b
}

// with changes the fake's switches while no request reads them.
func (b *fakeBatches) with(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f()
}

func (b *fakeBatches) advance(d time.Duration) {
	b.mu.Lock()
	b.now = b.now.Add(d)
	b.mu.Unlock()
}

func (b *fakeBatches) count(call string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[call]
}

func (b *fakeBatches) status(id string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if fb := b.batches[id]; fb != nil {
		return fb.obj["status"].(string)
	}
	return ""
}

func (b *fakeBatches) id(prefix string) string {
	b.nextID++
	return fmt.Sprintf("%s-%d", prefix, b.nextID)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error"}})
}

// serveBatch handles /v1/files and /v1/batches; false for any other path.
func (f *fakeServer) serveBatch(w http.ResponseWriter, r *http.Request) bool {
	b := f.batch
	p := r.URL.Path
	if b == nil || !(strings.HasPrefix(p, "/v1/files") || strings.HasPrefix(p, "/v1/batches")) {
		return false
	}
	rec := httptest.NewRecorder()
	f.batchAPI(rec, r)
	b.mu.Lock()
	drop := b.drop
	b.mu.Unlock()
	if drop != nil && drop(r.Method, p) {
		panic(http.ErrAbortHandler)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
	return true
}

func (f *fakeServer) batchAPI(w http.ResponseWriter, r *http.Request) {
	b := f.batch
	p := r.URL.Path
	call := r.Method + " " + p
	if i := strings.Index(p[len("/v1/"):], "/"); i >= 0 {
		rest := p[len("/v1/")+i+1:]
		call = r.Method + " " + p[:len("/v1/")+i] + "/{id}"
		if strings.HasSuffix(rest, "/content") || strings.HasSuffix(rest, "/cancel") {
			call += rest[strings.LastIndex(rest, "/"):]
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		apiError(w, http.StatusUnauthorized, "bad key")
		return
	}
	b.mu.Lock()
	b.calls[call]++
	if b.failNext > 0 {
		b.failNext--
		b.mu.Unlock()
		apiError(w, http.StatusInternalServerError, "the fake is overloaded")
		return
	}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		hook := b.hook
		b.mu.Unlock()
		if hook != nil {
			hook(r.Method, p)
		}
	}()
	switch call {
	case "POST /v1/files":
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			apiError(w, http.StatusBadRequest, err.Error())
			return
		}
		file, hdr, err := r.FormFile("file")
		if err != nil || r.FormValue("purpose") != "batch" {
			apiError(w, http.StatusBadRequest, "want a file with purpose batch")
			return
		}
		data, _ := io.ReadAll(file)
		b.mu.Lock()
		id := b.id("file")
		b.files[id] = data
		b.mu.Unlock()
		writeJSON(w, 200, map[string]any{"id": id, "object": "file", "bytes": len(data), "filename": hdr.Filename, "purpose": "batch"})
	case "GET /v1/files/{id}/content":
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/v1/files/"), "/content")
		b.mu.Lock()
		data, ok := b.files[id]
		b.mu.Unlock()
		if !ok {
			apiError(w, http.StatusNotFound, "no file "+id)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(data)
	case "POST /v1/batches":
		var req struct {
			InputFileID      string         `json:"input_file_id"`
			Endpoint         string         `json:"endpoint"`
			CompletionWindow string         `json:"completion_window"`
			Metadata         map[string]any `json:"metadata"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Endpoint != "/v1/chat/completions" {
			apiError(w, http.StatusBadRequest, "bad batch request")
			return
		}
		b.mu.Lock()
		data, ok := b.files[req.InputFileID]
		if !ok {
			b.mu.Unlock()
			apiError(w, http.StatusBadRequest, "no input file "+req.InputFileID)
			return
		}
		id := b.id("batch")
		fb := &fakeBatch{input: string(data), created: b.now, obj: map[string]any{"id": id, "object": "batch",
			"endpoint": req.Endpoint, "input_file_id": req.InputFileID, "completion_window": req.CompletionWindow,
			"status": "validating", "created_at": b.now.Unix(), "metadata": req.Metadata,
			"request_counts": map[string]any{"total": strings.Count(string(data), "\n") + 1, "completed": 0, "failed": 0}}}
		b.batches[id] = fb
		b.order = append(b.order, id)
		obj := fb.obj
		b.mu.Unlock()
		writeJSON(w, 200, obj)
	case "GET /v1/batches":
		b.mu.Lock()
		var data []any
		for i := len(b.order) - 1; i >= 0; i-- {
			data = append(data, f.advanceBatch(b.batches[b.order[i]]))
		}
		b.mu.Unlock()
		writeJSON(w, 200, map[string]any{"object": "list", "data": data, "has_more": false})
	case "GET /v1/batches/{id}", "POST /v1/batches/{id}/cancel":
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/v1/batches/"), "/cancel")
		b.mu.Lock()
		fb, ok := b.batches[id]
		if ok && strings.HasSuffix(p, "/cancel") {
			fb.cancel = true
		}
		var obj map[string]any
		if ok {
			obj = f.advanceBatch(fb)
		}
		b.mu.Unlock()
		if !ok {
			apiError(w, http.StatusNotFound, "no batch "+id)
			return
		}
		writeJSON(w, 200, obj)
	default:
		http.NotFound(w, r)
	}
}

// advanceBatch brings a batch's state up to the fake's clock (b.mu held).
func (f *fakeServer) advanceBatch(fb *fakeBatch) map[string]any {
	b := f.batch
	if fb.done {
		return fb.obj
	}
	el := b.now.Sub(fb.created)
	switch {
	case fb.cancel:
		fb.obj["status"], fb.done = "cancelled", true
		fb.obj["cancelled_at"] = b.now.Unix()
		return fb.obj
	case el < b.validateFor:
		return fb.obj
	case b.failBatch:
		fb.obj["status"], fb.done = "failed", true
		fb.obj["errors"] = map[string]any{"object": "list", "data": []any{map[string]any{"code": "invalid_request", "message": "the fake refused the file", "line": 1}}}
		return fb.obj
	case el < b.validateFor+b.runFor:
		fb.obj["status"] = "in_progress"
		return fb.obj
	}
	// The batch ends: answer its lines.
	var out, errs bytes.Buffer
	completed, failed, n := 0, 0, 0
	sc := bufio.NewScanner(strings.NewReader(fb.input))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	lines := strings.Count(fb.input, "\n") + 1
	for sc.Scan() {
		var line struct {
			CustomID string `json:"custom_id"`
			Body     struct {
				Messages []struct{ Role, Content string }
			} `json:"body"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || len(line.Body.Messages) != 2 {
			panic(fmt.Sprintf("fake batch: bad input line %q", sc.Text()))
		}
		n++
		id := b.id("batch_req")
		if b.expire && n > lines/2 {
			failed++
			json.NewEncoder(&errs).Encode(map[string]any{"id": id, "custom_id": line.CustomID, "response": nil,
				"error": map[string]any{"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}})
			continue
		}
		if b.failLine != nil && b.failLine(line.CustomID) {
			failed++
			json.NewEncoder(&errs).Encode(map[string]any{"id": id, "custom_id": line.CustomID, "response": nil,
				"error": map[string]any{"code": "server_error", "message": "the fake failed this line"}})
			continue
		}
		user := line.Body.Messages[1].Content
		f.mu.Lock()
		attempt := len(f.seen[user])
		f.seen[user] = append(f.seen[user], time.Now())
		f.total++
		f.mu.Unlock()
		rep := f.decide(user, attempt)
		rep.text = strings.ReplaceAll(rep.text, "$AUTH", "Bearer "+testKey) // as a careless server might echo it
		status := rep.status
		if status == 0 {
			status = 200
		}
		var body any = map[string]any{"id": "cmpl-" + id, "object": "chat.completion", "model": "fake",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": rep.text}}},
			"usage":   map[string]any{"prompt_tokens": len(user) / 4, "completion_tokens": len(rep.text) / 4}}
		if rep.body != "" {
			body = json.RawMessage(rep.body)
		}
		if status == 200 {
			completed++
		} else {
			failed++
		}
		json.NewEncoder(&out).Encode(map[string]any{"id": id, "custom_id": line.CustomID,
			"response": map[string]any{"status_code": status, "request_id": "req-" + id, "body": body}, "error": nil})
	}
	status := "completed"
	if b.expire {
		status = "expired"
	}
	fb.obj["status"], fb.done = status, true
	fb.obj["request_counts"] = map[string]any{"total": n, "completed": completed, "failed": failed}
	if out.Len() > 0 {
		id := b.id("file")
		b.files[id] = out.Bytes()
		fb.obj["output_file_id"] = id
	}
	if errs.Len() > 0 {
		id := b.id("file")
		b.files[id] = errs.Bytes()
		fb.obj["error_file_id"] = id
	}
	return fb.obj
}
