package judge

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"concord/store"
)

// BatchTask is one request of a batch run: a pairwise game (PairBatchTasks)
// or a single-answer rating (SingleBatchTasks).
type BatchTask interface {
	// CustomID names the request so its result maps back without guessing.
	CustomID() string
	// Body is the chat request, the same one a live run would send.
	Body() openai.ChatCompletionRequest
	// Outcome is what the judge's reply stores, parsed as a live run parses it.
	Outcome(reply Completion) store.BatchOutcome
}

// ---- custom_id ----

// customIDEscaper escapes the separator in model names, and the escape
// character itself, so that any name round-trips.
var customIDEscaper = strings.NewReplacer("%", "%25", "|", "%7C")

func unescapeCustomField(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "%25"):
			b.WriteByte('%')
		case strings.HasPrefix(s[i:], "%7C"):
			b.WriteByte('|')
		default:
			return "", fmt.Errorf("bad escape at %q", s[i:])
		}
		i += 2
	}
	return b.String(), nil
}

// PairCustomID names a pairwise game: question, the model shown first (A),
// the model shown second (B), turn and game, e.g. "q81|gpt-4|claude-v1|t1|g2".
// "%" and "|" in model names are written %25 and %7C.
func PairCustomID(u Unit, game int) string {
	a, b := u.Model1, u.Model2
	if game == 2 {
		a, b = b, a
	}
	return fmt.Sprintf("q%d|%s|%s|t%d|g%d", u.QuestionID, customIDEscaper.Replace(a), customIDEscaper.Replace(b), u.Turn, game)
}

// ParsePairCustomID reads a PairCustomID back into the unit (Model1 <
// Model2) and game, checking that the order matches the game.
func ParsePairCustomID(id string) (Unit, int, error) {
	f := strings.Split(id, "|")
	bad := func(why string) (Unit, int, error) {
		return Unit{}, 0, fmt.Errorf("custom_id %q: %s", id, why)
	}
	if len(f) != 5 || !strings.HasPrefix(f[0], "q") || !strings.HasPrefix(f[3], "t") || !strings.HasPrefix(f[4], "g") {
		return bad("want q<question>|<model A>|<model B>|t<turn>|g<game>")
	}
	q, err := strconv.Atoi(f[0][1:])
	if err != nil {
		return bad("question is not a number")
	}
	turn, err := strconv.Atoi(f[3][1:])
	if err != nil || turn < 1 {
		return bad("turn is not a positive number")
	}
	game, err := strconv.Atoi(f[4][1:])
	if err != nil || (game != 1 && game != 2) {
		return bad("game is not 1 or 2")
	}
	a, err := unescapeCustomField(f[1])
	if err != nil {
		return bad(err.Error())
	}
	b, err := unescapeCustomField(f[2])
	if err != nil {
		return bad(err.Error())
	}
	if a == b {
		return bad("compares a model with itself")
	}
	if (game == 1) != (a < b) {
		return bad("order of the models does not match the game")
	}
	if game == 2 {
		a, b = b, a
	}
	return Unit{QuestionID: q, Model1: a, Model2: b, Turn: turn}, game, nil
}

// ---- pairwise tasks ----

type pairBatchTask struct {
	Task
	cfg    *Config
	apiKey string
}

// CustomID implements BatchTask.
func (t pairBatchTask) CustomID() string { return PairCustomID(t.Unit, t.Game) }

// Body implements BatchTask.
func (t pairBatchTask) Body() openai.ChatCompletionRequest {
	return chatRequest(t.cfg.Model, t.cfg.Temperature, t.cfg.MaxTokens, t.Prompt.System, t.User)
}

// Outcome implements BatchTask: the game exactly as Runner stores it.
func (t pairBatchTask) Outcome(c Completion) store.BatchOutcome {
	k := t.Key()
	return store.BatchOutcome{CustomID: t.CustomID(), Key: &k, Game: gameFromReply(t.Task, c, t.apiKey)}
}

// PairBatchTasks wraps pairwise tasks for a batch with the judge's request
// settings; apiKey is scrubbed from what is stored.
func PairBatchTasks(cfg Config, apiKey string, tasks []Task) []BatchTask {
	cfg = cfg.withDefaults()
	out := make([]BatchTask, len(tasks))
	for i, t := range tasks {
		out[i] = pairBatchTask{Task: t, cfg: &cfg, apiKey: apiKey}
	}
	return out
}

// PairResolver rebuilds a pairwise batch task from its custom_id, rendering
// its prompt from the material as BuildTasks does; used to upload a recorded
// part again or store its results after a restart, holding one task at a time.
func PairResolver(cfg Config, apiKey string, m Material, set PromptSet) func(customID string) (BatchTask, error) {
	cfg = cfg.withDefaults()
	ix := m.index()
	return func(id string) (BatchTask, error) {
		u, game, err := ParsePairCustomID(id)
		if err != nil {
			return nil, err
		}
		q, ok := ix.questions[u.QuestionID]
		if !ok {
			return nil, fmt.Errorf("custom_id %s: question %d not found", id, u.QuestionID)
		}
		u.Category = q.Category
		a1, a2 := ix.answers[q.ID][u.Model1], ix.answers[q.ID][u.Model2]
		if len(a1) < u.Turn || len(a2) < u.Turn || len(q.Turns) < u.Turn {
			return nil, fmt.Errorf("custom_id %s: answer or turn missing", id)
		}
		ref := m.reference(q)
		p := set.For(q.Category, u.Turn, len(ref) >= u.Turn)
		if p == nil {
			return nil, fmt.Errorf("custom_id %s: prompt %s does not fit turn %d", id, set.Name, u.Turn)
		}
		if game == 2 {
			a1, a2 = a2, a1
		}
		user, err := p.Render(Fields{Questions: q.Turns, AnswersA: a1, AnswersB: a2, Reference: ref, Turn: u.Turn})
		if err != nil {
			return nil, fmt.Errorf("custom_id %s: %w", id, err)
		}
		return pairBatchTask{Task: Task{Unit: u, Game: game, Prompt: p, User: user}, cfg: &cfg, apiKey: apiKey}, nil
	}
}

// ---- single-answer tasks ----

// SingleCustomID names a single-answer rating: question, the rated model,
// turn and "s", e.g. "q81|gpt-4|t1|s". "%" and "|" in the model name are
// written %25 and %7C.
func SingleCustomID(questionID int, model string, turn int) string {
	return fmt.Sprintf("q%d|%s|t%d|s", questionID, customIDEscaper.Replace(model), turn)
}

// ParseSingleCustomID reads a SingleCustomID back.
func ParseSingleCustomID(id string) (questionID int, model string, turn int, err error) {
	f := strings.Split(id, "|")
	bad := func(why string) (int, string, int, error) {
		return 0, "", 0, fmt.Errorf("custom_id %q: %s", id, why)
	}
	if len(f) != 4 || !strings.HasPrefix(f[0], "q") || !strings.HasPrefix(f[2], "t") || f[3] != "s" {
		return bad("want q<question>|<model>|t<turn>|s")
	}
	if questionID, err = strconv.Atoi(f[0][1:]); err != nil {
		return bad("question is not a number")
	}
	if turn, err = strconv.Atoi(f[2][1:]); err != nil || turn < 1 {
		return bad("turn is not a positive number")
	}
	if model, err = unescapeCustomField(f[1]); err != nil {
		return bad(err.Error())
	}
	if model == "" {
		return bad("no model")
	}
	return questionID, model, turn, nil
}

type singleBatchTask struct {
	SingleTask
	cfg    *Config
	apiKey string
}

// CustomID implements BatchTask.
func (t singleBatchTask) CustomID() string { return SingleCustomID(t.QuestionID, t.Model, t.Turn) }

// Body implements BatchTask.
func (t singleBatchTask) Body() openai.ChatCompletionRequest {
	return chatRequest(t.cfg.Model, t.cfg.Temperature, t.cfg.MaxTokens, t.Prompt.System, t.User)
}

// Outcome implements BatchTask: the rating exactly as RunSingle stores it.
func (t singleBatchTask) Outcome(c Completion) store.BatchOutcome {
	r := ratingFromReply(t.SingleTask, c, "", t.apiKey)
	return store.BatchOutcome{CustomID: t.CustomID(), Rating: &r}
}

// SingleBatchTasks wraps single-answer tasks for a batch with the judge's
// request settings; apiKey is scrubbed from what is stored.
func SingleBatchTasks(cfg Config, apiKey string, tasks []SingleTask) []BatchTask {
	cfg = cfg.withDefaults()
	out := make([]BatchTask, len(tasks))
	for i, t := range tasks {
		out[i] = singleBatchTask{SingleTask: t, cfg: &cfg, apiKey: apiKey}
	}
	return out
}

// SingleResolver is PairResolver for single-answer batches: it rebuilds a
// rating's task from its custom_id, rendering its prompt as BuildSingleTasks does.
func SingleResolver(cfg Config, apiKey string, m Material, set PromptSet) func(customID string) (BatchTask, error) {
	cfg = cfg.withDefaults()
	ix := m.index()
	return func(id string) (BatchTask, error) {
		qid, model, turn, err := ParseSingleCustomID(id)
		if err != nil {
			return nil, err
		}
		q, ok := ix.questions[qid]
		if !ok {
			return nil, fmt.Errorf("custom_id %s: question %d not found", id, qid)
		}
		a := ix.answers[q.ID][model]
		if len(a) < turn || len(q.Turns) < turn {
			return nil, fmt.Errorf("custom_id %s: answer or turn missing", id)
		}
		ref := m.reference(q)
		p := set.For(q.Category, turn, len(ref) >= turn)
		if p == nil {
			return nil, fmt.Errorf("custom_id %s: prompt %s does not fit turn %d", id, set.Name, turn)
		}
		user, err := p.Render(Fields{Questions: q.Turns, Answers: a, Reference: ref, Turn: turn})
		if err != nil {
			return nil, fmt.Errorf("custom_id %s: %w", id, err)
		}
		t := SingleTask{QuestionID: q.ID, Category: q.Category, Model: model, Turn: turn, Prompt: p, User: user}
		return singleBatchTask{SingleTask: t, cfg: &cfg, apiKey: apiKey}, nil
	}
}

// ---- request files ----

// BatchLimits bound one batch: OpenAI takes at most 50,000 requests and
// 200 MB per batch input file.
type BatchLimits struct {
	MaxRequests int // default 50,000
	MaxBytes    int // default 190 MB (under the API's 200 MB)
}

// Default batch limits.
const (
	DefaultBatchMaxRequests = 50_000
	DefaultBatchMaxBytes    = 190 << 20
)

func (l BatchLimits) withDefaults() BatchLimits {
	if l.MaxRequests <= 0 {
		l.MaxRequests = DefaultBatchMaxRequests
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultBatchMaxBytes
	}
	return l
}

// BatchLine is one line of a request file, without its newline.
func BatchLine(t BatchTask) ([]byte, error) {
	b, err := json.Marshal(openai.BatchChatCompletionRequest{CustomID: t.CustomID(), Body: t.Body(),
		Method: http.MethodPost, URL: openai.BatchEndpointChatCompletions})
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", t.CustomID(), err)
	}
	return b, nil
}

// SplitBatch cuts tasks into parts of at most MaxRequests lines and MaxBytes
// bytes (newlines included), in order, and returns each part's custom_ids.
// A single line larger than MaxBytes is an error naming it.
func SplitBatch(tasks []BatchTask, limits BatchLimits) ([][]string, error) {
	limits = limits.withDefaults()
	var parts [][]string
	var cur []string
	size := 0
	for _, t := range tasks {
		line, err := BatchLine(t)
		if err != nil {
			return nil, err
		}
		n := len(line) + 1
		if n > limits.MaxBytes {
			return nil, fmt.Errorf("request %s is %d bytes, over the batch file limit of %d", t.CustomID(), n, limits.MaxBytes)
		}
		if len(cur) > 0 && (len(cur) >= limits.MaxRequests || size+n > limits.MaxBytes) {
			parts = append(parts, cur)
			cur, size = nil, 0
		}
		cur = append(cur, t.CustomID())
		size += n
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	return parts, nil
}

// ---- the batcher ----

// BatchAPI is the part of the OpenAI API a batch run uses (*openai.Client).
type BatchAPI interface {
	CreateFileBytes(ctx context.Context, req openai.FileBytesRequest) (openai.File, error)
	CreateBatch(ctx context.Context, req openai.CreateBatchRequest) (openai.BatchResponse, error)
	RetrieveBatch(ctx context.Context, id string) (openai.BatchResponse, error)
	CancelBatch(ctx context.Context, id string) (openai.BatchResponse, error)
	ListBatch(ctx context.Context, after *string, limit *int) (openai.ListBatchResponse, error)
	GetFileContent(ctx context.Context, fileID string) (openai.RawResponse, error)
}

// NewBatchAPI is the go-openai client for cfg's server (OpenAI, Azure or compatible).
func NewBatchAPI(cfg ClientConfig) BatchAPI {
	return openai.NewClientWithConfig(openaiConfig(cfg))
}

// BatchStore is what a batch run needs from persistence (*store.Store).
type BatchStore interface {
	CreateBatch(ctx context.Context, rec store.BatchRecord, customIDs []string) (int64, error)
	UpdateBatch(ctx context.Context, id int64, u store.BatchUpdate) error
	Batches(ctx context.Context, open bool) ([]store.BatchRecord, error)
	BatchLines(ctx context.Context, batchID int64, state string) ([]store.BatchLine, error)
	SaveBatchOutcomes(ctx context.Context, batchID, judgeID int64, outs []store.BatchOutcome) (store.BatchSaveReport, error)
}

// Resolver rebuilds a recorded batch's tasks by custom_id (from its RunJSON).
type Resolver func(customID string) (BatchTask, error)

// Batcher hands requests to a provider's Batch API and stores the results.
// Every step is recorded before the next is taken, so a Batcher dropped at
// any point (a killed process) is replaced by a new one that finishes the
// work: Submit records the parts; Run uploads, creates, polls and ingests
// every open batch.
type Batcher struct {
	API    BatchAPI
	Store  BatchStore
	APIKey string // scrubbed from everything stored or reported
	Limits BatchLimits
	// Open rebuilds the tasks of a recorded batch (Run calls it once per batch).
	Open func(rec store.BatchRecord) (Resolver, error)
	// Poll is the first wait between status checks, doubled while nothing
	// changes up to MaxPoll; defaults 10s and 5 minutes.
	Poll, MaxPoll time.Duration
	// Sleep waits (tests move a fake clock instead); default a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// ChunkLines is the number of result lines stored per transaction; default 500.
	ChunkLines int
	// OnChange, if set, is called with the open batches after each round.
	OnChange func([]store.BatchRecord)
	// Log, if set, receives one line per notable event, scrubbed.
	Log func(string)
	// Judge, if set, limits Run to this judge's batches.
	JudgeID int64
}

// Terminal provider statuses: nothing more will change.
func batchDone(status string) bool {
	switch status {
	case "completed", "failed", "expired", "cancelled":
		return true
	}
	return false
}

func (b *Batcher) log(format string, args ...any) {
	if b.Log != nil {
		b.Log(Scrub(fmt.Sprintf(format, args...), b.APIKey))
	}
}

func (b *Batcher) apiErr(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("batch: %s: %w", what, ctx.Err())
	}
	return fmt.Errorf("batch: %s: %w", what, classify(ctx, err, 0, b.APIKey))
}

// Submit records tasks as batch parts (split at the limits), lines and all,
// in the database; nothing is sent (Run sends). Tasks already in an open
// batch of the judge are refused by the store. It returns the parts' ids.
func (b *Batcher) Submit(ctx context.Context, rec store.BatchRecord, tasks []BatchTask) ([]int64, error) {
	parts, err := SplitBatch(tasks, b.Limits)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, p := range parts {
		var nonce [12]byte
		rand.Read(nonce[:])
		r := rec
		r.Nonce = hex.EncodeToString(nonce[:])
		id, err := b.Store.CreateBatch(ctx, r, p)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Run takes every open batch to the end: uploads recorded parts, creates
// their provider batches, polls with backoff and stores the results. It
// returns when no batch is open, or with ctx's error (everything done so far
// is recorded; a new Run carries on).
func (b *Batcher) Run(ctx context.Context) error { return b.run(ctx, false) }

// Refresh takes every open batch as far as it goes now (uploading, creating,
// checking each status once and storing finished results) without waiting.
func (b *Batcher) Refresh(ctx context.Context) error { return b.run(ctx, true) }

func (b *Batcher) run(ctx context.Context, once bool) error {
	poll, maxPoll := b.Poll, b.MaxPoll
	if poll <= 0 {
		poll = 10 * time.Second
	}
	if maxPoll <= 0 {
		maxPoll = 5 * time.Minute
	}
	sleep := b.Sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	resolvers := map[int64]Resolver{}
	delay := poll
	for {
		recs, err := b.open(ctx)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return nil
		}
		changed := false
		for _, rec := range recs {
			res, ok := resolvers[rec.ID]
			if !ok {
				if res, err = b.Open(rec); err != nil {
					return fmt.Errorf("batch %d: rebuild its requests: %w", rec.ID, err)
				}
				resolvers[rec.ID] = res
			}
			c, err := b.step(ctx, rec, res)
			var re *RequestError
			if err != nil && ctx.Err() == nil && errors.As(err, &re) && re.Kind == KindTransient {
				// A 429, a 5xx or a dropped connection: try again after the next wait.
				b.log("batch %d: %s; trying again later", rec.ID, err)
				continue
			}
			if err != nil {
				return err
			}
			changed = changed || c
		}
		if b.OnChange != nil {
			if recs, err := b.open(ctx); err == nil {
				b.OnChange(recs)
			}
		}
		if changed {
			delay = poll
			continue // take the next step at once
		}
		if once {
			return nil
		}
		if err := sleep(ctx, delay); err != nil {
			return err
		}
		delay = min(2*delay, maxPoll)
	}
}

func (b *Batcher) open(ctx context.Context) ([]store.BatchRecord, error) {
	recs, err := b.Store.Batches(ctx, true)
	if err != nil {
		return nil, err
	}
	if b.JudgeID == 0 {
		return recs, nil
	}
	out := recs[:0]
	for _, r := range recs {
		if r.JudgeID == b.JudgeID {
			out = append(out, r)
		}
	}
	return out, nil
}

// step takes one batch one step further and reports whether anything changed.
func (b *Batcher) step(ctx context.Context, rec store.BatchRecord, res Resolver) (bool, error) {
	switch {
	case rec.RemoteID == "" && rec.Status == "cancelled":
		// Cancelled before it was sent: its lines are listed as failed.
		return true, b.ingest(ctx, rec, store.BatchUpdate{Status: "cancelled"}, res)
	case rec.FileID == "":
		return true, b.upload(ctx, rec, res)
	case rec.RemoteID == "":
		return true, b.create(ctx, rec)
	}
	r, err := b.API.RetrieveBatch(ctx, rec.RemoteID)
	if err != nil {
		return false, b.apiErr(ctx, "status of "+rec.RemoteID, err)
	}
	u := store.BatchUpdate{Status: r.Status, Completed: r.RequestCounts.Completed, Failed: r.RequestCounts.Failed}
	if r.OutputFileID != nil {
		u.OutputFile = *r.OutputFileID
	}
	if r.ErrorFileID != nil {
		u.ErrorFile = *r.ErrorFileID
	}
	if r.Errors != nil && len(r.Errors.Data) > 0 {
		var msgs []string
		for _, e := range r.Errors.Data {
			msgs = append(msgs, e.Code+": "+e.Message)
		}
		u.Error = Scrub(strings.Join(msgs, "; "), b.APIKey)
	}
	changed := r.Status != rec.Status || u.Completed != rec.Completed || u.Failed != rec.Failed
	if err := b.Store.UpdateBatch(ctx, rec.ID, u); err != nil {
		return false, err
	}
	if !batchDone(r.Status) {
		return changed, nil
	}
	b.log("batch %d (%s) %s: %d completed, %d failed; storing results", rec.ID, rec.RemoteID, r.Status, u.Completed, u.Failed)
	return true, b.ingest(ctx, rec, u, res)
}

// upload sends a recorded part's request file and records its id.
func (b *Batcher) upload(ctx context.Context, rec store.BatchRecord, res Resolver) error {
	lines, err := b.Store.BatchLines(ctx, rec.ID, "")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, l := range lines {
		t, err := res(l.CustomID)
		if err != nil {
			return fmt.Errorf("batch %d: %w", rec.ID, err)
		}
		line, err := BatchLine(t)
		if err != nil {
			return err
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	f, err := b.API.CreateFileBytes(ctx, openai.FileBytesRequest{Name: fmt.Sprintf("concord-batch-%d.jsonl", rec.ID),
		Bytes: buf.Bytes(), Purpose: openai.PurposeBatch})
	if err != nil {
		return b.apiErr(ctx, "upload", err)
	}
	b.log("batch %d: uploaded %d requests (%d bytes) as %s", rec.ID, len(lines), buf.Len(), f.ID)
	return b.Store.UpdateBatch(context.WithoutCancel(ctx), rec.ID, store.BatchUpdate{FileID: f.ID, Status: "uploaded"})
}

const nonceKey = "concord_batch"

// create makes the provider batch from an uploaded file, unless a crash came
// after the provider made it and before its id was recorded: the batch
// carrying this part's nonce is then taken instead of making a second one.
func (b *Batcher) create(ctx context.Context, rec store.BatchRecord) error {
	limit := 100
	list, err := b.API.ListBatch(ctx, nil, &limit)
	if err != nil {
		return b.apiErr(ctx, "list batches", err)
	}
	for _, x := range list.Data {
		if v, _ := x.Metadata[nonceKey].(string); v == rec.Nonce {
			b.log("batch %d: found %s made before a restart", rec.ID, x.ID)
			return b.Store.UpdateBatch(context.WithoutCancel(ctx), rec.ID, store.BatchUpdate{RemoteID: x.ID, Status: x.Status})
		}
	}
	r, err := b.API.CreateBatch(ctx, openai.CreateBatchRequest{InputFileID: rec.FileID, Endpoint: openai.BatchEndpointChatCompletions,
		CompletionWindow: "24h", Metadata: map[string]any{nonceKey: rec.Nonce}})
	if err != nil {
		return b.apiErr(ctx, "create", err)
	}
	b.log("batch %d: created %s", rec.ID, r.ID)
	return b.Store.UpdateBatch(context.WithoutCancel(ctx), rec.ID, store.BatchUpdate{RemoteID: r.ID, Status: r.Status})
}

// resultLine is one line of a batch's output or error file.
type resultLine struct {
	CustomID string `json:"custom_id"`
	Response *struct {
		StatusCode int             `json:"status_code"`
		Body       json.RawMessage `json:"body"`
	} `json:"response"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// ingest stores a finished batch's output and error files, a chunk of lines
// per transaction, then marks lines without a result failed and the batch
// ingested. A restart in the middle reads the files again: lines already
// stored are skipped by the store.
func (b *Batcher) ingest(ctx context.Context, rec store.BatchRecord, u store.BatchUpdate, res Resolver) error {
	for _, f := range []string{u.OutputFile, u.ErrorFile} {
		if f == "" {
			continue
		}
		if err := b.ingestFile(ctx, rec, f, res); err != nil {
			return err
		}
	}
	// Lines the provider never answered (a failed or cancelled batch).
	lines, err := b.Store.BatchLines(ctx, rec.ID, store.LineSent)
	if err != nil {
		return err
	}
	why := "batch " + u.Status
	if u.Error != "" {
		why += ": " + u.Error
	}
	outs := make([]store.BatchOutcome, 0, len(lines))
	for _, l := range lines {
		outs = append(outs, store.BatchOutcome{CustomID: l.CustomID, LineError: why})
	}
	if _, err := b.Store.SaveBatchOutcomes(ctx, rec.ID, rec.JudgeID, outs); err != nil {
		return err
	}
	return b.Store.UpdateBatch(ctx, rec.ID, store.BatchUpdate{Ingested: true})
}

func (b *Batcher) ingestFile(ctx context.Context, rec store.BatchRecord, fileID string, res Resolver) error {
	body, err := b.API.GetFileContent(ctx, fileID)
	if err != nil {
		return b.apiErr(ctx, "download "+fileID, err)
	}
	defer body.Close()
	chunk := b.ChunkLines
	if chunk <= 0 {
		chunk = 500
	}
	outs := make([]store.BatchOutcome, 0, chunk)
	var total store.BatchSaveReport
	flush := func() error {
		if len(outs) == 0 {
			return nil
		}
		r, err := b.Store.SaveBatchOutcomes(ctx, rec.ID, rec.JudgeID, outs)
		if err != nil {
			return err
		}
		total.Stored += r.Stored
		total.Duplicates += r.Duplicates
		total.Foreign += r.Foreign
		outs = outs[:0]
		return nil
	}
	rd := bufio.NewReaderSize(body, 1<<16)
	for n := 1; ; n++ {
		raw, err := rd.ReadBytes('\n')
		if len(bytes.TrimSpace(raw)) > 0 {
			o, perr := b.outcome(raw, res)
			if perr != nil {
				return fmt.Errorf("batch %d: file %s:%d: %w", rec.ID, fileID, n, perr)
			}
			outs = append(outs, o)
			if len(outs) == chunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return b.apiErr(ctx, "download "+fileID, err)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if total.Duplicates > 0 || total.Foreign > 0 {
		b.log("batch %d: file %s: %d results stored, %d duplicates and %d foreign lines refused", rec.ID, fileID,
			total.Stored, total.Duplicates, total.Foreign)
	}
	return nil
}

// outcome reads one result line; a line whose custom_id is not ours is
// returned as it is, for the store to refuse.
func (b *Batcher) outcome(raw []byte, res Resolver) (store.BatchOutcome, error) {
	var l resultLine
	if err := json.Unmarshal(raw, &l); err != nil {
		return store.BatchOutcome{}, fmt.Errorf("not a batch result line: %w", err)
	}
	if l.CustomID == "" {
		return store.BatchOutcome{}, errors.New("field custom_id: missing")
	}
	o := store.BatchOutcome{CustomID: l.CustomID}
	switch {
	case l.Error != nil:
		o.LineError = clip(scrubError(l.Error.Code+": "+l.Error.Message, b.APIKey))
	case l.Response == nil:
		o.LineError = "no response"
	case l.Response.StatusCode != http.StatusOK:
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		json.Unmarshal(l.Response.Body, &e)
		o.LineError = clip(scrubError(fmt.Sprintf("status %d: %s", l.Response.StatusCode, e.Error.Message), b.APIKey))
	default:
		var cr openai.ChatCompletionResponse
		if err := json.Unmarshal(l.Response.Body, &cr); err != nil {
			o.LineError = "undecodable response: " + clip(err.Error())
			break
		}
		if len(cr.Choices) == 0 {
			o.LineError = "response has no choices"
			break
		}
		t, err := res(l.CustomID)
		if err != nil {
			o.LineError = clip(err.Error())
			break
		}
		c := Completion{Text: Scrub(cr.Choices[0].Message.Content, b.APIKey), TokensIn: cr.Usage.PromptTokens,
			TokensOut: cr.Usage.CompletionTokens}
		o = t.Outcome(c)
		o.CustomID = l.CustomID
	}
	return o, nil
}

// Cancel asks the provider to cancel every open batch (of JudgeID, when
// set); batches not yet created are marked cancelled. Run then stores what
// the cancelled batches had finished.
func (b *Batcher) Cancel(ctx context.Context) error {
	recs, err := b.open(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, rec := range recs {
		if rec.RemoteID == "" {
			errs = append(errs, b.Store.UpdateBatch(ctx, rec.ID, store.BatchUpdate{Status: "cancelled"}))
			continue
		}
		if batchDone(rec.Status) {
			continue
		}
		r, err := b.API.CancelBatch(ctx, rec.RemoteID)
		if err != nil {
			errs = append(errs, b.apiErr(ctx, "cancel "+rec.RemoteID, err))
			continue
		}
		errs = append(errs, b.Store.UpdateBatch(ctx, rec.ID, store.BatchUpdate{Status: r.Status}))
	}
	return errors.Join(errs...)
}
