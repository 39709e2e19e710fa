// Command concord opens the Concord window, or runs a headless command (import, export, judge, report, info, ...).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"concord/app"
	"concord/store"
)

func main() {
	os.Exit(run())
}

func run() int {
	dbPath, rest, window := app.WindowArgs(os.Args[1:], os.Getenv)
	if !window {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		db := os.Getenv("CONCORD_DB")
		if db == "" {
			db = app.DefaultDBPath()
		}
		env := &app.Env{Stdout: os.Stdout, Stderr: os.Stderr, DBPath: db, Getenv: os.Getenv,
			IsTerminal: term.IsTerminal(int(os.Stdout.Fd()))}
		return app.Main(ctx, env, os.Args[1:])
	}
	// The window: Wails's dev build parses its own flags (-assetdir,
	// -devserver) from os.Args, so ours are removed first.
	os.Args = append([]string{os.Args[0]}, rest...)
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "concord: no display (DISPLAY and WAYLAND_DISPLAY are unset); run it under a desktop session or `xvfb-run -a concord`, or use a headless command (concord --help)")
		return app.ExitFailure
	}
	if !windowBuild {
		fmt.Fprintln(os.Stderr, "concord: this binary was built without the window (build tags desktop,production,webkit2_41); use `make run`, or a headless command (concord --help)")
		return app.ExitFailure
	}
	s, err := store.Open(dbPath, store.WithAppVersion(app.Version))
	if err != nil {
		fmt.Fprintln(os.Stderr, "concord:", err)
		return app.ExitFailure
	}
	defer s.Close()
	if s.Created {
		if err := s.SeedDemo(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "concord: seed demo study:", err)
			return app.ExitFailure
		}
	}
	if err := app.Run(s, assets()); err != nil {
		fmt.Fprintln(os.Stderr, "concord:", err)
		return app.ExitFailure
	}
	return app.ExitOK
}
