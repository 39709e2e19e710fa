package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Experiment kinds (issue 13, STATS.md §10).
const (
	ExperimentVerbosity = "verbosity" // original vs padded answer, both orders
	ExperimentReference = "reference" // math and reasoning judged with and without the reference
	ExperimentPosition  = "position"  // the same pairs with the labels renamed
	ExperimentRepeat    = "repeat"    // the same units judged again (test-retest)
)

// Experiment is a probe of a judge; its verdicts are stored under ProbeJudge.
type Experiment struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Judge      string `json:"judge"`
	ProbeJudge string `json:"probe_judge"`
	Settings   string `json:"settings"` // JSON
	CreatedAt  string `json:"created_at"`
}

// ExperimentItem is one unit of an experiment; for the verbosity probe Model2
// names the padded copy of Model1's answer and Variant holds its turns (JSON).
type ExperimentItem struct {
	QuestionID int    `json:"question_id"`
	Model1     string `json:"model_1"`
	Model2     string `json:"model_2"`
	Turn       int    `json:"turn"`
	Variant    string `json:"variant,omitempty"`
}

// ErrNoExperiment is returned for an unknown experiment.
var ErrNoExperiment = errors.New("no such experiment")

// FindExperiment returns the newest experiment of kind on judge with exactly
// these settings, so that running a probe again resumes it; ok is false when
// there is none.
func (s *Store) FindExperiment(ctx context.Context, kind, judge, settings string) (e Experiment, ok bool, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT id, kind, judge, probe_judge, settings, created_at FROM experiments
		WHERE kind = ? AND judge = ? AND settings = ? ORDER BY id DESC LIMIT 1`, kind, judge, settings).
		Scan(&e.ID, &e.Kind, &e.Judge, &e.ProbeJudge, &e.Settings, &e.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("find experiment: %w", err)
	}
	return e, true, nil
}

// CreateExperiment stores a new experiment with its items in one transaction;
// its probe judge is "JUDGE@KIND-ID".
func (s *Store) CreateExperiment(ctx context.Context, kind, judge, settings string, items []ExperimentItem) (Experiment, error) {
	e := Experiment{Kind: kind, Judge: judge, Settings: settings, CreatedAt: s.Now().UTC().Format(time.RFC3339)}
	if len(items) == 0 {
		return e, fmt.Errorf("create experiment: %s of %s has no items", kind, judge)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO experiments(kind, judge, probe_judge, settings, created_at) VALUES (?, ?, ?, ?, ?)`,
			kind, judge, fmt.Sprintf("%s@%s-new", judge, kind), settings, e.CreatedAt)
		if err != nil {
			return err
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		e.ProbeJudge = fmt.Sprintf("%s@%s-%d", judge, kind, e.ID)
		if _, err := tx.ExecContext(ctx, `UPDATE experiments SET probe_judge = ? WHERE id = ?`, e.ProbeJudge, e.ID); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO experiment_items(experiment_id, question_id, model_1, model_2, turn, variant) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, it := range items {
			if _, err := stmt.ExecContext(ctx, e.ID, it.QuestionID, it.Model1, it.Model2, it.Turn, it.Variant); err != nil {
				return fmt.Errorf("item q%d %s/%s turn %d: %w", it.QuestionID, it.Model1, it.Model2, it.Turn, err)
			}
		}
		return nil
	})
	if err != nil {
		return Experiment{}, fmt.Errorf("create experiment: %w", err)
	}
	return e, nil
}

// Experiments lists the experiments on judge ("" for all), oldest first.
func (s *Store) Experiments(ctx context.Context, judge string) ([]Experiment, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, kind, judge, probe_judge, settings, created_at FROM experiments
		WHERE ? = '' OR judge = ? ORDER BY id`, judge, judge)
	if err != nil {
		return nil, fmt.Errorf("experiments: %w", err)
	}
	defer rows.Close()
	var out []Experiment
	for rows.Next() {
		var e Experiment
		if err := rows.Scan(&e.ID, &e.Kind, &e.Judge, &e.ProbeJudge, &e.Settings, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("experiments: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ExperimentItems returns an experiment's items in a stable order.
func (s *Store) ExperimentItems(ctx context.Context, id int64) ([]ExperimentItem, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT question_id, model_1, model_2, turn, variant FROM experiment_items
		WHERE experiment_id = ? ORDER BY question_id, model_1, model_2, turn`, id)
	if err != nil {
		return nil, fmt.Errorf("experiment %d items: %w", id, err)
	}
	defer rows.Close()
	var out []ExperimentItem
	for rows.Next() {
		var it ExperimentItem
		if err := rows.Scan(&it.QuestionID, &it.Model1, &it.Model2, &it.Turn, &it.Variant); err != nil {
			return nil, fmt.Errorf("experiment %d items: %w", id, err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("experiment %d: %w", id, ErrNoExperiment)
	}
	return out, nil
}
