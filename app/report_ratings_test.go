package app_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord/judge/audit"
)

// The report's Scores section on the shared MT-Bench data: FastChat's
// show_result.py means per model and turn (data README), the one pair that
// is not separable, and the scope naming the model without ratings.
func TestReportScoresMTBench(t *testing.T) {
	data := filepath.Join("..", "..", "shared", "data")
	single := filepath.Join(data, "mt_bench", "model_judgment", "gpt-4_single.jsonl")
	if _, err := os.Stat(single); err != nil {
		t.Skipf("shared MT-Bench data not found under %s: %v", data, err)
	}
	db := filepath.Join(t.TempDir(), "concord.db")
	if code, _, errOut := cliRun(t, db, "import", filepath.Join(data, "mt_bench"), filepath.Join(data, "mt_bench_human_judgments")); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	code, out, errOut := cliRun(t, db, "report", "--judge", "gpt-4", "--humans", "expert", "--bootstrap", "200", "--format", "json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	var r audit.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.SchemaVersion != 3 || r.Scores == nil || len(r.Scores.Judges) != 1 {
		t.Fatalf("schema %d, scores %+v; want 3 with one judge", r.SchemaVersion, r.Scores)
	}
	want := map[string][3]float64{ // both turns, turn 1, turn 2
		"gpt-4":           {8.990625, 8.956250, 9.025000},
		"gpt-3.5-turbo":   {7.943750, 8.075000, 7.812500},
		"claude-v1":       {7.900000, 8.150000, 7.650000},
		"vicuna-13b-v1.3": {6.387500, 6.812500, 5.962500},
		"alpaca-13b":      {4.531250, 4.975000, 4.087500},
		"llama-13b":       {2.606250, 3.262500, 1.950000},
	}
	j := r.Scores.Judges[0]
	var order []string
	for _, row := range j.Leaderboard {
		order = append(order, row.Model)
		w := want[row.Model]
		got := [3]float64{float64(row.Score.Mean), float64(row.ByTurn[0].Mean), float64(row.ByTurn[1].Mean)}
		for i := range w {
			if math.Abs(got[i]-w[i]) > 0.6e-4 { // the JSON rounds to 4 decimals
				t.Errorf("%s score %d = %v, want %v (show_result.py)", row.Model, i, got[i], w[i])
			}
		}
		if row.Score.N != 160 || row.Score.CI == nil {
			t.Errorf("%s: n %d, interval %v; want 160 ratings with an interval", row.Model, row.Score.N, row.Score.CI)
		}
	}
	if got := strings.Join(order, " "); got != "gpt-4 gpt-3.5-turbo claude-v1 vicuna-13b-v1.3 alpaca-13b llama-13b" {
		t.Errorf("leaderboard = %s", got)
	}
	if len(j.Separability) != 1 || !strings.Contains(j.Separability[0], "gpt-3.5-turbo (#2) and claude-v1 (#3) are not separable") {
		t.Errorf("separability = %q, want gpt-3.5-turbo and claude-v1 not separable", j.Separability)
	}
	if !strings.Contains(r.Scores.Scope, "left out: vicuna-13b-v1.2") {
		t.Errorf("scope = %q, want vicuna-13b-v1.2 named as left out", r.Scores.Scope)
	}
	// Close calls and agreement use the 5 models with ratings and votes: 10 pairs.
	if len(j.CloseCalls) != 10 || len(j.Agreement) != 4 {
		t.Errorf("close calls %d, agreement rows %d; want 10 and 4 (humans and gpt-4, two turns)", len(j.CloseCalls), len(j.Agreement))
	}
	for _, c := range j.CloseCalls {
		if c.Votes == 0 || c.JudgeVerdicts != 160 {
			t.Errorf("close call %v: %d votes, %d verdicts; want votes and 160 verdicts", c.Pair, c.Votes, c.JudgeVerdicts)
		}
	}
}
