package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// StudyPackage is a package made from a study, as the lead's database knows it.
type StudyPackage struct {
	ID         string     `json:"id"`
	Annotator  string     `json:"annotator"`
	Items      int        `json:"items"`
	Gold       int        `json:"gold"`
	File       string     `json:"file"`
	CreatedAt  time.Time  `json:"created_at"`
	ReturnedAt *time.Time `json:"returned_at"`
}

// StudyPackages lists a study's packages by annotator.
func (s *Store) StudyPackages(ctx context.Context, studyID int64) ([]StudyPackage, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, annotator, items, gold, file, created_at, coalesce(returned_at, '') FROM study_packages WHERE study_id = ? ORDER BY annotator`, studyID)
	if err != nil {
		return nil, fmt.Errorf("study %d packages: %w", studyID, err)
	}
	defer rows.Close()
	out := []StudyPackage{}
	for rows.Next() {
		var p StudyPackage
		var created, returned string
		if err := rows.Scan(&p.ID, &p.Annotator, &p.Items, &p.Gold, &p.File, &created, &returned); err != nil {
			return nil, fmt.Errorf("study %d packages: %w", studyID, err)
		}
		p.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		if t, err := time.Parse(time.RFC3339Nano, returned); err == nil {
			p.ReturnedAt = &t
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GoldVote is an annotator's current choice on a turn of a gold item
// (skips left out): Good and Bad name the two answers as the gold item's
// own pseudo-models, which no other vote uses.
type GoldVote struct {
	Annotator  string `json:"annotator"`
	QuestionID int    `json:"question_id"`
	Turn       int    `json:"turn"`
	Good, Bad  string
	Choice     string `json:"choice"` // good, bad, tie or both_bad
	Correct    bool   `json:"correct"`
	TimeMS     int64  `json:"time_ms"`
}

// StudyGoldVotes returns the current choices on the gold items of a study's packages.
func (s *Store) StudyGoldVotes(ctx context.Context, studyID int64) ([]GoldVote, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT p.annotator, g.question_id, v.turn, p.id || ':' || g.good_alias, p.id || ':' || g.bad_alias, v.choice, v.correct, v.time_ms
		FROM study_gold_votes v JOIN study_packages p ON p.id = v.package_id
		JOIN study_package_gold g ON g.package_id = v.package_id AND g.bad_alias = v.bad_alias
		WHERE p.study_id = ? AND v.withdrawn_at IS NULL AND v.choice != 'skip' ORDER BY p.annotator, v.created_at`, studyID)
	if err != nil {
		return nil, fmt.Errorf("study %d gold votes: %w", studyID, err)
	}
	defer rows.Close()
	var out []GoldVote
	for rows.Next() {
		var g GoldVote
		if err := rows.Scan(&g.Annotator, &g.QuestionID, &g.Turn, &g.Good, &g.Bad, &g.Choice, &g.Correct, &g.TimeMS); err != nil {
			return nil, fmt.Errorf("study %d gold votes: %w", studyID, err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// SetAnnotatorExcluded leaves an annotator out of a study's report (or
// takes them back in); the choice is remembered in the database.
func (s *Store) SetAnnotatorExcluded(ctx context.Context, studyID int64, annotator string, excluded bool) error {
	annotator = strings.TrimSpace(annotator)
	if annotator == "" {
		return fmt.Errorf("exclude annotator: the name is empty")
	}
	if _, err := s.Study(ctx, studyID); err != nil {
		return fmt.Errorf("exclude annotator: %w", err)
	}
	return s.Write(ctx, func(tx *sql.Tx) error {
		var err error
		if excluded {
			_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO study_excluded(study_id, annotator, excluded_at) VALUES (?, ?, ?)`,
				studyID, annotator, s.Now().UTC().Format(time.RFC3339Nano))
		} else {
			_, err = tx.ExecContext(ctx, `DELETE FROM study_excluded WHERE study_id = ? AND annotator = ?`, studyID, annotator)
		}
		if err != nil {
			return fmt.Errorf("exclude annotator %s: %w", annotator, err)
		}
		return nil
	})
}

// ExcludedAnnotators returns the annotators left out of a study's report.
func (s *Store) ExcludedAnnotators(ctx context.Context, studyID int64) (map[string]bool, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT annotator FROM study_excluded WHERE study_id = ?`, studyID)
	if err != nil {
		return nil, fmt.Errorf("study %d excluded annotators: %w", studyID, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// StudyVotes returns a study's current votes, skips left out.
func (s *Store) StudyVotes(ctx context.Context, studyID int64) ([]Vote, error) {
	votes, err := s.Votes(ctx, "")
	if err != nil {
		return nil, err
	}
	out := votes[:0]
	for _, v := range votes {
		if v.StudyID == studyID {
			out = append(out, v)
		}
	}
	return out, nil
}

// PackageInfo says what a study package is a package of.
type PackageInfo struct {
	ID        string `json:"id"`
	StudyID   int64  `json:"study_id"` // the study inside the package
	Study     string `json:"study"`
	Annotator string `json:"annotator"`
}

// PackageInfo returns what the database is a package of, or nil when it is
// not a study package.
func (s *Store) PackageInfo(ctx context.Context) (*PackageInfo, error) {
	var id, who, study sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT (SELECT value FROM meta WHERE key = ?), (SELECT value FROM meta WHERE key = ?), (SELECT name FROM studies WHERE id = ?)`,
		metaPackageID, metaPackageAnnotator, packageStudyID).Scan(&id, &who, &study)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("package info: %w", err)
	}
	if !id.Valid || id.String == "" {
		return nil, nil
	}
	return &PackageInfo{ID: id.String, StudyID: packageStudyID, Study: study.String, Annotator: who.String}, nil
}
