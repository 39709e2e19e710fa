package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// CopyToOldSchema writes a database at path with the schema of migrations up
// to version and the rows of s in the columns that schema has: the database
// an older Concord would have written with the same data.
func CopyToOldSchema(ctx context.Context, s *Store, path string, version int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	stmts := []string{`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`}
	for _, m := range ms {
		if m.version > version {
			break
		}
		stmts = append(stmts, m.sql, fmt.Sprintf(`INSERT INTO schema_migrations VALUES (%d, '%s', 'then')`, m.version, m.name))
	}
	stmts = append(stmts, `ATTACH DATABASE '`+s.path+`' AS src`)
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT name FROM main.sqlite_master WHERE type = 'table' AND name <> 'schema_migrations' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		rows.Scan(&t)
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		var cols []string
		crs, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, t)
		if err != nil {
			return err
		}
		for crs.Next() {
			var c string
			crs.Scan(&c)
			cols = append(cols, `"`+c+`"`)
		}
		crs.Close()
		list := strings.Join(cols, ", ")
		if _, err := db.ExecContext(ctx, `INSERT INTO main.`+t+`(`+list+`) SELECT `+list+` FROM src.`+t); err != nil {
			return fmt.Errorf("copy %s: %w", t, err)
		}
	}
	_, err = db.ExecContext(ctx, `DETACH DATABASE src`)
	return err
}
