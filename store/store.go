// Package store keeps Concord's questions, answers, human votes and judge verdicts in SQLite.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNewerSchema is returned when a database was written by a newer Concord.
var ErrNewerSchema = errors.New("database was written by a newer version of Concord")

// Store is an open Concord database: one writer connection, so writes queue
// instead of failing with "database is locked", and a pool of readers.
type Store struct {
	path  string
	write *sql.DB
	read  *sql.DB
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Created reports whether Open made a new database file.
	Created bool
	// appVersion is the app's version, recorded by the first write (see WithAppVersion).
	appVersion   string
	versionNoted atomic.Bool
	// cache holds studies and queues, which never change once created.
	cache studyCache
}

// dsn builds a connection string whose pragmas every pooled connection gets.
// A study package (pkg) keeps a rollback journal instead of a write-ahead
// log: a committed vote is then in the .concord file itself, which is what an
// annotator sends back, even when the window was killed before it could
// checkpoint.
func dsn(path string, readOnly, pkg bool) string {
	q := url.Values{}
	switch {
	case readOnly || pkg:
		// Without WAL a commit waits for readers to finish: let SQLite's
		// handler wait (readers are short).
		q.Add("_pragma", "busy_timeout(10000)")
	default:
		// Write waits for the lock itself, polling every millisecond
		// (SQLite's own handler backs off to 100 ms sleeps and can lose to
		// another process that writes back to back for seconds).
		q.Add("_pragma", "busy_timeout(2)")
	}
	if pkg {
		q.Add("_pragma", "journal_mode(DELETE)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Add("_pragma", "foreign_keys(1)")
	// FULL: a committed vote survives a power cut, not only a crash.
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		// A bounded page cache (see writeBulk for imports).
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", cacheKiB))
		// Statement journals (one per INSERT inside a transaction) and
		// temporary tables stay in memory instead of a temporary file.
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies migrations.
// A database from a newer Concord is refused and left untouched.
func Open(path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("open store: empty database path")
	}
	created := false
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		created = true
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	pkg := false
	if !created {
		var err error
		if pkg, err = checkVersion(path); err != nil {
			return nil, err
		}
	}
	w, err := sql.Open("sqlite", dsn(path, false, pkg))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", dsn(path, true, pkg))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s := &Store{path: path, write: w, read: r, Now: time.Now, Created: created}
	for _, o := range opts {
		o(s)
	}
	if err := s.migrate(context.Background()); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// Path is the database file's path.
func (s *Store) Path() string { return s.path }

// Close closes both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.write.Close())
}

// Read returns the reader pool for queries.
func (s *Store) Read() *sql.DB { return s.read }

// Write runs fn in one write transaction on the single writer connection and
// commits it; any error rolls everything back.
func (s *Store) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := begin(ctx, func() (*sql.Tx, error) { return s.write.BeginTx(ctx, nil) })
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return s.commitNoted(tx, fn)
}

// writeBulk is Write for bulk imports, on the writer connection set up for
// them and set back afterwards:
//   - foreign-key checks off: the importer checks every reference against the
//     rows it loaded or wrote itself, and SQLite's would cost two lookups a row;
//   - a page cache of bulkCacheKiB, so that the indexes of a few million votes
//     stay in memory while they take rows in random places; afterwards the
//     cache is cut back to its usual size and its memory returned.
func (s *Store) writeBulk(ctx context.Context, fn func(tx *sql.Tx) error) error {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA foreign_keys = OFF; PRAGMA cache_size = -%d`, bulkCacheKiB)); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		_, err := conn.ExecContext(context.Background(), fmt.Sprintf(`PRAGMA foreign_keys = ON; PRAGMA cache_size = -%d; PRAGMA shrink_memory`, cacheKiB))
		if err != nil {
			// Never hand a connection without checks back to the pool.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	tx, err := begin(ctx, func() (*sql.Tx, error) { return conn.BeginTx(ctx, nil) })
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return s.commitNoted(tx, fn)
}

// commitNoted is commit that also records the app's version, at the first
// write of the session.
func (s *Store) commitNoted(tx *sql.Tx, fn func(tx *sql.Tx) error) error {
	if err := commit(tx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.noteVersion(tx, false)
	}); err != nil {
		return err
	}
	s.versionNoted.Store(s.appVersion != "")
	return nil
}

// The writer's page cache: cacheKiB usually, bulkCacheKiB during imports.
// Both are caps; SQLite takes pages as the data needs them.
const (
	cacheKiB     = 64 << 10
	bulkCacheKiB = 128 << 10
)

// commit runs fn in tx and commits, or rolls back on any error.
func commit(tx *sql.Tx, fn func(tx *sql.Tx) error) error {
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// lockWait is how long Write waits for another process's write to finish.
const lockWait = 10 * time.Second

// begin starts a write transaction (BEGIN IMMEDIATE) with start, retrying
// every millisecond while another connection holds the write lock.
func begin(ctx context.Context, start func() (*sql.Tx, error)) (*sql.Tx, error) {
	deadline := time.Now().Add(lockWait)
	for {
		tx, err := start()
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return tx, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// isBusy reports whether err is SQLite's "database is locked" (SQLITE_BUSY).
func isBusy(err error) bool {
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		return coded.Code()&0xff == 5
	}
	return false
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// SchemaVersion is the newest migration this build knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// checkVersion refuses a database whose schema is newer than this build,
// reading it without changing anything (no WAL switch, no migration), and
// reports whether it is a study package (its meta table names one).
func checkVersion(path string) (pkg bool, err error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return false, fmt.Errorf("open store %s: %w", path, err)
	}
	defer db.Close()
	var v int
	err = db.QueryRow(`SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&n); err != nil {
				return false, fmt.Errorf("open store %s: not a Concord database: %w", path, err)
			}
			if n > 0 {
				return false, fmt.Errorf("open store %s: not a Concord database (it has tables but no schema_migrations)", path)
			}
			return false, nil
		}
		return false, fmt.Errorf("open store %s: not a Concord database: %w", path, err)
	}
	if latest := SchemaVersion(); v > latest {
		return false, fmt.Errorf("open store %s: %w (schema %d, this build knows up to %d); upgrade Concord, the file was not changed", path, ErrNewerSchema, v, latest)
	}
	var n int
	err = db.QueryRow(`SELECT count(*) FROM meta WHERE key = ? AND value != ''`, metaPackageID).Scan(&n)
	if err != nil && !strings.Contains(err.Error(), "no such table") { // no meta yet: not a package
		return false, fmt.Errorf("open store %s: %w", path, err)
	}
	return n > 0, nil
}

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	tx, err := begin(ctx, func() (*sql.Tx, error) { return s.write.BeginTx(ctx, nil) })
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	applied := false
	err = commit(tx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
			return err
		}
		var cur int
		if err := tx.QueryRow(`SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
			return err
		}
		if latest := ms[len(ms)-1].version; cur > latest {
			return fmt.Errorf("%w (schema %d, this build knows up to %d)", ErrNewerSchema, cur, latest)
		}
		for _, m := range ms {
			if m.version <= cur {
				continue
			}
			if _, err := tx.Exec(m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, s.Now().UTC().Format(time.RFC3339Nano)); err != nil {
				return err
			}
			applied = true
		}
		if applied { // upgrading or creating the schema writes the file
			return s.noteVersion(tx, cur == 0)
		}
		return nil
	})
	if err == nil && applied {
		s.versionNoted.Store(s.appVersion != "")
	}
	return err
}
