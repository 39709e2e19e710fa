// Package storetest opens Concord stores for tests, closed when the test ends.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"concord/store"
)

// MustOpen opens a fresh database in the test's temporary folder.
func MustOpen(tb testing.TB) *store.Store {
	tb.Helper()
	return MustOpenAt(tb, filepath.Join(tb.TempDir(), "concord.db"))
}

// MustOpenAt opens (creating if needed) the database at path; a test that
// closes it early may open the path again.
func MustOpenAt(tb testing.TB, path string) *store.Store {
	tb.Helper()
	s, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// MustOpenDemo opens a fresh database holding the demo study that Concord
// ships (store/demo).
func MustOpenDemo(tb testing.TB) *store.Store {
	tb.Helper()
	s := MustOpen(tb)
	if err := s.SeedDemo(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}
