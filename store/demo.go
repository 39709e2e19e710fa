package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed demo/question.jsonl demo/model_answer demo/model_judgment demo/human_judgments.jsonl
var demoFiles embed.FS

// SeedDemo imports the demo study that Concord ships (see store/demo/README.md)
// and marks the database as holding demo data.
func (s *Store) SeedDemo(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "concord-demo-")
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	defer os.RemoveAll(dir)
	err = fs.WalkDir(demoFiles, "demo", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := demoFiles.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	if _, err := s.Import(ctx, []string{filepath.Join(dir, "demo")}, ImportOptions{}); err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	return s.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('demo', 'store/demo: 12 questions, 3 made-up models')`)
		return err
	})
}
