package app_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// Single-answer ratings go in with import, are counted by info and come out
// with export ratings, in FastChat's single format or as CSV.
func TestCLIRatings(t *testing.T) {
	db := filepath.Join(t.TempDir(), "concord.db")
	mini := filepath.Join("..", "store", "testdata")
	if code, _, errOut := cliRun(t, db, "import", filepath.Join(mini, "mini"), filepath.Join(mini, "ratings", "judge-x_single.jsonl")); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	_, out, _ := cliRun(t, db, "info", "--json")
	var in struct {
		JudgeRatings map[string]int `json:"judge_ratings"`
	}
	if err := json.Unmarshal([]byte(out), &in); err != nil || in.JudgeRatings["judge-x"] != 4 {
		t.Errorf("info --json judge_ratings = %v (%v), want judge-x 4", in.JudgeRatings, err)
	}
	tests := []struct {
		args     []string
		code     int
		contains string
		lines    int
	}{
		{[]string{"export", "ratings"}, 0, `"judge":["judge-x","single-v1"]`, 4},
		{[]string{"export", "ratings", "--judge", "judge-x", "--format", "csv"}, 0, "judge,prompt,question_id,model,turn,score", 5},
		{[]string{"export", "ratings", "--format", "xml"}, 2, "", 0},
		{[]string{"export", "ratings", "--judge", "nobody"}, 1, "", 0},
	}
	for _, tt := range tests {
		code, out, errOut := cliRun(t, db, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.contains) || (tt.lines > 0 && strings.Count(out, "\n") != tt.lines) {
			t.Errorf("concord %q = exit %d, %d lines %q (stderr %q); want exit %d, %d lines with %q", tt.args, code, strings.Count(out, "\n"), out, errOut, tt.code, tt.lines, tt.contains)
		}
	}
}
