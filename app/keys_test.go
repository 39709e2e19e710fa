package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord/app"
	"concord/store"
)

// The judge's --questions takes keys as the files spell them, and a
// single-turn question is judged on its one turn.
func TestJudgeQuestionsByKey(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	files := map[string]string{
		"question.jsonl": `{"question_id": "writing_1", "category": "writing", "turns": ["Write.", "Again."]}` + "\n" +
			`{"question_id": "solo", "turns": ["Once."]}` + "\n" +
			`{"question_id": 81, "category": "writing", "turns": ["Poem."]}` + "\n",
		"model_answer/m1.jsonl": `{"question_id": "writing_1", "choices": [{"turns": ["a", "b"]}]}` + "\n" +
			`{"question_id": "solo", "choices": [{"turns": ["c"]}]}` + "\n" + `{"question_id": 81, "choices": [{"turns": ["d"]}]}` + "\n",
		"model_answer/m2.jsonl": `{"question_id": "writing_1", "choices": [{"turns": ["e", "f"]}]}` + "\n" +
			`{"question_id": "solo", "choices": [{"turns": ["g"]}]}` + "\n" + `{"question_id": 81, "choices": [{"turns": ["h"]}]}` + "\n",
	}
	for name, content := range files {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(t.TempDir(), "keys.db")
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(context.Background(), []string{dir}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	tests := []struct {
		questions, want string
	}{
		{"writing_1", "would send 4 requests for 2 units"},
		{"solo", "would send 2 requests for 1 units"},
		{"81,solo", "would send 4 requests for 2 units"},
		{"", "would send 8 requests for 4 units"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		env := &app.Env{Stdout: &out, Stderr: &errOut, DBPath: db, Getenv: func(k string) string { return map[string]string{"MY_KEY": "sk-test"}[k] }}
		args := []string{"judge", "--base-url", "http://127.0.0.1:1/v1", "--model", "fake-4", "--api-key-env", "MY_KEY", "--dry-run"}
		if tt.questions != "" {
			args = append(args, "--questions", tt.questions)
		}
		if err := app.RunCommand(context.Background(), env, args); err != nil {
			t.Errorf("judge --questions %q: %v", tt.questions, err)
			continue
		}
		if !strings.Contains(out.String(), tt.want) || strings.Contains(out.String(), "turn missing") {
			t.Errorf("judge --questions %q --dry-run printed:\n%s\nwant %q and nothing skipped for a missing turn", tt.questions, out.String(), tt.want)
		}
	}
	var out bytes.Buffer
	env := &app.Env{Stdout: &out, Stderr: &out, DBPath: db, Getenv: func(string) string { return "x" }}
	err = app.RunCommand(context.Background(), env, []string{"judge", "--base-url", "http://127.0.0.1:1/v1", "--model", "fake-4", "--dry-run", "--questions", "writing_9"})
	if err == nil || !strings.Contains(err.Error(), "no question with key writing_9") {
		t.Errorf("judge --questions writing_9: %v, want an error naming the key", err)
	}
}
