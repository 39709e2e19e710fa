package store

import (
	"context"
	"path/filepath"
	"testing"
)

// Imports run with SQLite's foreign-key checks off (the importer checks
// references itself) and a larger page cache: what they write must still pass
// SQLite's check, and the writer connection must get its checks and its usual
// cache back, after success or failure.
func TestImportKeepsForeignKeys(t *testing.T) {
	tests := []struct {
		name    string
		paths   []string
		wantErr bool
	}{
		{"fixtures", []string{"testdata/mini"}, false},
		{"unknown question", []string{"testdata/mini", "testdata/bad/unknown_question.csv"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "concord.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			if _, err := s.Import(ctx, tt.paths, ImportOptions{}); (err != nil) != tt.wantErr {
				t.Fatalf("Import error = %v, want error %v", err, tt.wantErr)
			}
			rows, err := s.read.QueryContext(ctx, `PRAGMA foreign_key_check`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var table, parent string
				var rowid, fk any
				rows.Scan(&table, &rowid, &parent, &fk)
				t.Errorf("row %v of %s has no %s it refers to", rowid, table, parent)
			}
			rows.Close()
			var on int
			if err := s.write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&on); err != nil || on != 1 {
				t.Errorf("writer's foreign_keys after import = %d (%v), want 1", on, err)
			}
			var cache int
			if err := s.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil || cache != -cacheKiB {
				t.Errorf("writer's cache_size after import = %d (%v), want %d", cache, err, -cacheKiB)
			}
			// And SQLite enforces them again: a vote for a missing annotator fails.
			_, err = s.write.ExecContext(ctx, `INSERT INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, created_at) VALUES ('x', 999, 1, 'a', 'b', 1, 'tie', 'now')`)
			if err == nil {
				t.Error("insert with a dangling annotator succeeded after the import")
			}
		})
	}
}
