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
	"sort"
	"strings"
	"sync"
	"time"
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
	KindRatings    Kind = "single_judgments"
)

var kindOrder = map[Kind]int{KindQuestions: 0, KindPrompts: 1, KindAnswers: 2, KindReferences: 2, KindJudgments: 3, KindVotes: 3, KindRatings: 3}

// ImportOptions controls an import.
type ImportOptions struct {
	// Replace overwrites records whose key exists with different content
	// instead of failing.
	Replace bool
	// Progress, when set, is called as files are read.
	Progress func(ImportProgress)
	// Map renames the files' columns to the fields the importers read
	// (field -> the file's column, see ParseColumnMap).
	Map map[string]string
	// Maps gives a file named in the paths its own column map, in place of
	// Map (by the path as given; the Import screen maps each file apart).
	Maps map[string]map[string]string
	// DryRun reads and checks everything and reports what an import would
	// store, with a preview of each file's first rows, and writes nothing.
	DryRun bool
}

// mapFor returns the column map of a path as named.
func (o ImportOptions) mapFor(path string) map[string]string {
	if m, ok := o.Maps[path]; ok {
		return m
	}
	return o.Map
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
	// Columns says which of the file's columns fill what (pairs and
	// answers tables): "prompt": "instruction", "annotator1": "pandalm:annotator1".
	Columns map[string]string `json:"columns,omitempty"`
	// Preview is the first rows as stored (pairs and answers tables).
	Preview []PreviewRow `json:"preview,omitempty"`
	// FileColumns are the file's own column names (of its first record,
	// sorted), in a dry run: what a column map may name.
	FileColumns []string `json:"file_columns,omitempty"`
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
	// pairs is the layout of a pairs file (KindPairs).
	pairs *pairsFile
	// keys are the field names of the first record (after the column map);
	// colMap is that map; names are the names as in the file, sorted.
	keys   map[string]bool
	colMap map[string]string
	names  []string
}

// Import reads files and folders in FastChat's MT-Bench layout and the
// Hugging Face human-judgments shapes, and applies them in dependency order
// (questions, prompts, answers, then judgments and votes) in one transaction:
// on any error nothing is written.
// A file named explicitly that is a study package (a SQLite file with a
// package id in its meta) is checked and merged back (package_import.go).
func (s *Store) Import(ctx context.Context, paths []string, opts ImportOptions) (*ImportReport, error) {
	rep := &ImportReport{Files: []FileReport{}, Unrecognised: []string{}}
	var files []inputFile
	var packages []*returnedPackage
	for _, p := range paths {
		if pkg, ok, err := s.returnedPackage(ctx, p); ok || err != nil {
			if err != nil {
				return nil, err
			}
			packages = append(packages, pkg)
			continue
		}
		fs, unrec, err := discover(p, opts.mapFor(p))
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
			if opts.DryRun {
				fr.FileColumns = f.names
			}
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
		for _, pkg := range packages {
			fr := FileReport{Path: pkg.path, Kind: KindPackage}
			if err := s.applyPackage(ctx, tx, pkg, &fr); err != nil {
				return &ImportError{Path: pkg.path, Err: err}
			}
			rep.Files = append(rep.Files, fr)
			rep.Added += fr.Added
			rep.Unchanged += fr.Unchanged
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if opts.DryRun && errors.Is(err, errDryRun) {
		return rep, nil
	}
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

// ErrUnrecognised is the error for a file named explicitly that no importer reads.
var ErrUnrecognised = errors.New("not a file Concord reads; expected FastChat's question.jsonl, judge_prompts.jsonl, " +
	"model_answer/*.jsonl, reference_answer/*.jsonl, model_judgment/*_pair.jsonl or *_single.jsonl, or a .jsonl, .json or .csv of " +
	"human votes (question_id, model_a, model_b, winner, judge), pairwise verdicts (question_id, model_1, model_2, g1_winner, g2_winner), " +
	"single ratings (question_id, model, judge, score), " +
	"prompts (name, prompt_template, type), questions (question_id, turns), or pairs with inline texts " +
	"(a prompt and response_a/response_b, output_1/output_2, response1/response2, conversation_a/conversation_b or chosen/rejected)")

// discover expands a path into recognised files and lists unrecognised ones.
func discover(root string, colMap map[string]string) ([]inputFile, []string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, nil, fmt.Errorf("import %s: %w", root, err)
	}
	if !st.IsDir() {
		f, ok, err := classify(root, colMap)
		if err != nil {
			return nil, nil, &ImportError{Path: root, Err: err}
		}
		if !ok { // named on purpose: an error, unlike a folder's other files
			return nil, nil, &ImportError{Path: root, Err: ErrUnrecognised}
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
		f, ok, err := classify(p, colMap)
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
func classify(path string, colMap map[string]string) (inputFile, bool, error) {
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
	}
	keys, err := firstKeys(path, format)
	if err != nil {
		return inputFile{}, false, err
	}
	f.names = sortedKeys(keys)
	if missing := renameKeys(keys, colMap); missing != "" {
		return inputFile{}, false, fieldErr(1, missing, "no such column (named in the column map)")
	}
	f.keys, f.colMap = keys, colMap
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
	case has("question_id", "model", "judge", "score"):
		f.kind = KindRatings
	case isPairsShape(keys):
		f.kind = KindPairs
		pf := newPairsFile(path, keys)
		f.pairs = &pf
	case isAnswersTableShape(keys):
		f.kind = KindAnswersTable
	case has("idx") && rowResultField(keys) != "":
		f.kind = KindRowVerdicts
	case has("name", "prompt_template", "type"):
		f.kind = KindPrompts
	case has("question_id", "category", "turns"), has("question_id", "turns") && !keys["model"] && !keys["model_id"]:
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

func sortedKeys(keys map[string]bool) []string {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ReadColumns returns the field names of a file's first record, sorted:
// the columns a column map may name. Files of other types than .jsonl, .json
// and .csv have none.
func ReadColumns(path string) ([]string, error) {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "jsonl" && format != "json" && format != "csv" {
		return nil, nil
	}
	keys, err := firstKeys(path, format)
	if err != nil {
		return nil, &ImportError{Path: path, Err: err}
	}
	return sortedKeys(keys), nil
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

	questions map[int]int    // question id -> number of turns
	keys      map[string]int // question key -> question id
	qkeys     map[int]string // question id -> key
	// nextReserved is the next question id for a key that is not an integer.
	nextReserved int
	models       map[string]int64
	annotators   map[string]int64
	judges       map[string]int64
	prompts      map[string]string  // name -> hash
	pairRows     map[string]pairRow // row index -> unit, of the pairs files read so far
	colMap       map[string]string  // field -> the file's column, of the current file
	preview      *[]PreviewRow      // of the current file, when it previews

	// Of the current votes file, for ids derived from a vote's key (see
	// settle): the largest vote id before it, and the rows of the stored
	// votes it matched.
	fileStart int64
	claimed   rowSet

	// The last question written and its answers by model, as written by
	// this import: rows that repeat them (a pairs file's rows on one
	// prompt) are unchanged without a statement. Bounded by one question.
	lastQ       lastQuestion
	lastAnswers map[int64][]string

	mu      sync.Mutex           // guards stmts: the vote writer runs beside the reader
	stmts   map[string]*sql.Stmt // statements by their text, prepared on first use
	pending []pendingVote        // validated votes not yet written
}

func newImporter(ctx context.Context, tx *sql.Tx, now time.Time, replace bool) (*importer, error) {
	im := &importer{ctx: ctx, tx: tx, now: now.UTC().Format(time.RFC3339), replace: replace,
		questions: map[int]int{}, keys: map[string]int{}, qkeys: map[int]string{}, models: map[string]int64{}, annotators: map[string]int64{},
		judges: map[string]int64{}, prompts: map[string]string{}, pairRows: map[string]pairRow{},
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
		load(`SELECT question_id, key, json_array_length(turns) FROM questions`, func(r *sql.Rows) error {
			var id, n int
			var k string
			err := r.Scan(&id, &k, &n)
			im.questions[id] = n
			im.keys[k] = id
			im.qkeys[id] = k
			if id >= im.nextReserved {
				im.nextReserved = id + 1
			}
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
	if f.kind == KindVotes || f.kind == KindJudgments || f.kind == KindPairs {
		im.claimed = im.claimed[:0]
		if err := im.queryRow(`SELECT coalesce(max(id), 0) FROM votes`).Scan(&im.fileStart); err != nil {
			return err
		}
		votes = im.startVoteWriter()
		defer votes.finish()
	}
	im.preview = nil
	im.colMap = f.colMap
	switch f.kind {
	case KindPairs, KindAnswersTable:
		fr.Preview = []PreviewRow{}
		im.preview = &fr.Preview
		fr.Columns = f.columns()
	}
	next := func() (result, error) {
		line, raw, err := rr.Next()
		if err != nil {
			return 0, err
		}
		if len(im.colMap) > 0 {
			if raw, err = renameRecord(line, raw, im.colMap); err != nil {
				return 0, err
			}
		}
		switch f.kind {
		case KindPairs:
			return im.pair(line, raw, f.pairs, source)
		case KindRowVerdicts:
			return im.rowVerdict(line, raw, rowJudge(f.path), source)
		case KindAnswersTable:
			return im.answerRow(line, raw, source)
		}
		return im.record(f.kind, line, raw, name, source)
	}
	if cr, ok := rr.(*csvReader); ok && f.kind == KindPairs && len(im.colMap) == 0 {
		next = func() (result, error) {
			line, cells, err := cr.row()
			if err != nil {
				return 0, err
			}
			return im.csvPair(line, cr.header, cells, f.pairs, source)
		}
	}
	if cr, ok := rr.(*csvReader); ok && f.kind == KindVotes && len(im.colMap) == 0 {
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
	case KindRatings:
		return im.rating(line, raw, source)
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

// jsonHash is contentHash of parts given already as their JSON, so a text
// marshalled for its column is not marshalled again for its hash.
func jsonHash(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
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
	case old == fromConversation:
		// Made from a vote's conversation: a file's own record replaces it.
	case !im.replace:
		return 0, &recordError{Line: line, Err: fmt.Errorf("%s already exists with different content (use --replace to overwrite)", what)}
	}
	if err := update(); err != nil {
		return 0, &recordError{Line: line, Err: fmt.Errorf("replace %s: %w", what, err)}
	}
	return replaced, nil
}

// fromConversation is what the existence queries of questions and answers
// read for a record made from a vote's conversation, which a question or
// answer file replaces without --replace.
const fromConversation = "conversation"

// checkUnit verifies that a vote or verdict names a known question, two
// different known models and a turn the question has.
func (im *importer) checkUnit(line, qid int, ma, mb string, turn int, fa, fb string) error {
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
		return fieldErr(line, "turn", "question %s has %d turn(s), got turn %d", im.keyOf(qid), n, turn)
	}
	return nil
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

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
