package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Skipped turns: a turn the annotator skipped comes back once, after every
// unvoted turn of their queue (in queue order). A verdict on it then replaces
// the skip: the skip row is withdrawn, as an undo would, in the transaction
// that records the verdict, so the log keeps both. Skipping it a second time
// leaves it skipped for good. Skips count as done in Progress throughout.

// ErrNotSkipped is returned by ReplaceSkip when the turn's current vote is not a skip.
var ErrNotSkipped = errors.New("this turn has no skip to replace")

// NextSkipped returns the first turn of the annotator's queue whose current
// vote is a skip and which has been skipped only once, with the number of
// such turns; nil and 0 when there are none. NextItem comes first: callers
// ask for a skipped turn only when NextItem has nothing left.
func (s *Store) NextSkipped(ctx context.Context, studyID int64, annotator string) (*Next, int, error) {
	q, err := s.Queue(ctx, studyID, annotator)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT question_id, model_a, model_b, turn,
			coalesce(max(CASE WHEN withdrawn_at IS NULL THEN winner END), ''), sum(winner = 'skip')
		FROM votes WHERE study_id = ? AND annotator_id = (SELECT id FROM annotators WHERE name = ?)
		GROUP BY question_id, model_a, model_b, turn`, studyID, annotator)
	if err != nil {
		return nil, 0, fmt.Errorf("study %d skipped turns: %w", studyID, err)
	}
	defer rows.Close()
	type unit struct {
		qid  int
		a, b string
		turn int
	}
	again := map[unit]bool{}
	for rows.Next() {
		var u unit
		var cur string
		var skips int
		if err := rows.Scan(&u.qid, &u.a, &u.b, &u.turn, &cur, &skips); err != nil {
			return nil, 0, fmt.Errorf("study %d skipped turns: %w", studyID, err)
		}
		if cur == VerdictSkip && skips == 1 {
			again[u] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("study %d skipped turns: %w", studyID, err)
	}
	if len(again) == 0 {
		return nil, 0, nil
	}
	var first *Next
	for _, e := range q {
		for _, t := range e.Turns {
			if again[unit{e.QuestionID, e.ModelA, e.ModelB, t}] && first == nil {
				first = &Next{Entry: e, Turn: t}
			}
		}
	}
	if first == nil {
		return nil, 0, nil
	}
	if first.Progress, err = s.Progress(ctx, studyID, annotator); err != nil {
		return nil, 0, err
	}
	return first, len(again), nil
}

// ReplaceSkip records a verdict on a turn whose current vote is a skip: in
// one transaction it withdraws the skip and inserts the new vote (which may
// be a second skip). It returns ErrNotSkipped when the current vote is not a
// skip, or there is none (then RecordVote is the call to make).
func (s *Store) ReplaceSkip(ctx context.Context, req VoteRequest) (*Vote, error) {
	req.Annotator = strings.TrimSpace(req.Annotator)
	q, err := s.Queue(ctx, req.StudyID, req.Annotator)
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	i := slices.IndexFunc(q, func(e QueueEntry) bool { return e.Pos == req.Pos })
	if i < 0 {
		return nil, fmt.Errorf("vote: study %d has no item %d", req.StudyID, req.Pos)
	}
	entry := q[i]
	if !slices.Contains(entry.Turns, req.Turn) {
		return nil, fmt.Errorf("vote: item %d of study %d has no turn %d to vote", req.Pos, req.StudyID, req.Turn)
	}
	winner, err := canonicalWinner(req.Verdict, entry)
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
		if errors.Is(err, sql.ErrNoRows) || (err == nil && cur != VerdictSkip) {
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
