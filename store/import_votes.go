package store

// Writing imported votes: validated votes are sorted and written in batches
// on a goroutine of their own while the file goes on being read.

import (
	"cmp"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
)

// pendingVote is a validated vote waiting to be written with its chunk.
type pendingVote struct {
	line, question, turn                       int
	annotator                                  int64
	timeMS                                     int
	uid, modelA, modelB, winner, left, created string
	rationale, source                          string
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
		v.uid = derivedVoteID(v.question, v.key, v.ordinal)
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

// derivedVoteID is the id of a vote that came without one: "q<question>:"
// and the first 24 hex digits of contentHash(key, ordinal), computed without
// contentHash's reflection.
func derivedVoteID(qid int, key string, ordinal uint32) string {
	buf := make([]byte, 0, 2*len(key)+16)
	buf = appendJSONString(buf, key)
	buf = append(buf, 0)
	buf = strconv.AppendUint(buf, uint64(ordinal), 10)
	buf = append(buf, 0)
	sum := sha256.Sum256(buf)
	var id [24]byte
	hex.Encode(id[:], sum[:12])
	return "q" + strconv.Itoa(qid) + ":" + string(id[:])
}

// DerivedVoteID is the id Import gives the ordinal-th vote with key (the
// annotator, question, models in canonical order and turn, joined by NUL
// bytes) in a file whose votes have no ids.
func DerivedVoteID(question int, key string, ordinal uint32) string {
	return derivedVoteID(question, key, ordinal)
}
