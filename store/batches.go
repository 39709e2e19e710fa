package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// BatchRecord is one part of a judge run handed to a provider's Batch API: a
// request file and the provider batch made from it. It is recorded before the
// file is uploaded, so a restart at any point finds it again.
type BatchRecord struct {
	ID         int64  `json:"id"`
	JudgeID    int64  `json:"judgeId"`
	Judge      string `json:"judge"`   // the judge's name (read only)
	Kind       string `json:"kind"`    // "pairwise" or "single"
	RunJSON    string `json:"runJson"` // the run's request, never the API key
	BaseURL    string `json:"baseUrl"`
	Nonce      string `json:"nonce"`  // sent as the provider batch's metadata
	FileID     string `json:"fileId"` // empty until uploaded
	RemoteID   string `json:"remoteId"`
	Status     string `json:"status"` // "preparing", "uploaded", then the provider's status
	Requests   int    `json:"requests"`
	Completed  int    `json:"completed"` // the provider's counts
	Failed     int    `json:"failed"`
	OutputFile string `json:"outputFile"`
	ErrorFile  string `json:"errorFile"`
	Ingested   bool   `json:"ingested"` // every result line is stored
	Error      string `json:"error,omitempty"`
	Stored     int    `json:"stored"`      // lines whose result is stored
	LinesFail  int    `json:"linesFailed"` // lines that failed at the provider
	CreatedAt  string `json:"createdAt"`
	UpdatedAt  string `json:"updatedAt"`
}

// Batch line states.
const (
	LineSent   = "sent"
	LineDone   = "done"
	LineFailed = "failed"
)

// BatchLine is one request line of a batch.
type BatchLine struct {
	CustomID string `json:"customId"`
	State    string `json:"state"`
	Error    string `json:"error,omitempty"`
}

// BatchOutcome is what one result line stores: for a pairwise line, a game
// (Key and Game, exactly as a live run saves it); for a single-answer line, a
// Rating (as SaveRating saves it); LineError is set when the provider failed
// the request (the line is then "failed", else "done").
type BatchOutcome struct {
	CustomID  string
	Key       *GameKey
	Game      Game
	Rating    *Rating
	LineError string
}

// ErrBatchLineTaken refuses a request line already in an open batch of the judge.
var ErrBatchLineTaken = errors.New("request is already in an open batch")

// CreateBatch records a batch part and its request lines in one transaction,
// before anything is sent. A line already in an open (not yet ingested)
// batch of the same judge is refused with ErrBatchLineTaken.
func (s *Store) CreateBatch(ctx context.Context, rec BatchRecord, customIDs []string) (int64, error) {
	var id int64
	now := s.Now().UTC().Format(time.RFC3339Nano)
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO batches(judge_id, kind, run_json, base_url, nonce, status, requests, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, 'preparing', ?, ?, ?)`, rec.JudgeID, rec.Kind, rec.RunJSON, rec.BaseURL, rec.Nonce, len(customIDs), now, now)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		taken, err := tx.PrepareContext(ctx, `SELECT 1 FROM batch_lines l JOIN batches b ON b.id = l.batch_id
			WHERE l.custom_id = ? AND b.judge_id = ? AND b.ingested = 0 AND b.id <> ? LIMIT 1`)
		if err != nil {
			return err
		}
		defer taken.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT INTO batch_lines(batch_id, custom_id) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, c := range customIDs {
			var one int
			switch err := taken.QueryRowContext(ctx, c, rec.JudgeID, id).Scan(&one); {
			case err == nil:
				return fmt.Errorf("%w: %s", ErrBatchLineTaken, c)
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			if _, err := ins.ExecContext(ctx, id, c); err != nil {
				return fmt.Errorf("line %s: %w", c, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record batch: %w", err)
	}
	return id, nil
}

// BatchUpdate is a batch's new state; empty strings leave a field as it is.
type BatchUpdate struct {
	FileID, RemoteID, Status string
	Completed, Failed        int
	OutputFile, ErrorFile    string
	Error                    string
	Ingested                 bool
}

// UpdateBatch records what became known about a batch.
func (s *Store) UpdateBatch(ctx context.Context, id int64, u BatchUpdate) error {
	err := s.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE batches SET
			file_id = coalesce(nullif(?, ''), file_id), remote_id = coalesce(nullif(?, ''), remote_id),
			status = coalesce(nullif(?, ''), status), completed = max(completed, ?), failed = max(failed, ?),
			output_file = coalesce(nullif(?, ''), output_file), error_file = coalesce(nullif(?, ''), error_file),
			error = coalesce(nullif(?, ''), error), ingested = max(ingested, ?), updated_at = ?
			WHERE id = ?`, u.FileID, u.RemoteID, u.Status, u.Completed, u.Failed, u.OutputFile, u.ErrorFile, u.Error,
			u.Ingested, s.Now().UTC().Format(time.RFC3339Nano), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("update batch %d: %w", id, err)
	}
	return nil
}

// Batches lists the recorded batches, oldest first; open only lists those
// whose results are not all stored yet.
func (s *Store) Batches(ctx context.Context, open bool) ([]BatchRecord, error) {
	q := `SELECT b.id, b.judge_id, j.name, b.kind, b.run_json, b.base_url, b.nonce, coalesce(b.file_id, ''), coalesce(b.remote_id, ''),
		b.status, b.requests, b.completed, b.failed, coalesce(b.output_file, ''), coalesce(b.error_file, ''), b.ingested,
		coalesce(b.error, ''), b.created_at, b.updated_at,
		(SELECT count(*) FROM batch_lines l WHERE l.batch_id = b.id AND l.state = 'done'),
		(SELECT count(*) FROM batch_lines l WHERE l.batch_id = b.id AND l.state = 'failed')
		FROM batches b JOIN judges j ON j.id = b.judge_id`
	if open {
		q += ` WHERE b.ingested = 0`
	}
	rows, err := s.read.QueryContext(ctx, q+` ORDER BY b.id`)
	if err != nil {
		return nil, fmt.Errorf("batches: %w", err)
	}
	defer rows.Close()
	out := []BatchRecord{}
	for rows.Next() {
		var b BatchRecord
		if err := rows.Scan(&b.ID, &b.JudgeID, &b.Judge, &b.Kind, &b.RunJSON, &b.BaseURL, &b.Nonce, &b.FileID, &b.RemoteID,
			&b.Status, &b.Requests, &b.Completed, &b.Failed, &b.OutputFile, &b.ErrorFile, &b.Ingested, &b.Error,
			&b.CreatedAt, &b.UpdatedAt, &b.Stored, &b.LinesFail); err != nil {
			return nil, fmt.Errorf("batches: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BatchLines lists a batch's lines in one state ("" for all), in custom_id order.
func (s *Store) BatchLines(ctx context.Context, batchID int64, state string) ([]BatchLine, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT custom_id, state, coalesce(error, '') FROM batch_lines
		WHERE batch_id = ? AND (? = '' OR state = ?) ORDER BY custom_id`, batchID, state, state)
	if err != nil {
		return nil, fmt.Errorf("batch %d lines: %w", batchID, err)
	}
	defer rows.Close()
	var out []BatchLine
	for rows.Next() {
		var l BatchLine
		if err := rows.Scan(&l.CustomID, &l.State, &l.Error); err != nil {
			return nil, fmt.Errorf("batch %d lines: %w", batchID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// BatchSaveReport counts what SaveBatchOutcomes did.
type BatchSaveReport struct {
	Stored     int // results written
	Duplicates int // lines already handled (a repeated line or a replay after a restart): nothing written
	Foreign    int // custom_ids that are not lines of the batch: refused, nothing written
}

// SaveBatchOutcomes stores result lines of a batch in one transaction: each
// line's game as SaveGame would (a finished game is never replaced) or its
// rating as SaveRating would, and the line's state. A line handled before, or not in the batch, writes nothing.
func (s *Store) SaveBatchOutcomes(ctx context.Context, batchID, judgeID int64, outs []BatchOutcome) (BatchSaveReport, error) {
	var rep BatchSaveReport
	err := s.Write(ctx, func(tx *sql.Tx) error {
		rep = BatchSaveReport{}
		get, err := tx.PrepareContext(ctx, `SELECT state FROM batch_lines WHERE batch_id = ? AND custom_id = ?`)
		if err != nil {
			return err
		}
		defer get.Close()
		set, err := tx.PrepareContext(ctx, `UPDATE batch_lines SET state = ?, error = ? WHERE batch_id = ? AND custom_id = ?`)
		if err != nil {
			return err
		}
		defer set.Close()
		for _, o := range outs {
			var state string
			switch err := get.QueryRowContext(ctx, batchID, o.CustomID).Scan(&state); {
			case errors.Is(err, sql.ErrNoRows):
				rep.Foreign++
				continue
			case err != nil:
				return err
			}
			if state != LineSent {
				rep.Duplicates++
				continue
			}
			if o.Key != nil {
				k := *o.Key
				if _, err := s.saveGameTx(ctx, tx, judgeID, k, o.Game); err != nil {
					return fmt.Errorf("line %s: %w", o.CustomID, err)
				}
			}
			if o.Rating != nil {
				if err := s.saveRatingTx(ctx, tx, judgeID, *o.Rating); err != nil {
					return fmt.Errorf("line %s: %w", o.CustomID, err)
				}
			}
			st := LineDone
			if o.LineError != "" {
				st = LineFailed
			}
			if _, err := set.ExecContext(ctx, st, judgingNullString(o.LineError), batchID, o.CustomID); err != nil {
				return err
			}
			rep.Stored++
		}
		return nil
	})
	if err != nil {
		return BatchSaveReport{}, fmt.Errorf("store batch %d results: %w", batchID, err)
	}
	return rep, nil
}
