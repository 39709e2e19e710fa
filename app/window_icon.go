package app

import (
	"embed"

	"github.com/wailsapp/wails/v2/pkg/options/linux"
)

// icon holds the window's icon, icon/concord.png: build/icon/concord.svg
// rendered at 256 px by `make build` (and build-dev, dist), not committed. A
// build without it (plain go build, go test) embeds only icon/.gitignore and
// the window keeps the desktop's default icon.
//
//go:embed all:icon
var icon embed.FS

// windowIcon returns the PNG of the window's icon, or nil when the build has none.
func windowIcon() []byte {
	b, err := icon.ReadFile("icon/concord.png")
	if err != nil {
		return nil
	}
	return b
}

// linuxOptions sets the window's icon on Linux (shown when minimised and in
// task switchers), keeping Wails's GPU policy for a nil Options: never.
func linuxOptions() *linux.Options {
	return &linux.Options{Icon: windowIcon(), WebviewGpuPolicy: linux.WebviewGpuPolicyNever}
}
