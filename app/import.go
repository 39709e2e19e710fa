package app

import (
	"context"
	"errors"
	"fmt"

	"concord/store"
)

// ImportRequest is an import as the Import screen asks for it: the paths,
// each named file's column map (role -> the file's column, as concord
// import --map takes them) and whether only to preview it.
type ImportRequest struct {
	Paths  []string                     `json:"paths"`
	Maps   map[string]map[string]string `json:"maps"`
	DryRun bool                         `json:"dry_run"`
}

// importFiles runs an import or its dry run: the one path of concord import
// and of the Import screen.
func importFiles(ctx context.Context, s *store.Store, paths []string, opts store.ImportOptions) (*store.ImportReport, error) {
	if len(paths) == 0 {
		return nil, errors.New("import: choose at least one file or folder")
	}
	rep, err := s.Import(ctx, paths, opts)
	if err != nil {
		return nil, fmt.Errorf("%w (nothing was written)", err)
	}
	return rep, nil
}

// ImportFiles imports files and folders atomically through their column
// maps, sending import:progress events; with DryRun it writes nothing and
// reports the counts, each file's kind, column mapping, own columns and
// first rows as they would be stored.
func (a *App) ImportFiles(req ImportRequest) (*store.ImportReport, error) {
	opts := store.ImportOptions{
		DryRun:   req.DryRun,
		Progress: func(p store.ImportProgress) { a.emit(EventImportProgress, p) },
	}
	for path, roles := range req.Maps {
		m, err := store.ColumnMapOf(roles)
		if err != nil {
			return nil, fmt.Errorf("import %s: %w", path, err)
		}
		if len(m) == 0 {
			continue
		}
		if opts.Maps == nil {
			opts.Maps = map[string]map[string]string{}
		}
		opts.Maps[path] = m
	}
	return importFiles(a.ctx, a.store, req.Paths, opts)
}

// ImportColumns returns the column names of each file named in paths (a
// folder has none): the choices of the Import screen's column mapping, also
// for a file no importer recognises until it is mapped.
func (a *App) ImportColumns(paths []string) (map[string][]string, error) {
	out := make(map[string][]string, len(paths))
	for _, p := range paths {
		cols, err := store.ReadColumns(p)
		if err != nil {
			return nil, err
		}
		if cols != nil {
			out[p] = cols
		}
	}
	return out, nil
}
