package store

// Votes: reading the human-judgment records of every shape (Hugging Face
// JSONL and JSON, the label-only CSV) and writing the validated votes in
// batches on a goroutine of their own while the file goes on being read.

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"concord/store/outcome"
)

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
	QuestionID keyField        `json:"question_id"`
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
	qkey, err := r.QuestionID.get(line, "question_id")
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
	if err := im.conversationAnswers(line, qkey, *r); err != nil {
		return 0, err
	}
	qid, err := im.questionID(line, "question_id", qkey)
	if err != nil {
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
		key = judge + "\x00" + qkey + "\x00" + ma + "\x00" + mb + "\x00" + strconv.Itoa(turn)
		uid = derivedVoteID(qkey, key, 1)
	}
	im.pending = append(im.pending, pendingVote{line: line, uid: uid, key: key, ordinal: 1, annotator: aid, question: qid, qkey: qkey, modelA: ma, modelB: mb,
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

// conversationQuestion makes the question of a vote whose conversation_a
// holds its user turns when no question of that key is known (Chatbot
// Arena's conversations export, Hugging Face's MT-Bench human judgments
// imported alone), with the row's category or uncategorised; a later turn's
// conversation extends it. A question file imported later replaces it.
func (im *importer) conversationQuestion(line int, qkey string, r voteRec) error {
	var turns []string
	for _, m := range r.ConvA {
		if m.Role == "user" {
			turns = append(turns, m.Content)
		}
	}
	if len(turns) == 0 {
		return nil
	}
	category := Uncategorised
	if strings.TrimSpace(r.Category) != "" {
		category = r.Category
	}
	id, known := im.keys[qkey]
	if !known {
		_, err := im.putQuestion(line, qkey, category, turns, nil, "conversation")
		return err
	}
	if len(turns) <= im.questions[id] {
		return nil
	}
	// A later turn's conversation extends a question that conversations
	// made (a question file's own turns are never changed here).
	res, err := im.exec(`UPDATE questions SET turns = ?, content_hash = ? WHERE question_id = ? AND source = 'conversation'`,
		mustJSON(turns), contentHash(category, turns, []string(nil)), id)
	if err != nil {
		return &recordError{Line: line, Err: err}
	}
	if n, _ := res.RowsAffected(); n == 1 {
		im.questions[id] = len(turns)
		im.lastQ, im.lastAnswers = lastQuestion{}, nil
	}
	return nil
}

// conversationAnswers stores answers carried by a vote's conversation_a/b
// when they are not already imported.
func (im *importer) conversationAnswers(line int, qkey string, r voteRec) error {
	if len(r.ConvA) == 0 && len(r.ConvB) == 0 {
		return nil
	}
	im.lastAnswers = nil // the statements below change answers behind putAnswer's back
	if err := im.conversationQuestion(line, qkey, r); err != nil {
		return err
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
		qid, err := im.questionID(line, "question_id", qkey)
		if err != nil {
			return err
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

// pendingVote is a validated vote waiting to be written with its chunk.
type pendingVote struct {
	line, question, turn                       int
	annotator                                  int64
	timeMS                                     int
	uid, modelA, modelB, winner, left, created string
	rationale, source                          string
	qkey                                       string // the question's key
	key                                        string // of a vote without an id, which uid derives from with ordinal
	ordinal                                    uint32
}

// voteChunk is how many votes are validated before they are written, sorted
// by id: sorted inserts touch the indexes' pages in order instead of at
// random (SQLite's work per vote drops by about 40%), and memory stays
// bounded by the three chunks in hand (being read, queued, being written).
const voteChunk = 20_000

// voteWriter writes chunks of validated votes on a goroutine of its own
// while the file goes on being read and checked, so that parsing and
// SQLite's work overlap. Both use the import's transaction; database/sql
// runs their statements one at a time.
type voteWriter struct {
	chunks chan []batch
	done   chan struct{}
	failed atomic.Bool
	err    error      // the first write error; read after done
	counts FileReport // outcomes of the votes written; read after done
	closed bool
}

func (im *importer) startVoteWriter() *voteWriter {
	w := &voteWriter{chunks: make(chan []batch, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for chunk := range w.chunks {
			if w.err == nil {
				if w.err = im.writeChunk(chunk, &w.counts); w.err != nil {
					w.failed.Store(true)
				}
			}
		}
	}()
	return w
}

// send sorts a chunk, cuts it into batches with their statements' arguments
// and hands them to the writer, or returns the writer's error once it
// failed. Doing this here keeps it off the writer, the slower of the two.
func (w *voteWriter) send(chunk []pendingVote) error {
	if w.failed.Load() {
		return w.finish()
	}
	if len(chunk) == 0 {
		return nil
	}
	order := sortedByID(chunk)
	batches := make([]batch, 0, (len(order)+voteBatch-1)/voteBatch)
	for start := 0; start < len(order); start += voteBatch {
		batches = append(batches, newBatch(order[start:min(start+voteBatch, len(order))]))
	}
	w.chunks <- batches
	return nil
}

// sortedByID returns pointers to a chunk's votes in id order (sorting the
// wide structs themselves cost more); repeats of an id keep file order.
func sortedByID(chunk []pendingVote) []*pendingVote {
	order := make([]*pendingVote, len(chunk))
	for i := range chunk {
		order[i] = &chunk[i]
	}
	slices.SortFunc(order, func(a, b *pendingVote) int {
		return cmp.Or(strings.Compare(a.uid, b.uid), a.line-b.line)
	})
	return order
}

// finish waits for every chunk to be written and returns the first error.
func (w *voteWriter) finish() error {
	if !w.closed {
		w.closed = true
		close(w.chunks)
	}
	<-w.done
	return w.err
}

// writeChunk writes a chunk's batches and counts the outcomes.
func (im *importer) writeChunk(batches []batch, counts *FileReport) error {
	for _, b := range batches {
		if err := im.writeBatch(b, counts); err != nil {
			return err
		}
	}
	return nil
}

// voteBatch is how many votes one INSERT statement writes.
const voteBatch = 100

// batch is votes that one INSERT statement writes, with its arguments.
type batch struct {
	votes  []*pendingVote
	packed bool // see packable
	args   []any
}

func newBatch(votes []*pendingVote) batch {
	b := batch{votes: votes, packed: packable(votes), args: make([]any, 0, 12*len(votes))}
	if b.packed {
		v := votes[0]
		b.args = append(b.args, nullable(v.left), v.created, v.timeMS, v.rationale, v.source)
	}
	for _, v := range votes {
		if b.packed {
			b.args = append(b.args, v.uid, v.annotator<<40|int64(v.question)<<8|int64(v.turn)<<3|int64(winnerCodes[v.winner]), v.modelA, v.modelB)
			continue
		}
		b.args = append(b.args, v.uid, v.annotator, v.question, v.modelA, v.modelB, v.turn, v.winner, nullable(v.left), v.created, v.timeMS, v.rationale, v.source)
	}
	return b
}

// writeBatch inserts a batch's votes with one statement, skipping ids that
// exist (OR IGNORE rather than ON CONFLICT: no row can abort the statement,
// so SQLite keeps no statement journal, a copy of every page the batch
// touches). When some were skipped, settle finds out why, vote by vote.
func (im *importer) writeBatch(b batch, counts *FileReport) error {
	votes := b.votes
	stmt, err := im.batchInsert(len(votes), b.packed)
	if err != nil {
		return &recordError{Line: votes[0].line, Err: fmt.Errorf("write votes: %w", err)}
	}
	res, err := stmt.ExecContext(im.ctx, b.args...)
	if err != nil {
		return &recordError{Line: votes[0].line, Err: fmt.Errorf("write votes: %w", err)}
	}
	n, _ := res.RowsAffected()
	if int(n) == len(votes) {
		counts.Added += len(votes)
		return nil
	}
	// New rows take the ids after the largest (no id is given), so the n
	// rows this statement added are the n largest.
	var before int64
	if err := im.queryRow(`SELECT coalesce(max(id), 0) FROM votes`).Scan(&before); err != nil {
		return &recordError{Line: votes[0].line, Err: fmt.Errorf("write votes: %w", err)}
	}
	before -= n
	stored, err := im.storedVotes(votes)
	if err != nil {
		return &recordError{Line: votes[0].line, Err: fmt.Errorf("write votes: %w", err)}
	}
	taken := map[int64]bool{}
	for _, v := range votes {
		res, err := im.settle(v, stored[v.uid], before, taken)
		if err != nil {
			return err
		}
		counts.count(res)
	}
	return nil
}

// storedVote is what an imported vote is compared with.
type storedVote struct {
	id, annotator int64
	winner, left  string
}

const storedVoteCols = `id, annotator_id, winner, coalesce(left_model, '')`

// storedVotes returns the stored votes with the batch's vote ids, by id.
func (im *importer) storedVotes(batch []*pendingVote) (map[string]storedVote, error) {
	args := make([]any, len(batch))
	for i, v := range batch {
		args[i] = v.uid
	}
	stmt, err := im.prepared(`SELECT uid, ` + storedVoteCols + ` FROM votes WHERE uid IN (?` + strings.Repeat(", ?", len(batch)-1) + `)`)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(im.ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]storedVote, len(batch))
	for rows.Next() {
		var uid string
		var sv storedVote
		if err := rows.Scan(&uid, &sv.id, &sv.annotator, &sv.winner, &sv.left); err != nil {
			return nil, err
		}
		out[uid] = sv
	}
	return out, rows.Err()
}

// storedVoteByID returns the stored vote with a vote id (id 0 for none).
func (im *importer) storedVoteByID(uid string) (storedVote, error) {
	var sv storedVote
	err := im.queryRow(`SELECT `+storedVoteCols+` FROM votes WHERE uid = ?`, uid).Scan(&sv.id, &sv.annotator, &sv.winner, &sv.left)
	if errors.Is(err, sql.ErrNoRows) {
		return storedVote{}, nil
	}
	return sv, err
}

// settle decides what became of a vote of a batch some of whose votes were
// not inserted; sv is the stored vote of its vote id (id 0 for none), before
// the largest id before the batch, and taken the rows added by the batch that
// earlier votes have accounted for.
//
// A row the batch added and no earlier vote took is the vote's own. Any other
// row is a stored vote with the same id: compared with the vote, it is
// unchanged or (with --replace) replaced, or the import fails. But a vote
// without an id whose derived id this file already used (a row this file
// added, or one it matched) is the next repeat of its key: it moves on to the
// next ordinal until it finds a free id or a stored vote it has not matched
// yet. So a file needs no memory of the keys it has seen, and the n-th
// repeat of a key gets ordinal n+1, as when the file is imported again.
func (im *importer) settle(v *pendingVote, sv storedVote, before int64, taken map[int64]bool) (result, error) {
	for {
		id := sv.id
		if id == 0 {
			// INSERT OR IGNORE also skips rows that break a CHECK; the
			// checks above should have caught it first.
			return 0, &recordError{Line: v.line, Err: fmt.Errorf("vote %s was refused by the database (a constraint of the votes table)", v.uid)}
		}
		if id > before && !taken[id] {
			taken[id] = true
			return added, nil
		}
		if v.key == "" || (id <= im.fileStart && !im.claimed.has(id)) {
			res, err := im.compareVote(v, sv)
			if err == nil && v.key != "" {
				im.claimed.add(id)
			}
			return res, err
		}
		v.ordinal++
		v.uid = derivedVoteID(v.qkey, v.key, v.ordinal)
		res, err := im.exec(`INSERT OR IGNORE INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, left_model, created_at, time_ms, rationale, source)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.uid, v.annotator, v.question, v.modelA, v.modelB, v.turn, v.winner, nullable(v.left), v.created, v.timeMS, v.rationale, v.source)
		if err != nil {
			return 0, &recordError{Line: v.line, Err: fmt.Errorf("write votes: %w", err)}
		}
		if n, _ := res.RowsAffected(); n == 1 {
			id, _ = res.LastInsertId()
			taken[id] = true
			return added, nil
		}
		if sv, err = im.storedVoteByID(v.uid); err != nil {
			return 0, &recordError{Line: v.line, Err: err}
		}
	}
}

// rowSet is a set of row ids, a bit each.
type rowSet []uint64

func (s *rowSet) add(id int64) {
	i := int(id >> 6)
	if i >= len(*s) {
		*s = append(*s, make([]uint64, i+1-len(*s))...)
	}
	(*s)[i] |= 1 << (id & 63)
}

func (s rowSet) has(id int64) bool {
	i := int(id >> 6)
	return i < len(s) && s[i]&(1<<(id&63)) != 0
}

// Binding a parameter costs about as much as SQLite's own work on a column
// (the driver copies each string into C memory, under SQLite's mutex), so
// most batches bind four parameters a vote instead of twelve: the columns
// that come from the file rather than the vote (left model, time, time on
// task, rationale, source) are bound once for the batch, and the annotator,
// question, turn and winner travel in one integer that the statement takes
// apart:
//
//	annotator<<40 | question<<8 | turn<<3 | winner code
//
// packable reports whether a batch can go that way: its votes share the
// file's columns and their numbers fit their bits.
func packable(batch []*pendingVote) bool {
	first := batch[0]
	for _, v := range batch {
		if v.left != first.left || v.created != first.created || v.timeMS != first.timeMS || v.rationale != first.rationale || v.source != first.source {
			return false
		}
		if _, ok := winnerCodes[v.winner]; !ok || v.annotator < 0 || v.annotator >= 1<<23 || v.question < 0 || v.question >= 1<<32 || v.turn < 0 || v.turn >= 1<<5 {
			return false
		}
	}
	return true
}

// winnerCodes are the winners' codes in a packed vote; packedWinner decodes them.
var winnerCodes = map[string]int{"model_a": 0, "model_b": 1, "tie": 2, "both_bad": 3, "skip": 4}

const packedWinner = `CASE column2 & 7 WHEN 0 THEN 'model_a' WHEN 1 THEN 'model_b' WHEN 2 THEN 'tie' WHEN 3 THEN 'both_bad' WHEN 4 THEN 'skip' END`

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// batchInsert prepares an INSERT of n votes, twelve parameters a vote or,
// when packed, the file's five and then four a vote (see packable).
func (im *importer) batchInsert(n int, packed bool) (*sql.Stmt, error) {
	cols := `uid, annotator_id, question_id, model_a, model_b, turn, winner, left_model, created_at, time_ms, rationale, source`
	row := "(?" + strings.Repeat(", ?", 11) + ")"
	if packed {
		row = "(?, ?, ?, ?)"
	}
	values := row + strings.Repeat(", "+row, n-1)
	if !packed {
		return im.prepared(`INSERT OR IGNORE INTO votes(` + cols + `) VALUES ` + values)
	}
	// The file's values come first: SQLite numbers anonymous parameters in
	// the order they appear (numbered ones make the driver's binding
	// quadratic).
	return im.prepared(`INSERT OR IGNORE INTO votes(` + cols + `)
		SELECT column1, column2 >> 40, (column2 >> 8) & 4294967295, column3, column4, (column2 >> 3) & 31, ` + packedWinner + `, ?, ?, ?, ?, ?
		FROM (VALUES ` + values + `)`)
}

// compareVote compares a vote with the stored vote of the same id: the same
// is unchanged, a different one is an error or, with --replace, replaces it.
func (im *importer) compareVote(v *pendingVote, sv storedVote) (result, error) {
	if sv.annotator == v.annotator && sv.winner == v.winner && sv.left == v.left {
		return unchanged, nil
	}
	if !im.replace {
		return 0, &recordError{Line: v.line, Err: fmt.Errorf("vote %s already exists with different content (use --replace to overwrite)", v.uid)}
	}
	var left any
	if v.left != "" {
		left = v.left
	}
	if _, err := im.exec(`UPDATE votes SET annotator_id = ?, question_id = ?, model_a = ?, model_b = ?, turn = ?, winner = ?, left_model = ?, time_ms = ?, rationale = ?, source = ? WHERE uid = ?`,
		v.annotator, v.question, v.modelA, v.modelB, v.turn, v.winner, left, v.timeMS, v.rationale, v.source, v.uid); err != nil {
		return 0, &recordError{Line: v.line, Err: err}
	}
	return replaced, nil
}

// derivedVoteID is the id of a vote that came without one: "q<question key>:"
// and the first 24 hex digits of contentHash(key, ordinal), computed without
// contentHash's reflection.
func derivedVoteID(qkey string, key string, ordinal uint32) string {
	buf := make([]byte, 0, 2*len(key)+16)
	buf = appendJSONString(buf, key)
	buf = append(buf, 0)
	buf = strconv.AppendUint(buf, uint64(ordinal), 10)
	buf = append(buf, 0)
	sum := sha256.Sum256(buf)
	var id [24]byte
	hex.Encode(id[:], sum[:12])
	return "q" + qkey + ":" + string(id[:])
}

// DerivedVoteID is the id Import gives the ordinal-th vote with key (the
// annotator, question, models in canonical order and turn, joined by NUL
// bytes) in a file whose votes have no ids.
func DerivedVoteID(question int, key string, ordinal uint32) string {
	return derivedVoteID(strconv.Itoa(question), key, ordinal)
}
