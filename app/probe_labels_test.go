package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"concord/judge/audit"
)

// TestProbeLabels runs the label control against a judge that picks the
// answer labelled A whenever there is one and otherwise the answer shown
// second: with A and B the first position wins every game, with neutral names
// none, so the whole first-position preference is the label's.
func TestProbeLabels(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	db := demoDB(t)
	var calls atomic.Int64
	label := regexp.MustCompile(`=== Answer of assistant (\w+) ===`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct{ Messages []struct{ Content string } }
		json.NewDecoder(r.Body).Decode(&req)
		user := req.Messages[len(req.Messages)-1].Content
		text := "[[A]]"
		if ls := label.FindAllStringSubmatch(user, 2); len(ls) == 2 && ls[0][1] != "A" {
			text = "[[" + ls[1][1] + "]]"
		}
		out, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": text}}},
			"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 3}})
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	code, out, errOut := cliRun(t, "", "--db", db, "probe", "labels", "--name", "demo-judge", "--base-url", srv.URL+"/v1", "--model", "fake",
		"--sample", "6", "--labels", "Ash,Elm", "--json")
	if code != 0 {
		t.Fatalf("probe labels: exit %d: %s", code, errOut)
	}
	var e audit.Experiment
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("probe --json: %v: %s", err, out)
	}
	l, n, d := e.FirstWithLetters, e.FirstWithNames, e.LabelPreference
	if e.Kind != "position" || e.Items != 6 || e.Judged != 6 || l == nil || n == nil || d == nil ||
		l.Count != 12 || l.N != 12 || n.Count != 0 || n.N != 12 || float64(d.Value) != 1 || d.CI == nil || float64(d.CI[0]) <= 0 {
		t.Fatalf("probe labels = %+v, first %+v / %+v, label %+v; want 6 items, 12/12 first with A/B, 0/12 with names, a label preference of 1 above 0", e, l, n, d)
	}
	if got := calls.Load(); got != 24 {
		t.Errorf("%d requests, want 4 per item (two orders, two label sets)", got)
	}
	_, md, _ := cliRun(t, "", "--db", db, "report", "--judge", "demo-judge", "--bootstrap", "0", "--format", "markdown")
	if !strings.Contains(md, "first position wins 100.0% (12/12)") || !strings.Contains(md, "label A preference 1.000") {
		t.Errorf("report lacks the label control:\n%s", md)
	}
}
