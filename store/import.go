package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"concord/store/outcome"
)

// Kind is what an input file holds.
type Kind string

// The kinds of file Import understands, in the order they are applied.
const (
	KindQuestions  Kind = "questions"
	KindPrompts    Kind = "judge_prompts"
	KindAnswers    Kind = "model_answers"
	KindReferences Kind = "reference_answers"
	KindJudgments  Kind = "pair_judgments"
	KindVotes      Kind = "human_judgments"
)

var kindOrder = map[Kind]int{KindQuestions: 0, KindPrompts: 1, KindAnswers: 2, KindReferences: 2, KindJudgments: 3, KindVotes: 3}

// ImportOptions controls an import.
type ImportOptions struct {
	// Replace overwrites records whose key exists with different content
	// instead of failing.
	Replace bool
	// Progress, when set, is called as files are read.
	Progress func(ImportProgress)
}

// ImportProgress reports how far an import has got.
type ImportProgress struct {
	File       string `json:"file"`
	Kind       Kind   `json:"kind"`
	Records    int    `json:"records"`
	DoneFiles  int    `json:"done_files"`
	TotalFiles int    `json:"total_files"`
}

// FileReport is what one file contributed.
type FileReport struct {
	Path      string `json:"path"`
	Kind      Kind   `json:"kind"`
	Records   int    `json:"records"`
	Added     int    `json:"added"`
	Unchanged int    `json:"unchanged"`
	Replaced  int    `json:"replaced"`
}

// ImportReport is the outcome of an import.
type ImportReport struct {
	Files        []FileReport `json:"files"`
	Unrecognised []string     `json:"unrecognised"`
	Added        int          `json:"added"`
	Unchanged    int          `json:"unchanged"`
	Replaced     int          `json:"replaced"`
}

// ImportError names the file (and, through its wrapped recordError, the line
// and field) where an import failed.
type ImportError struct {
	Path string
	Err  error
}

func (e *ImportError) Error() string { return fmt.Sprintf("import %s: %v", e.Path, e.Err) }
func (e *ImportError) Unwrap() error { return e.Err }

type inputFile struct {
	path string
	kind Kind
	// format is "jsonl", "json" or "csv".
	format string
}

// Import reads files and folders in FastChat's MT-Bench layout and the
// Hugging Face human-judgments shapes, and applies them in dependency order
// (questions, prompts, answers, then judgments and votes) in one transaction:
// on any error nothing is written.
func (s *Store) Import(ctx context.Context, paths []string, opts ImportOptions) (*ImportReport, error) {
	rep := &ImportReport{Unrecognised: []string{}}
	var files []inputFile
	for _, p := range paths {
		fs, unrec, err := discover(p)
		if err != nil {
			return nil, err
		}
		files = append(files, fs...)
		rep.Unrecognised = append(rep.Unrecognised, unrec...)
	}
	files = uniqueFiles(files)
	sort.SliceStable(files, func(i, j int) bool { return kindOrder[files[i].kind] < kindOrder[files[j].kind] })
	err := s.writeBulk(ctx, func(tx *sql.Tx) error {
		im, err := newImporter(ctx, tx, s.Now(), opts.Replace)
		if err != nil {
			return err
		}
		defer im.close()
		for i, f := range files {
			fr := FileReport{Path: f.path, Kind: f.kind}
			progress := func(n int) {
				if opts.Progress != nil {
					opts.Progress(ImportProgress{File: f.path, Kind: f.kind, Records: n, DoneFiles: i, TotalFiles: len(files)})
				}
			}
			progress(0)
			if err := im.file(f, &fr, progress); err != nil {
				return &ImportError{Path: f.path, Err: err}
			}
			rep.Files = append(rep.Files, fr)
			rep.Added += fr.Added
			rep.Unchanged += fr.Unchanged
			rep.Replaced += fr.Replaced
			if opts.Progress != nil {
				opts.Progress(ImportProgress{File: f.path, Kind: f.kind, Records: fr.Records, DoneFiles: i + 1, TotalFiles: len(files)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// uniqueFiles drops files named more than once (directly and through a folder).
func uniqueFiles(files []inputFile) []inputFile {
	seen := map[string]bool{}
	out := files[:0]
	for _, f := range files {
		abs, err := filepath.Abs(f.path)
		if err != nil {
			abs = f.path
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		out = append(out, f)
	}
	return out
}

// discover expands a path into recognised files and lists unrecognised ones.
func discover(root string) ([]inputFile, []string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, nil, fmt.Errorf("import %s: %w", root, err)
	}
	if !st.IsDir() {
		f, ok, err := classify(root)
		if err != nil {
			return nil, nil, &ImportError{Path: root, Err: err}
		}
		if !ok {
			return nil, []string{root}, nil
		}
		return []inputFile{f}, nil, nil
	}
	var files []inputFile
	var unrec []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("import %s: %w", p, err)
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		f, ok, err := classify(p)
		if err != nil {
			return &ImportError{Path: p, Err: err}
		}
		if ok {
			files = append(files, f)
		} else {
			unrec = append(unrec, p)
		}
		return nil
	})
	return files, unrec, err
}

// classify recognises a file by its name and folder, then by the shape of its
// first record. Empty files are an error; unknown shapes are not recognised.
func classify(path string) (inputFile, bool, error) {
	ext := strings.ToLower(filepath.Ext(path))
	base := filepath.Base(path)
	dir := filepath.Base(filepath.Dir(path))
	format := strings.TrimPrefix(ext, ".")
	if format != "jsonl" && format != "json" && format != "csv" {
		return inputFile{}, false, nil
	}
	f := inputFile{path: path, format: format}
	switch {
	case base == "question.jsonl":
		f.kind = KindQuestions
	case base == "judge_prompts.jsonl":
		f.kind = KindPrompts
	case dir == "model_answer" && format == "jsonl":
		f.kind = KindAnswers
	case dir == "reference_answer" && format == "jsonl":
		f.kind = KindReferences
	case dir == "model_judgment" && strings.HasSuffix(base, "_pair.jsonl"):
		f.kind = KindJudgments
	case dir == "model_judgment":
		return inputFile{}, false, nil // single-answer grading is not pairwise
	}
	keys, err := firstKeys(path, format)
	if err != nil {
		return inputFile{}, false, err
	}
	if f.kind != "" {
		return f, true, nil
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if !keys[n] {
				return false
			}
		}
		return true
	}
	switch {
	case has("question_id", "model_a", "model_b", "winner", "judge"):
		f.kind = KindVotes
	case has("question_id", "model_1", "model_2", "g1_winner", "g2_winner"):
		f.kind = KindJudgments
	case has("name", "prompt_template", "type"):
		f.kind = KindPrompts
	case has("question_id", "category", "turns"):
		f.kind = KindQuestions
	default:
		return inputFile{}, false, nil
	}
	return f, true, nil
}

// firstKeys returns the field names of a file's first record.
func firstKeys(path, format string) (map[string]bool, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	rr, err := openReader(fh, format)
	if err != nil {
		return nil, err
	}
	_, raw, err := rr.Next()
	if err == io.EOF {
		return nil, &recordError{Line: 1, Err: errors.New("file is empty")}
	}
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, &recordError{Line: 1, Err: errors.New("want a JSON object per record")}
	}
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	return keys, nil
}

func openReader(r io.Reader, format string) (recordReader, error) {
	switch format {
	case "jsonl":
		return newJSONLReader(r), nil
	case "json":
		return newJSONArrayReader(r), nil
	case "csv":
		return newCSVReader(r)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// importer applies records inside one transaction, remembering what it has
// seen so that references are checked without a query per record.
type importer struct {
	ctx     context.Context
	tx      *sql.Tx
	now     string // the import's time, to the second, for records that carry none
	replace bool

	questions  map[int]int // question id -> number of turns
	models     map[string]int64
	annotators map[string]int64
	judges     map[string]int64
	prompts    map[string]string // name -> hash

	// Of the current votes file, for ids derived from a vote's key (see
	// settle): the largest vote id before it, and the rows of the stored
	// votes it matched.
	fileStart int64
	claimed   rowSet

	mu      sync.Mutex           // guards stmts: the vote writer runs beside the reader
	stmts   map[string]*sql.Stmt // statements by their text, prepared on first use
	pending []pendingVote        // validated votes not yet written
}

func newImporter(ctx context.Context, tx *sql.Tx, now time.Time, replace bool) (*importer, error) {
	im := &importer{ctx: ctx, tx: tx, now: now.UTC().Format(time.RFC3339), replace: replace,
		questions: map[int]int{}, models: map[string]int64{}, annotators: map[string]int64{},
		judges: map[string]int64{}, prompts: map[string]string{},
		stmts: map[string]*sql.Stmt{}}
	load := func(q string, each func(*sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err := errors.Join(
		load(`SELECT question_id, json_array_length(turns) FROM questions`, func(r *sql.Rows) error {
			var id, n int
			err := r.Scan(&id, &n)
			im.questions[id] = n
			return err
		}),
		load(`SELECT id, name FROM models`, func(r *sql.Rows) error {
			var id int64
			var n string
			err := r.Scan(&id, &n)
			im.models[n] = id
			return err
		}),
		load(`SELECT id, name FROM annotators`, func(r *sql.Rows) error {
			var id int64
			var n string
			err := r.Scan(&id, &n)
			im.annotators[n] = id
			return err
		}),
		load(`SELECT id, name FROM judges`, func(r *sql.Rows) error {
			var id int64
			var n string
			err := r.Scan(&id, &n)
			im.judges[n] = id
			return err
		}),
		load(`SELECT name, hash FROM prompts`, func(r *sql.Rows) error {
			var n, h string
			err := r.Scan(&n, &h)
			im.prompts[n] = h
			return err
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("import: load known records: %w", err)
	}
	return im, nil
}

// prepared returns the statement for query, prepared once per import: a
// record costs a few statements, and SQLite parsing each anew was half of
// the time of importing answers.
func (im *importer) prepared(query string) (*sql.Stmt, error) {
	im.mu.Lock()
	defer im.mu.Unlock()
	if stmt, ok := im.stmts[query]; ok {
		return stmt, nil
	}
	stmt, err := im.tx.PrepareContext(im.ctx, query)
	if err != nil {
		return nil, err
	}
	im.stmts[query] = stmt
	return stmt, nil
}

func (im *importer) exec(query string, args ...any) (sql.Result, error) {
	stmt, err := im.prepared(query)
	if err != nil {
		return nil, err
	}
	return stmt.ExecContext(im.ctx, args...)
}

func (im *importer) queryRow(query string, args ...any) *sql.Row {
	stmt, err := im.prepared(query)
	if err != nil {
		return im.tx.QueryRowContext(im.ctx, query, args...) // reports the same error
	}
	return stmt.QueryRowContext(im.ctx, args...)
}

func (im *importer) close() {
	for _, stmt := range im.stmts {
		stmt.Close()
	}
}

func (im *importer) file(f inputFile, fr *FileReport, progress func(int)) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer fh.Close()
	rr, err := openReader(fh, f.format)
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(filepath.Base(f.path), filepath.Ext(f.path))
	source := relSource(f.path)
	var votes *voteWriter
	if f.kind == KindVotes || f.kind == KindJudgments {
		im.claimed = im.claimed[:0]
		if err := im.queryRow(`SELECT coalesce(max(id), 0) FROM votes`).Scan(&im.fileStart); err != nil {
			return err
		}
		votes = im.startVoteWriter()
		defer votes.finish()
	}
	next := func() (result, error) {
		line, raw, err := rr.Next()
		if err != nil {
			return 0, err
		}
		return im.record(f.kind, line, raw, name, source)
	}
	if cr, ok := rr.(*csvReader); ok && f.kind == KindVotes {
		if set, ok := csvVoteColumns(cr.header); ok {
			next = func() (result, error) {
				line, cells, err := cr.row()
				if err != nil {
					return 0, err
				}
				var r voteRec
				for i, v := range cells {
					if set[i] != nil {
						set[i](&r, v)
					}
				}
				return im.putVote(line, &r, source)
			}
		}
	}
	for {
		res, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if len(im.pending) >= voteChunk {
			if err := votes.send(im.pending); err != nil {
				return err
			}
			im.pending = make([]pendingVote, 0, voteChunk)
		}
		fr.Records++
		fr.count(res)
		if fr.Records%10000 == 0 {
			if err := im.ctx.Err(); err != nil {
				return err
			}
			progress(fr.Records)
		}
	}
	if votes != nil {
		if err := votes.send(im.pending); err != nil {
			return err
		}
		im.pending = nil
		if err := votes.finish(); err != nil {
			return err
		}
		fr.Added += votes.counts.Added
		fr.Unchanged += votes.counts.Unchanged
		fr.Replaced += votes.counts.Replaced
	}
	if fr.Records == 0 {
		return &recordError{Line: 1, Err: errors.New("file is empty")}
	}
	return nil
}

// record applies one record of a file of the given kind, name (its base
// name without extension) and source (see relSource).
func (im *importer) record(kind Kind, line int, raw []byte, name, source string) (result, error) {
	switch kind {
	case KindQuestions:
		return im.question(line, raw, source)
	case KindPrompts:
		return im.prompt(line, raw)
	case KindAnswers:
		return im.answer(line, raw, name, source)
	case KindReferences:
		return im.reference(line, raw, name)
	case KindJudgments:
		return im.judgment(line, raw, source)
	case KindVotes:
		return im.vote(line, raw, source)
	}
	return 0, fmt.Errorf("unknown kind %q", kind)
}

// result is what importing one record did.
type result int

const (
	added result = iota
	unchanged
	replaced
	deferred // written with its chunk and counted then
)

// count adds a result to the report's counts (deferred ones are counted
// when written).
func (fr *FileReport) count(o result) {
	switch o {
	case added:
		fr.Added++
	case unchanged:
		fr.Unchanged++
	case replaced:
		fr.Replaced++
	}
}

func contentHash(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		b, _ := json.Marshal(p)
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// relSource names a file as records keep it: its folder and its name.
func relSource(path string) string {
	return filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
}

// upsert inserts a keyed record, or leaves it when its hash is unchanged, or
// replaces it (with --replace) or reports the conflict.
func (im *importer) upsert(line int, what, existsQ string, existsArgs []any, hash string, insert func() (sql.Result, error), update func() error) (result, error) {
	// Insert first (OR IGNORE): a new record, the usual case, costs one
	// statement; the stored one is read only when the key exists.
	res, err := insert()
	if err != nil {
		return 0, &recordError{Line: line, Err: fmt.Errorf("write %s: %w", what, err)}
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return added, nil
	}
	var old string
	err = im.queryRow(existsQ, existsArgs...).Scan(&old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, &recordError{Line: line, Err: fmt.Errorf("write %s: refused by the database (a constraint of its table)", what)}
	case err != nil:
		return 0, &recordError{Line: line, Err: err}
	case old == hash:
		return unchanged, nil
	case !im.replace:
		return 0, &recordError{Line: line, Err: fmt.Errorf("%s already exists with different content (use --replace to overwrite)", what)}
	}
	if err := update(); err != nil {
		return 0, &recordError{Line: line, Err: fmt.Errorf("replace %s: %w", what, err)}
	}
	return replaced, nil
}

type questionRec struct {
	QuestionID *int     `json:"question_id"`
	Category   *string  `json:"category"`
	Turns      []string `json:"turns"`
	Reference  []string `json:"reference"`
}

func (im *importer) question(line int, raw []byte, source string) (result, error) {
	var r questionRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	switch {
	case r.QuestionID == nil:
		return 0, fieldErr(line, "question_id", "missing")
	case r.Category == nil:
		return 0, fieldErr(line, "category", "missing")
	case len(r.Turns) == 0:
		return 0, fieldErr(line, "turns", "missing or empty: a question needs at least one turn")
	}
	return im.putQuestion(line, *r.QuestionID, *r.Category, r.Turns, r.Reference, source)
}

func (im *importer) putQuestion(line, id int, category string, turns, ref []string, source string) (result, error) {
	for i, t := range turns {
		if strings.TrimSpace(t) == "" {
			return 0, fieldErr(line, fmt.Sprintf("turns[%d]", i), "empty turn")
		}
	}
	turnsJSON, _ := json.Marshal(turns)
	var refJSON any
	if len(ref) > 0 {
		b, _ := json.Marshal(ref)
		refJSON = string(b)
	}
	hash := contentHash(category, turns, ref)
	res, err := im.upsert(line, fmt.Sprintf("question %d", id), `SELECT content_hash FROM questions WHERE question_id = ?`, []any{id}, hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO questions(question_id, category, turns, reference, source, content_hash) VALUES (?, ?, ?, ?, ?, ?)`,
				id, category, string(turnsJSON), refJSON, source, hash)
		},
		func() error {
			_, err := im.exec(`UPDATE questions SET category = ?, turns = ?, reference = ?, source = ?, content_hash = ? WHERE question_id = ?`,
				category, string(turnsJSON), refJSON, source, hash, id)
			return err
		})
	if err == nil {
		im.questions[id] = len(turns)
	}
	return res, err
}

type answerRec struct {
	QuestionID *int   `json:"question_id"`
	AnswerID   string `json:"answer_id"`
	Choices    []struct {
		Turns []string `json:"turns"`
	} `json:"choices"`
}

func (im *importer) checkQuestion(line int, field string, id int) error {
	if _, ok := im.questions[id]; !ok {
		return fieldErr(line, field, "unknown question %d (import its question.jsonl first, or in the same command)", id)
	}
	return nil
}

func (im *importer) answer(line int, raw []byte, model, source string) (result, error) {
	var r answerRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	if r.QuestionID == nil {
		return 0, fieldErr(line, "question_id", "missing")
	}
	if len(r.Choices) == 0 {
		return 0, fieldErr(line, "choices", "missing or empty")
	}
	return im.putAnswer(line, *r.QuestionID, model, r.Choices[0].Turns, r.AnswerID, source, "choices[0].turns")
}

func (im *importer) putAnswer(line, qid int, model string, turns []string, answerID, source, field string) (result, error) {
	if err := im.checkQuestion(line, "question_id", qid); err != nil {
		return 0, err
	}
	if want := im.questions[qid]; len(turns) < want {
		return 0, fieldErr(line, field, "question %d has %d turns, the answer has %d", qid, want, len(turns))
	}
	mid, err := im.modelID(model, true)
	if err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	turnsJSON, _ := json.Marshal(turns)
	hash := contentHash(turns)
	return im.upsert(line, fmt.Sprintf("answer of %s to question %d", model, qid),
		`SELECT content_hash FROM answers WHERE question_id = ? AND model_id = ?`, []any{qid, mid}, hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO answers(question_id, model_id, turns, answer_id, source, content_hash) VALUES (?, ?, ?, ?, ?, ?)`,
				qid, mid, string(turnsJSON), answerID, source, hash)
		},
		func() error {
			_, err := im.exec(`UPDATE answers SET turns = ?, answer_id = ?, source = ?, content_hash = ? WHERE question_id = ? AND model_id = ?`,
				string(turnsJSON), answerID, source, hash, qid, mid)
			return err
		})
}

func (im *importer) modelID(name string, create bool) (int64, error) {
	if id, ok := im.models[name]; ok {
		return id, nil
	}
	if !create {
		return 0, fmt.Errorf("unknown model %q (import its model_answer file first, or in the same command)", name)
	}
	res, err := im.exec(`INSERT INTO models(name) VALUES (?)`, name)
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	im.models[name] = id
	return id, nil
}

func (im *importer) reference(line int, raw []byte, model string) (result, error) {
	var r answerRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	if r.QuestionID == nil {
		return 0, fieldErr(line, "question_id", "missing")
	}
	if len(r.Choices) == 0 || len(r.Choices[0].Turns) == 0 {
		return 0, fieldErr(line, "choices", "missing or empty")
	}
	qid := *r.QuestionID
	if err := im.checkQuestion(line, "question_id", qid); err != nil {
		return 0, err
	}
	turns := r.Choices[0].Turns
	turnsJSON, _ := json.Marshal(turns)
	hash := contentHash(turns)
	return im.upsert(line, fmt.Sprintf("reference answer of %s to question %d", model, qid),
		`SELECT content_hash FROM reference_answers WHERE question_id = ? AND model = ?`, []any{qid, model}, hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO reference_answers(question_id, model, turns, content_hash) VALUES (?, ?, ?, ?)`, qid, model, string(turnsJSON), hash)
		},
		func() error {
			_, err := im.exec(`UPDATE reference_answers SET turns = ?, content_hash = ? WHERE question_id = ? AND model = ?`, string(turnsJSON), hash, qid, model)
			return err
		})
}

func (im *importer) prompt(line int, raw []byte) (result, error) {
	var p Prompt
	if err := decodeRecord(line, raw, &p); err != nil {
		return 0, err
	}
	switch {
	case p.Name == "":
		return 0, fieldErr(line, "name", "missing")
	case p.PromptTemplate == "":
		return 0, fieldErr(line, "prompt_template", "missing")
	case p.Type == "":
		return 0, fieldErr(line, "type", "missing")
	}
	p.Hash = PromptHash(p.SystemPrompt, p.PromptTemplate)
	res, err := im.upsert(line, fmt.Sprintf("prompt %q", p.Name), `SELECT hash FROM prompts WHERE name = ?`, []any{p.Name},
		p.Hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO prompts(name, type, system_prompt, prompt_template, description, category, output_format, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				p.Name, p.Type, p.SystemPrompt, p.PromptTemplate, p.Description, p.Category, p.OutputFormat, p.Hash)
		},
		func() error {
			_, err := im.exec(`UPDATE prompts SET type = ?, system_prompt = ?, prompt_template = ?, description = ?, category = ?, output_format = ?, hash = ? WHERE name = ?`,
				p.Type, p.SystemPrompt, p.PromptTemplate, p.Description, p.Category, p.OutputFormat, p.Hash, p.Name)
			return err
		})
	if err == nil {
		im.prompts[p.Name] = p.Hash
	}
	return res, err
}

// PromptHash identifies a prompt's text: the first 16 hex digits of the
// SHA-256 of its system prompt and template.
func PromptHash(system, template string) string {
	h := sha256.Sum256([]byte(system + "\x00" + template))
	return hex.EncodeToString(h[:8])
}

func (im *importer) judgeID(name, model string) (int64, error) {
	if id, ok := im.judges[name]; ok {
		return id, nil
	}
	res, err := im.exec(`INSERT INTO judges(name, model) VALUES (?, ?)`, name, model)
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	im.judges[name] = id
	return id, nil
}

type judgmentRec struct {
	QuestionID   *int            `json:"question_id"`
	Model1       string          `json:"model_1"`
	Model2       string          `json:"model_2"`
	G1Winner     string          `json:"g1_winner"`
	G2Winner     string          `json:"g2_winner"`
	Judge        json.RawMessage `json:"judge"`
	G1UserPrompt string          `json:"g1_user_prompt"`
	G1Judgment   string          `json:"g1_judgment"`
	G2UserPrompt string          `json:"g2_user_prompt"`
	G2Judgment   string          `json:"g2_judgment"`
	Turn         *int            `json:"turn"`
	Winner       string          `json:"winner"`
}

func (im *importer) judgment(line int, raw []byte, source string) (result, error) {
	var r judgmentRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	if r.G1Winner == "" && r.G2Winner == "" && r.Winner != "" {
		return im.vote(line, raw, source) // a combined-only verdict in the HF label shape
	}
	if r.QuestionID == nil {
		return 0, fieldErr(line, "question_id", "missing")
	}
	turn := 1
	if r.Turn != nil {
		turn = *r.Turn
	}
	judge, prompt, err := parseJudge(line, r.Judge)
	if err != nil {
		return 0, err
	}
	if judge == "" {
		return 0, fieldErr(line, "judge", "want [model, prompt name]")
	}
	g1w, err := outcome.ParseGame(r.G1Winner)
	if err != nil || g1w == outcome.Inconsistent {
		return 0, fieldErr(line, "g1_winner", "want model_1, model_2, tie or error, got %q", r.G1Winner)
	}
	g2w, err := outcome.ParseGame(r.G2Winner)
	if err != nil || g2w == outcome.Inconsistent {
		return 0, fieldErr(line, "g2_winner", "want model_1, model_2, tie or error, got %q", r.G2Winner)
	}
	if err := im.checkUnit(line, *r.QuestionID, r.Model1, r.Model2, turn, "model_1", "model_2"); err != nil {
		return 0, err
	}
	g1 := Game{Judgment: r.G1Judgment, UserPrompt: r.G1UserPrompt}
	g2 := Game{Judgment: r.G2Judgment, UserPrompt: r.G2UserPrompt}
	m1, m2, swapped := outcome.CanonicalPair(r.Model1, r.Model2)
	if swapped {
		// Canonical order: the game that showed the alphabetically first model first is g1.
		g1, g2 = g2, g1
		g1w, g2w = g2w.Swap(), g1w.Swap()
	}
	g1.Winner, g2.Winner = g1w.Game(), g2w.Game()
	v := Verdict{Judge: judge, JudgeModel: judge, Prompt: prompt, PromptHash: im.prompts[prompt], QuestionID: *r.QuestionID,
		Model1: m1, Model2: m2, Turn: turn, G1: &g1, G2: &g2, Combined: outcome.Combine(g1w, g2w).Game()}
	return im.putVerdict(line, v, source)
}

// checkUnit verifies that a vote or verdict names a known question, two
// different known models and a turn the question has.
func (im *importer) checkUnit(line, qid int, ma, mb string, turn int, fa, fb string) error {
	if err := im.checkQuestion(line, "question_id", qid); err != nil {
		return err
	}
	if ma == "" {
		return fieldErr(line, fa, "missing")
	}
	if mb == "" {
		return fieldErr(line, fb, "missing")
	}
	if ma == mb {
		return fieldErr(line, fb, "same model on both sides (%q)", ma)
	}
	if _, err := im.modelID(ma, false); err != nil {
		return fieldErr(line, fa, "%v", err)
	}
	if _, err := im.modelID(mb, false); err != nil {
		return fieldErr(line, fb, "%v", err)
	}
	if n := im.questions[qid]; turn < 1 || turn > n {
		return fieldErr(line, "turn", "question %d has %d turn(s), got turn %d", qid, n, turn)
	}
	return nil
}

func (im *importer) putVerdict(line int, v Verdict, source string) (result, error) {
	jid, err := im.judgeID(v.Judge, v.JudgeModel)
	if err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	hash := contentHash(v.Combined, v.G1, v.G2)
	cur, err := im.verdictHash(jid, v)
	if err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	what := fmt.Sprintf("verdict of %s on question %d, %s vs %s, turn %d", v.Judge, v.QuestionID, v.Model1, v.Model2, v.Turn)
	game := func(x *Game) (winner, judgment, prompt, at any) {
		if x == nil {
			return nil, nil, nil, nil
		}
		return x.Winner, x.Judgment, x.UserPrompt, im.now
	}
	w1, j1, p1, t1 := game(v.G1)
	w2, j2, p2, t2 := game(v.G2)
	var combined any
	if v.Combined != "" {
		combined = v.Combined
	}
	switch {
	case cur == "":
		_, err := im.exec(`INSERT INTO verdicts(judge_id, prompt, prompt_hash, question_id, model_1, model_2, turn, combined,
			g1_winner, g1_judgment, g1_user_prompt, g1_at, g2_winner, g2_judgment, g2_user_prompt, g2_at, source)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			jid, v.Prompt, v.PromptHash, v.QuestionID, v.Model1, v.Model2, v.Turn, combined, w1, j1, p1, t1, w2, j2, p2, t2, source)
		if err != nil {
			return 0, &recordError{Line: line, Err: fmt.Errorf("write %s: %w", what, err)}
		}
		return added, nil
	case cur == hash:
		return unchanged, nil
	case !im.replace:
		return 0, &recordError{Line: line, Err: fmt.Errorf("%s already exists with different content (use --replace to overwrite)", what)}
	}
	_, err = im.exec(`UPDATE verdicts SET combined = ?, g1_winner = ?, g1_judgment = ?, g1_user_prompt = ?, g1_at = ?,
		g2_winner = ?, g2_judgment = ?, g2_user_prompt = ?, g2_at = ?, prompt_hash = ?, source = ?
		WHERE judge_id = ? AND prompt = ? AND question_id = ? AND model_1 = ? AND model_2 = ? AND turn = ?`,
		combined, w1, j1, p1, t1, w2, j2, p2, t2, v.PromptHash, source, jid, v.Prompt, v.QuestionID, v.Model1, v.Model2, v.Turn)
	if err != nil {
		return 0, &recordError{Line: line, Err: fmt.Errorf("replace %s: %w", what, err)}
	}
	return replaced, nil
}

// verdictHash is the content hash of a stored verdict, or "" if there is none.
func (im *importer) verdictHash(jid int64, v Verdict) (string, error) {
	var combined sql.NullString
	var w [2]sql.NullString
	var j [2]sql.NullString
	var p [2]sql.NullString
	err := im.queryRow(`SELECT combined, g1_winner, g1_judgment, g1_user_prompt, g2_winner, g2_judgment, g2_user_prompt
		FROM verdicts WHERE judge_id = ? AND prompt = ? AND question_id = ? AND model_1 = ? AND model_2 = ? AND turn = ?`,
		jid, v.Prompt, v.QuestionID, v.Model1, v.Model2, v.Turn).Scan(&combined, &w[0], &j[0], &p[0], &w[1], &j[1], &p[1])
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var g [2]*Game
	for i := range g {
		if w[i].Valid {
			g[i] = &Game{Winner: w[i].String, Judgment: j[i].String, UserPrompt: p[i].String}
		}
	}
	return contentHash(combined.String, g[0], g[1]), nil
}

// parseJudge reads a judge field: ["model", "prompt"] for an LLM judge, or a
// string, which is "gpt4_pair" (the HF label-only GPT-4 split) or an annotator.
func parseJudge(line int, raw json.RawMessage) (judge, prompt string, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", "", fieldErr(line, "judge", "missing")
	}
	if raw[0] == '[' {
		var parts []string
		if err := json.Unmarshal(raw, &parts); err != nil || len(parts) == 0 {
			return "", "", fieldErr(line, "judge", "want [model, prompt name] or a name")
		}
		if len(parts) > 1 {
			prompt = parts[1]
		}
		return parts[0], prompt, nil
	}
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), "", nil // no escapes: the common case, without decoding
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", "", fieldErr(line, "judge", "want [model, prompt name] or a name")
	}
	return s, "", nil
}

// llmJudgeNames maps the HF label-only split names of LLM judges to judges.
var llmJudgeNames = map[string]string{"gpt4_pair": "gpt-4"}

var groupPattern = regexp.MustCompile(`^(.+?)_\d+$`)

// annotatorGroup derives an annotator's group from names like expert_12.
func annotatorGroup(name string) string {
	if m := groupPattern.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return "human"
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type voteRec struct {
	QuestionID flexInt         `json:"question_id"`
	ModelA     string          `json:"model_a"`
	ModelB     string          `json:"model_b"`
	Winner     string          `json:"winner"`
	Judge      json.RawMessage `json:"judge"`
	Turn       flexInt         `json:"turn"`
	ConvA      []message       `json:"conversation_a"`
	ConvB      []message       `json:"conversation_b"`
	// Concord's extra fields, kept by exports so a round trip loses nothing.
	VoteID    string  `json:"vote_id"`
	Group     string  `json:"group"`
	Left      string  `json:"left_model"`
	TimeMS    flexInt `json:"time_ms"`
	Rationale string  `json:"rationale"`
	CreatedAt string  `json:"created_at"`
	Category  string  `json:"category"`
	Prompt    string  `json:"prompt"`
}

// flexInt accepts a JSON number or a string of digits (CSV rows are strings).
type flexInt struct {
	Set bool
	N   int
	Bad string
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		f.setString(s)
		return nil
	}
	f.Set = true
	if string(b) == "null" {
		f.Set = false
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		f.Bad = string(b)
		return nil
	}
	f.N = n
	return nil
}

// setString reads a string of digits (surrounding spaces allowed).
func (f *flexInt) setString(s string) {
	f.Set = true
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		f.Bad = s
		return
	}
	f.N = n
}

func (f flexInt) get(line int, field string, required bool) (int, error) {
	if !f.Set {
		if required {
			return 0, fieldErr(line, field, "missing")
		}
		return 0, nil
	}
	if f.Bad != "" {
		return 0, fieldErr(line, field, "want an integer, got %s", f.Bad)
	}
	return f.N, nil
}

func (im *importer) vote(line int, raw []byte, source string) (result, error) {
	var r voteRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	return im.putVote(line, &r, source)
}

// putVote checks a decoded vote record and queues it for writing (or, for an
// LLM judge's record in a votes file, writes the verdict).
func (im *importer) putVote(line int, r *voteRec, source string) (result, error) {
	qid, err := r.QuestionID.get(line, "question_id", true)
	if err != nil {
		return 0, err
	}
	turn, err := r.Turn.get(line, "turn", true)
	if err != nil {
		return 0, err
	}
	timeMS, err := r.TimeMS.get(line, "time_ms", false)
	if err != nil {
		return 0, err
	}
	judge, prompt, err := parseJudge(line, r.Judge)
	if err != nil {
		return 0, err
	}
	if r.Prompt != "" {
		prompt = r.Prompt
	}
	if prompt == unknownPairPrompt {
		prompt = "" // what ExportVerdictsHF writes for a verdict imported without a prompt
	}
	isLLM := len(bytes.TrimSpace(r.Judge)) > 0 && bytes.TrimSpace(r.Judge)[0] == '['
	if name, ok := llmJudgeNames[judge]; ok {
		judge, isLLM = name, true
	}
	if judge == "" {
		return 0, fieldErr(line, "judge", "empty")
	}
	if err := im.conversationAnswers(line, qid, *r); err != nil {
		return 0, err
	}
	if err := im.checkUnit(line, qid, r.ModelA, r.ModelB, turn, "model_a", "model_b"); err != nil {
		return 0, err
	}
	if isLLM {
		w, err := outcome.ParseHFVerdict(r.Winner)
		if err != nil {
			return 0, fieldErr(line, "winner", "%s", err)
		}
		m1, m2, swapped := outcome.CanonicalPair(r.ModelA, r.ModelB)
		if swapped {
			w = w.Swap()
		}
		return im.putVerdict(line, Verdict{Judge: judge, JudgeModel: judge, Prompt: prompt, PromptHash: im.prompts[prompt],
			QuestionID: qid, Model1: m1, Model2: m2, Turn: turn, Combined: w.Game()}, source)
	}
	won, err := outcome.ParseHFVote(r.Winner)
	if err != nil {
		return 0, fieldErr(line, "winner", "%s", err)
	}
	ma, mb, swapped := outcome.CanonicalPair(r.ModelA, r.ModelB)
	if swapped {
		won = won.Swap()
	}
	w := won.Vote()
	if r.Left != "" && r.Left != ma && r.Left != mb {
		return 0, fieldErr(line, "left_model", "%q is neither model of the pair", r.Left)
	}
	aid, err := im.annotatorID(judge, r.Group)
	if err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	created := r.CreatedAt
	if created == "" {
		created = im.now
	} else if _, err := time.Parse(time.RFC3339Nano, created); err != nil {
		return 0, fieldErr(line, "created_at", "want an RFC 3339 time, got %q", created)
	}
	uid, key := r.VoteID, ""
	if uid == "" {
		// A vote without an id is identified by its key (annotator and
		// unit) and how many times the key came before it in the file, so
		// that importing the same file again finds the same votes. Every
		// vote starts as the key's first; the writer moves repeats on.
		key = judge + "\x00" + strconv.Itoa(qid) + "\x00" + ma + "\x00" + mb + "\x00" + strconv.Itoa(turn)
		uid = derivedVoteID(qid, key, 1)
	}
	im.pending = append(im.pending, pendingVote{line: line, uid: uid, key: key, ordinal: 1, annotator: aid, question: qid, modelA: ma, modelB: mb,
		turn: turn, winner: w, left: r.Left, created: created, timeMS: timeMS, rationale: r.Rationale, source: source})
	return deferred, nil
}

// csvVoteColumns maps each column of a votes CSV file to the field of
// voteRec it fills, matching names as encoding/json does (ignoring ASCII
// case), so that rows skip the JSON round trip. It returns false when a
// column needs JSON decoding (conversations) or a name is not ASCII.
func csvVoteColumns(header []string) ([]func(*voteRec, string), bool) {
	set := make([]func(*voteRec, string), len(header))
	for i, name := range header {
		for _, c := range []byte(name) {
			if c > 0x7e {
				return nil, false
			}
		}
		switch strings.ToLower(name) {
		case "conversation_a", "conversation_b":
			return nil, false
		case "question_id":
			set[i] = func(r *voteRec, v string) { r.QuestionID.setString(v) }
		case "turn":
			set[i] = func(r *voteRec, v string) { r.Turn.setString(v) }
		case "time_ms":
			set[i] = func(r *voteRec, v string) { r.TimeMS.setString(v) }
		case "judge":
			set[i] = func(r *voteRec, v string) { r.Judge = appendJSONString(nil, v) }
		case "model_a":
			set[i] = func(r *voteRec, v string) { r.ModelA = v }
		case "model_b":
			set[i] = func(r *voteRec, v string) { r.ModelB = v }
		case "winner":
			set[i] = func(r *voteRec, v string) { r.Winner = v }
		case "vote_id":
			set[i] = func(r *voteRec, v string) { r.VoteID = v }
		case "group":
			set[i] = func(r *voteRec, v string) { r.Group = v }
		case "left_model":
			set[i] = func(r *voteRec, v string) { r.Left = v }
		case "rationale":
			set[i] = func(r *voteRec, v string) { r.Rationale = v }
		case "created_at":
			set[i] = func(r *voteRec, v string) { r.CreatedAt = v }
		case "category":
			set[i] = func(r *voteRec, v string) { r.Category = v }
		case "prompt":
			set[i] = func(r *voteRec, v string) { r.Prompt = v }
		}
	}
	return set, true
}

// annotatorID finds or creates an annotator; a new one without a group gets
// the group its name implies (expert_12 is in "expert").
func (im *importer) annotatorID(name, group string) (int64, error) {
	if id, ok := im.annotators[name]; ok {
		return id, nil
	}
	if group == "" {
		group = annotatorGroup(name)
	}
	res, err := im.exec(`INSERT INTO annotators(name, grp) VALUES (?, ?)`, name, group)
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	im.annotators[name] = id
	return id, nil
}

// conversationAnswers stores answers carried by a vote's conversation_a/b
// when they are not already imported; a row with a category can also supply
// its question (Concord's own exports do).
func (im *importer) conversationAnswers(line, qid int, r voteRec) error {
	if len(r.ConvA) == 0 && len(r.ConvB) == 0 {
		return nil
	}
	if _, ok := im.questions[qid]; !ok && r.Category != "" {
		var turns []string
		for _, m := range r.ConvA {
			if m.Role == "user" {
				turns = append(turns, m.Content)
			}
		}
		if len(turns) > 0 {
			if _, err := im.putQuestion(line, qid, r.Category, turns, nil, "conversation"); err != nil {
				return err
			}
		}
	}
	for _, side := range []struct {
		model string
		conv  []message
		field string
	}{{r.ModelA, r.ConvA, "conversation_a"}, {r.ModelB, r.ConvB, "conversation_b"}} {
		if side.model == "" || len(side.conv) == 0 {
			continue
		}
		var turns []string
		for _, m := range side.conv {
			if m.Role == "assistant" {
				turns = append(turns, m.Content)
			}
		}
		if len(turns) == 0 {
			continue
		}
		if _, ok := im.questions[qid]; !ok {
			return fieldErr(line, "question_id", "unknown question %d (import its question.jsonl first, or in the same command)", qid)
		}
		if mid, ok := im.models[side.model]; ok {
			var n int
			err := im.queryRow(`SELECT json_array_length(turns) FROM answers WHERE question_id = ? AND model_id = ?`, qid, mid).Scan(&n)
			if err == nil && n >= len(turns) {
				continue // already imported; files take precedence over conversations
			}
			if err == nil && n < len(turns) {
				if _, err := im.exec(`UPDATE answers SET turns = ?, content_hash = ? WHERE question_id = ? AND model_id = ? AND source = 'conversation'`,
					mustJSON(turns), contentHash(turns), qid, mid); err != nil {
					return &recordError{Line: line, Err: err}
				}
				continue
			}
		}
		if len(turns) < im.questions[qid] {
			// A first-turn conversation only: store what we have; a later row may extend it.
			mid, err := im.modelID(side.model, true)
			if err != nil {
				return &recordError{Line: line, Err: err}
			}
			if _, err := im.exec(`INSERT INTO answers(question_id, model_id, turns, source, content_hash) VALUES (?, ?, ?, 'conversation', ?)`,
				qid, mid, mustJSON(turns), contentHash(turns)); err != nil {
				return &recordError{Line: line, Err: err}
			}
			continue
		}
		if _, err := im.putAnswer(line, qid, side.model, turns, "", "conversation", side.field); err != nil {
			return err
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
