package app

import (
	"context"

	"concord/store"
)

// windowTitle is "Concord", or for a study package "STUDY · ANNOTATOR — Concord".
// With no store (the bindings generator runs the window without one) it is "Concord".
func windowTitle(s *store.Store) string {
	if s == nil {
		return "Concord"
	}
	p, err := s.PackageInfo(context.Background())
	if err != nil || p == nil {
		return "Concord"
	}
	return p.Study + " · " + p.Annotator + " — Concord"
}

// Package tells the window whether its database is a study package, and of
// what: the window then shows that study only, voting as the package's
// annotator. Nil for any other database.
func (a *App) Package() (*store.PackageInfo, error) {
	return a.store.PackageInfo(a.ctx)
}
