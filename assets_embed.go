//go:build desktop || dev || production

package main

import (
	"embed"
	"io/fs"
)

//go:embed all:frontend/dist
var frontendDist embed.FS

const windowBuild = true

func assets() fs.FS { return frontendDist }
