package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"concord/app"
	"concord/store"
)

// cliRun runs a command line through app.Main, as the binary does.
func cliRun(t *testing.T, defaultDB string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &app.Env{Stdout: &out, Stderr: &errOut, DBPath: defaultDB, Getenv: func(string) string { return "" }}
	code = app.Main(context.Background(), env, args)
	return code, out.String(), errOut.String()
}

// demoDB makes a database holding the demo study.
func demoDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "concord.db")
	s, err := store.Open(path, store.WithAppVersion("v9.8.7"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return path
}

func TestGlobalFlagPlacement(t *testing.T) {
	db := demoDB(t)
	missing := filepath.Join(t.TempDir(), "none.db") // the default: --db must win
	_, want, _ := cliRun(t, db, "info", "--json")
	tests := [][]string{
		{"--db", db, "info", "--json"},
		{"--db=" + db, "info", "--json"},
		{"info", "--db", db, "--json"},
		{"info", "--json", "--db", db},
		{"info", "--json", "--db=" + db},
	}
	for _, args := range tests {
		code, out, errOut := cliRun(t, missing, args...)
		if code != 0 || out != want {
			t.Errorf("concord %q = exit %d, %q (stderr %q); want exit 0 and the info of %s", args, code, out, errOut, db)
		}
	}
	reportTests := [][]string{
		{"--db", db, "report", "--humans", "all", "--bootstrap", "0", "--format", "json"},
		{"report", "--db", db, "--humans", "all", "--bootstrap", "0", "--format", "json"},
		{"report", "--humans", "all", "--bootstrap", "0", "--format", "json", "--db", db},
	}
	var first string
	for i, args := range reportTests {
		code, out, errOut := cliRun(t, missing, args...)
		if code != 0 || (i > 0 && out != first) || !strings.Contains(out, `"schema_version"`) {
			t.Errorf("concord %q = exit %d (stderr %q); want exit 0 and the same JSON report as %q", args, code, errOut, reportTests[0])
		}
		if i == 0 {
			first = out
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	commands := [][]string{{}, {"import"}, {"info"}, {"export"}, {"export", "votes"}, {"export", "verdicts"}, {"export", "bundle"},
		{"study"}, {"study", "create"}, {"study", "list"}, {"judge"}, {"judge", "list"}, {"report"}, {"probe"}, {"open"}, {"version"}, {"completion"}}
	for _, c := range commands {
		for _, form := range [][]string{append(c, "-h"), append(c, "--help"), append([]string{"help"}, c...)} {
			code, out, errOut := cliRun(t, db, form...)
			if code != 0 || !strings.Contains(out, "Usage:") || errOut != "" {
				t.Errorf("concord %q = exit %d, stdout %q, stderr %q; want exit 0 and the usage on stdout", form, code, out, errOut)
			}
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("help created the database %s", db)
	}
}

func TestExitCodes(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("hello"), 0o644)
	tests := []struct {
		args   []string
		code   int
		stderr string // a substring the error must contain
	}{
		{[]string{"bogus"}, app.ExitUsage, `unknown command "bogus"`},
		{[]string{"info", "--bogus"}, app.ExitUsage, "unknown flag: --bogus"},
		{[]string{"info", "extra"}, app.ExitUsage, "takes no arguments"},
		{[]string{"study"}, app.ExitUsage, "study needs create or list"},
		{[]string{"study", "remove"}, app.ExitUsage, `unknown study command "remove"`},
		{[]string{"export"}, app.ExitUsage, "votes, verdicts, ratings or bundle"},
		{[]string{"report", "--format", "pdf"}, app.ExitUsage, `unknown format "pdf"`},
		{[]string{"report", "--turn", "x"}, app.ExitUsage, "--turn"},
		{[]string{"import"}, app.ExitUsage, "at least one file"},
		{[]string{"completion", "tcsh"}, app.ExitUsage, "unknown shell"},
		{[]string{"report", "--judge", "nobody"}, app.ExitFailure, `unknown judge "nobody"`},
		{[]string{"import", notes}, app.ExitFailure, notes + ": not a file Concord reads; expected FastChat's question.jsonl"},
		{[]string{"info", "--db", filepath.Join(dir, "none.db")}, app.ExitFailure, "no database at"},
		{[]string{"import", dir}, app.ExitOK, ""}, // a folder's unrecognised files are listed, not an error
		{[]string{"study", "list", "--json"}, app.ExitOK, ""},
	}
	for _, tt := range tests {
		code, _, errOut := cliRun(t, db, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("concord %q = exit %d, stderr %q; want exit %d and %q", tt.args, code, errOut, tt.code, tt.stderr)
		}
	}
}

func TestListingsJSON(t *testing.T) {
	db := demoDB(t)
	if code, _, errOut := cliRun(t, db, "study", "create", "--name", "s1", "--models", "demo-aurora,demo-basalt", "--turns", "1"); code != 0 {
		t.Fatalf("study create: exit %d: %s", code, errOut)
	}
	tests := []struct {
		args []string
		want *regexp.Regexp
	}{
		{[]string{"study", "list", "--json"}, regexp.MustCompile(`(?s)^\[\s*\{.*"name": "s1".*"activity": \{`)},
		{[]string{"judge", "list", "--json"}, regexp.MustCompile(`(?s)^\[\s*\{\s*"name": "demo-`)},
		{[]string{"info", "--json"}, regexp.MustCompile(`(?s)"created_by": "v9.8.7",\s*"written_by": "(dev|v9.8.7)"`)},
		{[]string{"version", "--json"}, regexp.MustCompile(`(?s)"version": "dev"`)},
	}
	for _, tt := range tests {
		code, out, errOut := cliRun(t, db, tt.args...)
		if code != 0 || !json.Valid([]byte(out)) || !tt.want.MatchString(out) {
			t.Errorf("concord %q = exit %d, %s (stderr %q); want valid JSON matching %s", tt.args, code, out, errOut, tt.want)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := cliRun(t, "x.db", args...)
		if code != 0 || !strings.HasPrefix(out, "concord "+app.Version) {
			t.Errorf("concord %q = exit %d, %q; want exit 0 and concord %s", args, code, out, app.Version)
		}
	}
}

// TestHelpListsEveryCommand checks that concord --help lists each command
// under its group with a one-line summary, and that shell completion (every
// shell's script asks concord __complete) offers the same commands.
func TestHelpListsEveryCommand(t *testing.T) {
	groups := map[string][]string{
		"Data:":                 {"import", "export", "info"},
		"Annotation:":           {"study", "open"},
		"Judging and auditing:": {"judge", "report", "probe"},
		"Other:":                {"version", "completion", "help"},
	}
	code, out, _ := cliRun(t, "x.db", "--help")
	if code != 0 {
		t.Fatalf("concord --help = exit %d", code)
	}
	listed := map[string]string{} // command → its group
	group := ""
	for _, line := range strings.Split(out, "\n") {
		switch f := strings.Fields(line); {
		case strings.HasSuffix(line, ":") && !strings.HasPrefix(line, " "):
			group = line
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") && len(f) >= 2 && group != "" && group != "Usage:" && group != "Flags:":
			listed[f[0]] = group
		}
	}
	code, comp, _ := cliRun(t, "x.db", "__complete", "")
	if code != 0 {
		t.Fatalf("concord __complete \"\" = exit %d", code)
	}
	for g, cmds := range groups {
		for _, c := range cmds {
			if listed[c] != g {
				t.Errorf("concord --help lists %q under %q, want %q", c, listed[c], g)
			}
			if !strings.Contains(comp, "\n"+c+"\t") && !strings.HasPrefix(comp, c+"\t") {
				t.Errorf("completion of concord <TAB> lacks %q with its summary:\n%s", c, comp)
			}
		}
	}
	if len(listed) != 11 {
		t.Errorf("concord --help lists %d commands (%v), want the 11 above", len(listed), listed)
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := cliRun(t, "x.db", "completion", shell)
		if code != 0 || !strings.Contains(out, "concord") {
			t.Fatalf("completion %s = exit %d, stderr %q", shell, code, errOut)
		}
		if shell != "bash" {
			continue
		}
		bash, err := exec.LookPath("bash")
		if err != nil {
			t.Skip("no bash")
		}
		file := filepath.Join(t.TempDir(), "concord.bash")
		os.WriteFile(file, []byte(out), 0o644)
		if b, err := exec.Command(bash, "-n", file).CombinedOutput(); err != nil {
			t.Errorf("bash -n on the completion script: %v\n%s", err, b)
		}
		b, err := exec.Command(bash, "-c", "source "+file+" && complete -p concord").CombinedOutput()
		if err != nil || !strings.Contains(string(b), "concord") {
			t.Errorf("complete -p concord after sourcing the script: %v\n%s", err, b)
		}
	}
}

func TestWindowArgs(t *testing.T) {
	env := func(k string) string { return map[string]string{"CONCORD_DB": "/env.db"}[k] }
	tests := []struct {
		args   []string
		db     string
		rest   []string
		window bool
	}{
		{nil, "/env.db", nil, true},
		{[]string{"--db", "/a.db"}, "/a.db", nil, true},
		{[]string{"--db=/a.db", "-assetdir", "dist", "-devserver", "127.0.0.1:1"}, "/a.db", []string{"-assetdir", "dist", "-devserver", "127.0.0.1:1"}, true},
		{[]string{"report"}, "", nil, false},
		{[]string{"--db", "/a.db", "report"}, "", nil, false},
		{[]string{"--help"}, "", nil, false},
		{[]string{"--version"}, "", nil, false},
		{[]string{"-h"}, "", nil, false},
	}
	for _, tt := range tests {
		db, rest, window := app.WindowArgs(tt.args, env)
		if db != tt.db || strings.Join(rest, " ") != strings.Join(tt.rest, " ") || window != tt.window {
			t.Errorf("WindowArgs(%q) = %q, %q, %v; want %q, %q, %v", tt.args, db, rest, window, tt.db, tt.rest, tt.window)
		}
	}
}
