//go:build bindings

// Command bindings writes the window's TypeScript bindings and models (frontend/wailsjs) from the bound app.App,
// as `wails generate module` does, with the Wails version pinned in go.mod: run it from the repository root with
// `go run -tags bindings ./build/bindings`.
package main

import (
	"fmt"
	"os"

	"concord/app"
)

func main() {
	// Built with the bindings tag, wails.Run writes the bindings of what
	// app.Run binds instead of opening a window; no store is needed. Models
	// are interfaces: the window receives plain JSON objects, not classes.
	if err := os.Setenv("tsoutputtype", "interfaces"); err != nil {
		fmt.Fprintln(os.Stderr, "bindings:", err)
		os.Exit(1)
	}
	if err := app.Run(nil, nil); err != nil {
		fmt.Fprintln(os.Stderr, "bindings:", err)
		os.Exit(1)
	}
}
