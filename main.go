// Command concord opens the Concord window, or runs a headless command (import, export, judge, report, info).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"

	"concord/app"
	"concord/store"
)

func main() {
	os.Exit(run())
}

func run() int {
	dbPath, rest, err := splitGlobalFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "concord:", err)
		return 2
	}
	if len(rest) > 0 && app.IsCommand(rest[0]) {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		env := &app.Env{Stdout: os.Stdout, Stderr: os.Stderr, DBPath: dbPath, Getenv: os.Getenv,
			IsTerminal: term.IsTerminal(int(os.Stdout.Fd()))}
		if err := app.RunCommand(ctx, env, rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			fmt.Fprintln(os.Stderr, "concord:", err)
			var code interface{ ExitCode() int }
			if errors.As(err, &code) {
				return code.ExitCode()
			}
			if errors.Is(err, app.ErrUsage) {
				return 2
			}
			return 1
		}
		return 0
	}
	// The window: Wails's dev build parses its own flags (-assetdir,
	// -devserver) from os.Args, so ours are removed first.
	os.Args = append([]string{os.Args[0]}, rest...)
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "concord: no display (DISPLAY and WAYLAND_DISPLAY are unset); run it under a desktop session or `xvfb-run -a concord`, or use a headless command (concord help)")
		return 1
	}
	if !windowBuild {
		fmt.Fprintln(os.Stderr, "concord: this binary was built without the window (build tags desktop,production,webkit2_41); use `make run`, or a headless command (concord help)")
		return 1
	}
	s, err := store.Open(dbPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "concord:", err)
		return 1
	}
	defer s.Close()
	if s.Created {
		if err := s.SeedDemo(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "concord: seed demo study:", err)
			return 1
		}
	}
	if err := app.Run(s, assets()); err != nil {
		fmt.Fprintln(os.Stderr, "concord:", err)
		return 1
	}
	return 0
}

// splitGlobalFlags takes --db PATH (or --db=PATH) from anywhere before the
// command and resolves the database path: --db, then $CONCORD_DB, then the
// per-user default.
func splitGlobalFlags(args []string) (string, []string, error) {
	db := ""
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--db" || a == "-db":
			if i+1 >= len(args) {
				return "", nil, errors.New("--db needs a path")
			}
			db = args[i+1]
			i++
		case strings.HasPrefix(a, "--db="):
			db = strings.TrimPrefix(a, "--db=")
		case strings.HasPrefix(a, "-db="):
			db = strings.TrimPrefix(a, "-db=")
		default:
			rest = append(rest, a)
		}
		if len(rest) > 0 && app.IsCommand(rest[0]) {
			// flags after the command are the command's own
			rest = append(rest, args[i+1:]...)
			break
		}
	}
	if db == "" {
		db = os.Getenv("CONCORD_DB")
	}
	if db == "" {
		db = app.DefaultDBPath()
	}
	return db, rest, nil
}
