// Package app is Concord's Wails application: the methods the window calls, its events, and the headless commands.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"concord/store"
)

// Event names the window subscribes to.
const (
	EventImportProgress = "import:progress"
)

// App is the object bound to the window: every exported method is callable
// from the frontend, so the surface is kept deliberate.
type App struct {
	ctx   context.Context
	store *store.Store
	// emit sends an event to the window; tests replace it (runtime.EventsEmit
	// ends the process when given a context Wails did not create).
	emit func(name string, data any)
	// dialogs opens native file pickers; tests replace it.
	dialogs dialogs
	// judge is the window's judge run.
	judge judgeRuns
	// batch collects the open batch runs in the background.
	batch batchWatch
	// trace appends latency records to $CONCORD_TRACE; nil when off.
	trace *traceWriter
}

type dialogs interface {
	OpenFiles(title string) ([]string, error)
	OpenDirectory(title string) (string, error)
}

// New makes an App over an open store.
func New(s *store.Store) *App {
	a := &App{store: s, ctx: context.Background()}
	a.emit = func(string, any) {}
	return a
}

// startup is the Wails lifecycle hook; unexported so it is not bound.
func (a *App) startup(ctx context.Context) {
	a.ctx = ctx
	a.emit = func(name string, data any) { runtime.EventsEmit(ctx, name, data) }
	a.dialogs = wailsDialogs{ctx: ctx}
	a.resumeBatches()
}

// Run opens the Concord window on the store and blocks until it closes.
func Run(s *store.Store, assets fs.FS) error {
	a := New(s)
	if err := a.startTrace(os.Getenv); err != nil {
		return err
	}
	defer a.stopTrace()
	err := wails.Run(&options.App{
		Title:            windowTitle(s),
		Width:            1280,
		Height:           820,
		MinWidth:         900,
		MinHeight:        600,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 250, G: 250, B: 249, A: 255},
		Linux:            linuxOptions(),
		OnStartup:        a.startup,
		DragAndDrop:      &options.DragAndDrop{EnableFileDrop: true, DisableWebViewDrop: true},
		OnShutdown:       a.shutdown,
		Bind:             []any{a},
		ErrorFormatter:   func(err error) any { return err.Error() },
	})
	if err != nil {
		return fmt.Errorf("window: %w", err)
	}
	return nil
}

func (a *App) shutdown(ctx context.Context) {
	a.stopBackground()
}

// stopBackground stops work running in the background (a judge run).
func (a *App) stopBackground() {
	_ = a.JudgeCancel()
	a.stopBatches()
}

// Info reports what the database holds.
func (a *App) Info() (*store.Info, error) {
	return a.store.Info(a.ctx)
}

// PickImportFiles opens a file picker for files to import; empty when cancelled.
func (a *App) PickImportFiles() ([]string, error) {
	if a.dialogs == nil {
		return nil, errors.New("no window: file pickers need the desktop app")
	}
	files, err := a.dialogs.OpenFiles("Import MT-Bench, FastChat or Hugging Face files")
	if files == nil && err == nil {
		files = []string{} // cancelled: [] for the window, not null
	}
	return files, err
}

// PickImportFolder opens a folder picker; "" when cancelled.
func (a *App) PickImportFolder() (string, error) {
	if a.dialogs == nil {
		return "", errors.New("no window: folder pickers need the desktop app")
	}
	return a.dialogs.OpenDirectory("Import a folder (FastChat layout or human judgments)")
}

// Import imports files and folders atomically, sending import:progress
// events, and returns what each file contributed.
func (a *App) Import(paths []string) (*store.ImportReport, error) {
	return a.ImportFiles(ImportRequest{Paths: paths})
}

type wailsDialogs struct{ ctx context.Context }

func (d wailsDialogs) OpenFiles(title string) ([]string, error) {
	return runtime.OpenMultipleFilesDialog(d.ctx, runtime.OpenDialogOptions{
		Title: title,
		Filters: []runtime.FileFilter{
			{DisplayName: "JSON, JSONL, CSV and study packages", Pattern: "*.json;*.jsonl;*.csv;*.concord"},
		},
	})
}

func (d wailsDialogs) OpenDirectory(title string) (string, error) {
	return runtime.OpenDirectoryDialog(d.ctx, runtime.OpenDialogOptions{Title: title})
}
