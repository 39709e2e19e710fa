package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Option configures Open.
type Option func(*Store)

// WithAppVersion records version as the Concord that created the database
// (when Open creates it) and as the latest that wrote to it (at the first
// write of each session). The store never imports the app: the caller
// passes its version in.
func WithAppVersion(version string) Option {
	return func(s *Store) { s.appVersion = version }
}

// Keys of the meta table (0001_init.sql) for the app versions.
const (
	metaCreatedBy = "created_by"
	metaWrittenBy = "written_by"
)

// noteVersion records the app version in tx once per Store: as written_by,
// and as created_by when created is set or none is recorded for a database
// created by this session.
func (s *Store) noteVersion(tx *sql.Tx, created bool) error {
	if s.appVersion == "" || s.versionNoted.Load() {
		return nil
	}
	if created {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)`, metaCreatedBy, s.appVersion); err != nil {
			return fmt.Errorf("record the app version: %w", err)
		}
	}
	if _, err := tx.Exec(`INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
		metaWrittenBy, s.appVersion); err != nil {
		return fmt.Errorf("record the app version: %w", err)
	}
	return nil
}

// AppVersions returns the Concord versions that created the database and
// last wrote to it; "" for what was not recorded (databases older than the
// meta table, or written by builds that did not pass WithAppVersion).
func (s *Store) AppVersions(ctx context.Context) (createdBy, writtenBy string, err error) {
	get := func(key string) (string, error) {
		var v string
		err := s.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("app versions: %w", err)
		}
		return v, nil
	}
	if createdBy, err = get(metaCreatedBy); err != nil {
		return "", "", err
	}
	if writtenBy, err = get(metaWrittenBy); err != nil {
		return "", "", err
	}
	return createdBy, writtenBy, nil
}
