package app

import (
	"fmt"
	"runtime"

	"concord/store"
)

// Version, Commit and BuildDate describe this build; the release build sets
// them with -X concord/app.Version=... (see build/ldflags.sh).
var (
	Version   = "dev"
	Commit    = ""
	BuildDate = ""
)

// AboutInfo describes this build and the database it has open, for the
// About panel and `concord version --json`.
type AboutInfo struct {
	Version       string `json:"version"`
	Commit        string `json:"commit"`
	BuildDate     string `json:"build_date"`
	GoVersion     string `json:"go_version"`
	SchemaVersion int    `json:"schema_version"` // the newest database schema this build knows
	DBPath        string `json:"db_path,omitempty"`
	// DBCreatedBy and DBWrittenBy are the Concord versions that created the
	// open database and last wrote to it ("" when not recorded).
	DBCreatedBy string `json:"db_created_by,omitempty"`
	DBWrittenBy string `json:"db_written_by,omitempty"`
}

// about describes this build.
func about() AboutInfo {
	return AboutInfo{Version: Version, Commit: Commit, BuildDate: BuildDate, GoVersion: runtime.Version(),
		SchemaVersion: store.SchemaVersion()}
}

// versionLine is the one-line version: "dev (commit abc123, built 2026-01-02)".
func versionLine() string {
	s := Version
	var extra string
	if Commit != "" {
		extra = "commit " + Commit
	}
	if BuildDate != "" {
		if extra != "" {
			extra += ", "
		}
		extra += "built " + BuildDate
	}
	if extra != "" {
		s += fmt.Sprintf(" (%s)", extra)
	}
	return s
}

// About describes this build and the open database, for the About panel.
func (a *App) About() (AboutInfo, error) {
	info := about()
	info.DBPath = a.store.Path()
	created, written, err := a.store.AppVersions(a.ctx)
	if err != nil {
		return info, fmt.Errorf("about: %w", err)
	}
	info.DBCreatedBy, info.DBWrittenBy = created, written
	return info, nil
}
