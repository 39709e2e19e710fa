package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"concord/store"
)

// packStudy writes a study's packages: the one path of `concord study pack`
// and the window's Pack for annotators.
func packStudy(ctx context.Context, s *store.Store, studyID int64, opts store.PackOptions) (*store.PackResult, error) {
	var names []string
	for _, n := range opts.Annotators {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	opts.Annotators = names
	if len(opts.Annotators) == 0 {
		return nil, usagef("--annotators: name at least one annotator")
	}
	if strings.TrimSpace(opts.OutDir) == "" {
		return nil, usagef("--out: name the folder for the packages")
	}
	return s.PackStudy(ctx, studyID, opts)
}

// PackStudy writes one blind package per annotator of a study into
// opts.OutDir (concord study pack).
func (a *App) PackStudy(studyID int64, opts store.PackOptions) (*store.PackResult, error) {
	res, err := packStudy(a.ctx, a.store, studyID, opts)
	if err != nil {
		return nil, fmt.Errorf("pack: %w", err)
	}
	return res, nil
}

// PickPackFolder opens a folder picker for the packages; "" when cancelled.
func (a *App) PickPackFolder() (string, error) {
	if a.dialogs == nil {
		return "", errors.New("no window: folder pickers need the desktop app")
	}
	return a.dialogs.OpenDirectory("Folder for the annotators' packages")
}

// PickPackage opens a file picker for a study package; "" when cancelled.
func (a *App) PickPackage() (string, error) {
	if a.dialogs == nil {
		return "", errors.New("no window: file pickers need the desktop app")
	}
	files, err := a.dialogs.OpenFiles("Open a study package (.concord)")
	if err != nil || len(files) == 0 {
		return "", err
	}
	return files[0], nil
}

// OpenPackage opens a study package in a window of its own (concord open
// FILE in a new process), so that a package dropped on the window or chosen
// with Open package… votes into that file.
func (a *App) OpenPackage(path string) error {
	if !strings.HasSuffix(strings.ToLower(path), ".concord") {
		return fmt.Errorf("open %s: not a study package (a .concord file)", filepath.Base(path))
	}
	if !isFile(path) {
		return fmt.Errorf("open %s: no such file", path)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	cmd := exec.Command(exe, "open", path)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	go cmd.Wait() //nolint:errcheck // the window lives on its own
	return nil
}
