package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"concord/store/outcome"
)

// MaxVoteTimeMS caps the time on task stored with one vote (one hour): a
// longer figure means the clock was left running, not work.
const MaxVoteTimeMS = 3600_000

// Choices an annotator can make, in screen terms (A is the left answer):
// a person makes a choice (a vote), a judge gives a verdict.
const (
	ChoiceA       = "A"
	ChoiceB       = "B"
	ChoiceTie     = "tie"
	ChoiceBothBad = "both_bad"
	ChoiceSkip    = "skip"
)

// ErrNothingToUndo is returned by Undo when the annotator has no current vote in the study.
var ErrNothingToUndo = errors.New("nothing to undo")

// ErrAlreadyVoted is returned by RecordVote when the item's turn already has a
// current vote (a skip is replaced with ReplaceSkip instead; see Skipped).
var ErrAlreadyVoted = errors.New("this turn already has a vote; undo it first")

// VoteRequest is an annotator's choice on the turn of a study item.
type VoteRequest struct {
	StudyID   int64  `json:"study_id"`
	Annotator string `json:"annotator"`
	Pos       int    `json:"pos"`
	Turn      int    `json:"turn"`
	// Choice is "A" (left better), "B" (right better), "tie", "both_bad" or "skip".
	Choice    string `json:"choice"`
	TimeMS    int64  `json:"time_ms"`
	Rationale string `json:"rationale"`
}

// canonicalWinner maps a choice on the screen to the stored winner given the left
// model: the screen's pair is (left, right), the table's (ModelA, ModelB).
func canonicalWinner(choice string, e QueueEntry) (string, error) {
	w, err := outcome.ParseScreen(choice)
	if err != nil {
		return "", err
	}
	if e.Left != e.ModelA {
		w = w.Swap()
	}
	return w.Vote(), nil
}

func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RecordVote stores one choice as a new row of the votes log, in one
// transaction that has committed when it returns. The left model comes from
// the annotator's queue, never from the caller. An annotator not yet known
// is created in group "local".
func (s *Store) RecordVote(ctx context.Context, req VoteRequest) (*Vote, error) {
	req.Annotator = strings.TrimSpace(req.Annotator)
	if req.Annotator == "" {
		return nil, errors.New("vote: identify yourself first (annotator name is empty)")
	}
	entry, err := s.votedEntry(ctx, req.StudyID, req.Annotator, req.Pos, req.Turn)
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	it := entry.StudyItem
	winner, err := canonicalWinner(req.Choice, entry)
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	ms := min(max(req.TimeMS, 0), MaxVoteTimeMS)
	now := s.Now().UTC()
	v := &Vote{UID: newUID(), Annotator: req.Annotator, QuestionID: it.QuestionID, ModelA: it.ModelA, ModelB: it.ModelB,
		Turn: req.Turn, Winner: winner, Left: entry.Left, StudyID: req.StudyID, CreatedAt: now, TimeMS: ms,
		Rationale: strings.TrimSpace(req.Rationale), Source: "concord"}
	err = s.Write(ctx, func(tx *sql.Tx) error {
		aid, grp, err := ensureAnnotator(ctx, tx, req.Annotator)
		if err != nil {
			return err
		}
		v.Group = grp
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM votes WHERE annotator_id = ? AND study_id = ? AND question_id = ? AND model_a = ? AND model_b = ? AND turn = ? AND withdrawn_at IS NULL`,
			aid, req.StudyID, it.QuestionID, it.ModelA, it.ModelB, req.Turn).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadyVoted
		}
		return insertVote(ctx, tx, v, aid, now)
	})
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	return v, nil
}

// insertVote appends a vote made in the app to the log and sets its ID.
func insertVote(ctx context.Context, tx *sql.Tx, v *Vote, annotatorID int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, left_model, study_id, created_at, time_ms, rationale, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.UID, annotatorID, v.QuestionID, v.ModelA, v.ModelB, v.Turn, v.Winner, v.Left, v.StudyID, now.Format(time.RFC3339Nano), v.TimeMS, v.Rationale, v.Source)
	if err != nil {
		return err
	}
	v.ID, _ = res.LastInsertId()
	return nil
}

func ensureAnnotator(ctx context.Context, tx *sql.Tx, name string) (int64, string, error) {
	var id int64
	var grp string
	err := tx.QueryRowContext(ctx, `SELECT id, grp FROM annotators WHERE name = ?`, name).Scan(&id, &grp)
	if err == nil {
		return id, grp, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, "", err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO annotators(name, grp) VALUES (?, ?)`, name, LocalGroup)
	if err != nil {
		return 0, "", err
	}
	id, _ = res.LastInsertId()
	return id, LocalGroup, nil
}

// Undo withdraws the annotator's latest current vote in the study (the row
// stays in the log with withdrawn_at set) and returns it.
func (s *Store) Undo(ctx context.Context, studyID int64, annotator string) (*Vote, error) {
	var v Vote
	err := s.Write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT v.id, v.uid, v.question_id, v.model_a, v.model_b, v.turn, v.winner, coalesce(v.left_model, '')
			FROM votes v JOIN annotators a ON a.id = v.annotator_id
			WHERE v.study_id = ? AND a.name = ? AND v.withdrawn_at IS NULL ORDER BY v.id DESC LIMIT 1`, studyID, annotator).
			Scan(&v.ID, &v.UID, &v.QuestionID, &v.ModelA, &v.ModelB, &v.Turn, &v.Winner, &v.Left)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNothingToUndo
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE votes SET withdrawn_at = ? WHERE id = ?`, s.Now().UTC().Format(time.RFC3339Nano), v.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("undo: %w", err)
	}
	v.Annotator, v.StudyID = annotator, studyID
	return &v, nil
}

// Skipped turns: a turn the annotator skipped comes back once, after every
// unvoted turn of their queue (in queue order). A choice on it then replaces
// the skip: the skip row is withdrawn, as an undo would, in the transaction
// that records the choice, so the log keeps both. Skipping it a second time
// leaves it skipped for good. Skips count as done in Progress throughout.

// votedEntry returns the annotator's queue entry for item pos of a study,
// checking that it has the turn.
func (s *Store) votedEntry(ctx context.Context, studyID int64, annotator string, pos, turn int) (QueueEntry, error) {
	q, err := s.Queue(ctx, studyID, annotator)
	if err != nil {
		return QueueEntry{}, err
	}
	i := slices.IndexFunc(q, func(e QueueEntry) bool { return e.Pos == pos })
	if i < 0 {
		return QueueEntry{}, fmt.Errorf("study %d has no item %d", studyID, pos)
	}
	if !slices.Contains(q[i].Turns, turn) {
		return QueueEntry{}, fmt.Errorf("item %d of study %d has no turn %d to vote", pos, studyID, turn)
	}
	return q[i], nil
}

// Skipped reports whether the annotator's current vote on a turn of a study
// item is a skip: a choice on that turn then goes to ReplaceSkip, and to
// RecordVote otherwise.
func (s *Store) Skipped(ctx context.Context, studyID int64, annotator string, pos, turn int) (bool, error) {
	annotator = strings.TrimSpace(annotator)
	entry, err := s.votedEntry(ctx, studyID, annotator, pos, turn)
	if err != nil {
		return false, fmt.Errorf("vote: %w", err) // asked before a vote: the vote's error
	}
	var cur string
	err = s.read.QueryRowContext(ctx, `SELECT v.winner FROM votes v JOIN annotators a ON a.id = v.annotator_id
		WHERE a.name = ? AND v.study_id = ? AND v.question_id = ? AND v.model_a = ? AND v.model_b = ? AND v.turn = ? AND v.withdrawn_at IS NULL`,
		annotator, studyID, entry.QuestionID, entry.ModelA, entry.ModelB, turn).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("skipped: %w", err)
	}
	return cur == ChoiceSkip, nil
}

// CastVote records a choice on a turn in one transaction, whatever the
// turn's state: a new vote when it has none, the replacement of a skip
// (withdrawn in the same transaction, as ReplaceSkip does) when its current
// vote is a skip, and ErrAlreadyVoted otherwise. It is RecordVote and
// ReplaceSkip behind Skipped without the separate read: the window's one
// write per vote. The vote has committed when it returns.
func (s *Store) CastVote(ctx context.Context, req VoteRequest) (*Vote, error) {
	req.Annotator = strings.TrimSpace(req.Annotator)
	if req.Annotator == "" {
		return nil, errors.New("vote: identify yourself first (annotator name is empty)")
	}
	entry, err := s.votedEntry(ctx, req.StudyID, req.Annotator, req.Pos, req.Turn)
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	winner, err := canonicalWinner(req.Choice, entry)
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	it := entry.StudyItem
	now := s.Now().UTC()
	v := &Vote{UID: newUID(), Annotator: req.Annotator, QuestionID: it.QuestionID, ModelA: it.ModelA, ModelB: it.ModelB,
		Turn: req.Turn, Winner: winner, Left: entry.Left, StudyID: req.StudyID, CreatedAt: now,
		TimeMS: min(max(req.TimeMS, 0), MaxVoteTimeMS), Rationale: strings.TrimSpace(req.Rationale), Source: "concord"}
	err = s.Write(ctx, func(tx *sql.Tx) error {
		aid, grp, err := ensureAnnotator(ctx, tx, req.Annotator)
		if err != nil {
			return err
		}
		v.Group = grp
		var id int64
		var cur string
		err = tx.QueryRowContext(ctx, `SELECT id, winner FROM votes
			WHERE annotator_id = ? AND study_id = ? AND question_id = ? AND model_a = ? AND model_b = ? AND turn = ? AND withdrawn_at IS NULL`,
			aid, req.StudyID, it.QuestionID, it.ModelA, it.ModelB, req.Turn).Scan(&id, &cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case cur != ChoiceSkip:
			return ErrAlreadyVoted
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE votes SET withdrawn_at = ? WHERE id = ?`, now.Format(time.RFC3339Nano), id); err != nil {
				return err
			}
		}
		return insertVote(ctx, tx, v, aid, now)
	})
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	return v, nil
}

// ErrNotSkipped is returned by ReplaceSkip when the turn's current vote is not a skip.
var ErrNotSkipped = errors.New("this turn has no skip to replace")

// ReplaceSkip records a choice on a turn whose current vote is a skip: in
// one transaction it withdraws the skip and inserts the new vote (which may
// be a second skip). It returns ErrNotSkipped when the current vote is not a
// skip, or there is none (then RecordVote is the call to make).
func (s *Store) ReplaceSkip(ctx context.Context, req VoteRequest) (*Vote, error) {
	req.Annotator = strings.TrimSpace(req.Annotator)
	entry, err := s.votedEntry(ctx, req.StudyID, req.Annotator, req.Pos, req.Turn)
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	winner, err := canonicalWinner(req.Choice, entry)
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	it := entry.StudyItem
	now := s.Now().UTC()
	v := &Vote{UID: newUID(), Annotator: req.Annotator, QuestionID: it.QuestionID, ModelA: it.ModelA, ModelB: it.ModelB,
		Turn: req.Turn, Winner: winner, Left: entry.Left, StudyID: req.StudyID, CreatedAt: now,
		TimeMS: min(max(req.TimeMS, 0), MaxVoteTimeMS), Rationale: strings.TrimSpace(req.Rationale), Source: "concord"}
	err = s.Write(ctx, func(tx *sql.Tx) error {
		var id, aid int64
		var cur, grp string
		err := tx.QueryRowContext(ctx, `SELECT v.id, v.winner, a.id, a.grp FROM votes v JOIN annotators a ON a.id = v.annotator_id
			WHERE a.name = ? AND v.study_id = ? AND v.question_id = ? AND v.model_a = ? AND v.model_b = ? AND v.turn = ? AND v.withdrawn_at IS NULL`,
			req.Annotator, req.StudyID, it.QuestionID, it.ModelA, it.ModelB, req.Turn).Scan(&id, &cur, &aid, &grp)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && cur != ChoiceSkip) {
			return ErrNotSkipped
		}
		if err != nil {
			return err
		}
		v.Group = grp
		if _, err := tx.ExecContext(ctx, `UPDATE votes SET withdrawn_at = ? WHERE id = ?`, now.Format(time.RFC3339Nano), id); err != nil {
			return err
		}
		return insertVote(ctx, tx, v, aid, now)
	})
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	return v, nil
}
