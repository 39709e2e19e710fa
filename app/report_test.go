package app

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"concord/judge/audit"
	"concord/store"
)

func demoEnv(t *testing.T) (*Env, *bytes.Buffer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "concord.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	var out bytes.Buffer
	return &Env{Stdout: &out, Stderr: &out, DBPath: path}, &out
}

func TestReportCommandFormats(t *testing.T) {
	env, out := demoEnv(t)
	ctx := context.Background()
	s, err := env.OpenStore()
	if err != nil {
		t.Fatal(err)
	}
	judges, err := s.Judges(ctx)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--format", "json", "--bootstrap", "50"}
	if len(judges) > 0 {
		args = append(args, "--judge", judges[0])
	}
	if err := RunCommand(ctx, env, append([]string{"report"}, args...)); err != nil {
		t.Fatalf("report %v: %v", args, err)
	}
	var r audit.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("report json: %v\n%s", err, out.String())
	}
	if r.SchemaVersion != audit.SchemaVersion || r.Bootstrap != 50 || r.Humans != "all" || len(r.Agreement) == 0 {
		t.Errorf("report = schema %d, bootstrap %d, humans %q, %d agreement entries; want %d, 50, all, some",
			r.SchemaVersion, r.Bootstrap, r.Humans, len(r.Agreement), audit.SchemaVersion)
	}
	for _, f := range []string{"text", "markdown"} {
		out.Reset()
		if err := RunCommand(ctx, env, append([]string{"report"}, append(args[2:], "--format", f)...)); err != nil {
			t.Fatalf("report --format %s: %v", f, err)
		}
		if !strings.Contains(out.String(), "Agreement with humans") {
			t.Errorf("report --format %s lacks the agreement section:\n%s", f, out.String())
		}
	}
}

func TestReportCommandErrors(t *testing.T) {
	env, _ := demoEnv(t)
	ctx := context.Background()
	tests := [][]string{
		{"--format", "pdf"},
		{"--turn", "3"},
		{"--judge", "no-such-judge"},
		{"--bootstrap", "-1"},
	}
	for _, args := range tests {
		if err := RunCommand(ctx, env, append([]string{"report"}, args...)); err == nil {
			t.Errorf("report %q succeeded, want an error", args)
		}
	}
}
