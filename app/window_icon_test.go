package app

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/wailsapp/wails/v2/pkg/options/linux"
)

// TestLinuxOptions checks the window's Linux options: Wails's GPU policy for
// nil options is kept, and the icon is either absent (a build that did not
// render it) or the 256 px PNG that make build renders.
func TestLinuxOptions(t *testing.T) {
	o := linuxOptions()
	if o.WebviewGpuPolicy != linux.WebviewGpuPolicyNever {
		t.Errorf("WebviewGpuPolicy = %v, want WebviewGpuPolicyNever (what Wails uses for nil Linux options)", o.WebviewGpuPolicy)
	}
	if o.Icon == nil {
		t.Log("no app/icon/concord.png in this build: the window keeps the default icon (make build renders it)")
		return
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(o.Icon))
	if err != nil {
		t.Fatalf("window icon: %v", err)
	}
	if cfg.Width != 256 || cfg.Height != 256 {
		t.Errorf("window icon is %dx%d, want 256x256", cfg.Width, cfg.Height)
	}
}
