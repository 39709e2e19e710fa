package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// A database written by an earlier schema keeps every vote and verdict
// through the migrations, and the rebuilt tables still refuse bad rows.
func TestMigrateFromSchema2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`}
	for _, m := range ms[:2] {
		stmts = append(stmts, m.sql, `INSERT INTO schema_migrations VALUES (`+m.name[:4]+`, '`+m.name+`', 'then')`)
	}
	stmts = append(stmts,
		`INSERT INTO questions(question_id, category, turns, source, content_hash) VALUES (1, 'writing', '["a","b"]', 'q', 'h')`,
		`INSERT INTO annotators(name, grp) VALUES ('expert_1', 'expert')`,
		`INSERT INTO judges(name, model) VALUES ('gpt-4', 'gpt-4')`,
		`INSERT INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, left_model, created_at, time_ms, rationale, source)
			VALUES ('v1', 1, 1, 'alpha', 'beta', 2, 'both_bad', 'beta', '2026-01-01T00:00:00Z', 1200, 'why', 'f.jsonl')`,
		`INSERT INTO verdicts(judge_id, prompt, question_id, model_1, model_2, turn, combined, g1_winner, g1_judgment, g2_winner, g2_judgment, source)
			VALUES (1, 'pair-v2', 1, 'alpha', 'beta', 1, 'inconsistent', 'model_1', 'A [[A]]', 'tie', 'C [[C]]', 'p.jsonl')`,
	)
	for _, q := range stmts {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	votes, err := s.Votes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) != 1 || votes[0].UID != "v1" || votes[0].Winner != "both_bad" || votes[0].Left != "beta" || votes[0].TimeMS != 1200 || votes[0].Rationale != "why" || votes[0].Turn != 2 {
		t.Errorf("votes after migration = %+v", votes)
	}
	vs, err := s.Verdicts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Combined != "inconsistent" || vs[0].G1 == nil || vs[0].G1.Judgment != "A [[A]]" || vs[0].G2 == nil || vs[0].G2.Winner != "tie" {
		t.Errorf("verdicts after migration = %+v", vs)
	}
	var indexes string
	s.read.QueryRowContext(ctx, `SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)`).Scan(&indexes)
	if indexes != "ratings_question verdicts_unit votes_question votes_study votes_study_unit" {
		t.Errorf("indexes = %q, want ratings_question verdicts_unit votes_question votes_study votes_study_unit", indexes)
	}
	bad := []string{
		`INSERT INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, created_at) VALUES ('v2', 1, 1, 'alpha', 'beta', 1, 'bogus', 'now')`,
		`INSERT INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, created_at) VALUES ('v3', 1, 1, 'beta', 'alpha', 1, 'tie', 'now')`,
		`INSERT INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, created_at) VALUES ('v4', 1, 1, 'alpha', 'beta', 0, 'tie', 'now')`,
		`INSERT INTO verdicts(judge_id, question_id, model_1, model_2, turn, g1_winner) VALUES (1, 1, 'alpha', 'beta', 2, 'model_3')`,
		`INSERT INTO verdicts(judge_id, question_id, model_1, model_2, turn, combined) VALUES (1, 1, 'alpha', 'beta', 2, 'maybe')`,
	}
	for _, q := range bad {
		if _, err := s.write.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "CHECK") {
			t.Errorf("%s: error %v, want a CHECK constraint failure", q, err)
		}
	}
}
