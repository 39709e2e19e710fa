//go:build !(desktop || dev || production)

package main

import "io/fs"

// windowBuild is false in builds without the Wails tags: they run the
// headless commands only, and need neither cgo nor a built frontend.
const windowBuild = false

func assets() fs.FS { return nil }
