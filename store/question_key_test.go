package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

// writeFiles writes name -> content under a new temporary folder.
func writeFiles(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// stringKeyed is a FastChat-layout set whose questions have every kind of key.
var stringKeyed = map[string]string{
	"question.jsonl": `{"question_id": 81, "category": "writing", "turns": ["Write a poem."]}
{"question_id": "writing_1", "category": "writing", "turns": ["Write a story.", "Shorter."]}
{"question_id": "a1b2c3d4e5f6", "turns": ["Hex uid, no category."]}
{"question_id": "https://example.org/q?id=7", "category": "", "turns": ["A URL."]}
{"question_id": "0081", "category": "math", "turns": ["Leading zero."]}
`,
	"model_answer/alpha.jsonl": `{"question_id": 81, "choices": [{"turns": ["a81"]}]}
{"question_id": "writing_1", "choices": [{"turns": ["aw1", "aw2"]}]}
{"question_id": "a1b2c3d4e5f6", "choices": [{"turns": ["ahex"]}]}
{"question_id": "https://example.org/q?id=7", "choices": [{"turns": ["aurl"]}]}
{"question_id": "0081", "choices": [{"turns": ["a0081"]}]}
`,
	"model_answer/beta.jsonl": `{"question_id": "81", "choices": [{"turns": ["b81"]}]}
{"question_id": "writing_1", "choices": [{"turns": ["bw1", "bw2"]}]}
{"question_id": "a1b2c3d4e5f6", "choices": [{"turns": ["bhex"]}]}
{"question_id": "https://example.org/q?id=7", "choices": [{"turns": ["burl"]}]}
{"question_id": "0081", "choices": [{"turns": ["b0081"]}]}
`,
	"votes.csv": "question_id,model_a,model_b,winner,judge,turn\n" +
		"writing_1,alpha,beta,model_a,expert_1,2\n" +
		"0081,beta,alpha,model_a,expert_1,1\n" +
		"81,alpha,beta,tie,expert_2,1\n" +
		"writing_1,alpha,beta,model_a,expert_1,2\n",
	"votes.jsonl": `{"question_id": "a1b2c3d4e5f6", "model_a": "alpha", "model_b": "beta", "winner": "model_b", "judge": "expert_3", "turn": 1}
`,
	"model_judgment/gpt-4_pair.jsonl": `{"question_id": "https://example.org/q?id=7", "model_1": "alpha", "model_2": "beta", "g1_winner": "model_1", "g2_winner": "model_1", "judge": ["gpt-4", "pair-v2"], "turn": 1}
{"question_id": 81, "model_1": "alpha", "model_2": "beta", "g1_winner": "tie", "g2_winner": "model_2", "judge": ["gpt-4", "pair-v2"], "turn": 1}
`,
}

func TestStringKeysImportAndExport(t *testing.T) {
	ctx := context.Background()
	dir := writeFiles(t, stringKeyed)
	s := storetest.MustOpen(t)
	rep := mustImport(t, s, dir)
	if rep.Added == 0 || rep.Replaced != 0 {
		t.Fatalf("first import: %+v", rep)
	}
	qs, err := s.Questions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantCat := map[string]string{"81": "writing", "writing_1": "writing", "a1b2c3d4e5f6": store.Uncategorised,
		"https://example.org/q?id=7": store.Uncategorised, "0081": "math"}
	if len(qs) != len(wantCat) {
		t.Fatalf("questions = %+v, want %d", qs, len(wantCat))
	}
	for _, q := range qs {
		cat, ok := wantCat[q.Key]
		if !ok || q.Category != cat {
			t.Errorf("question %q: category %q, want %q (known %v)", q.Key, q.Category, cat, ok)
		}
		switch {
		case q.Key == "81" && q.ID != 81:
			t.Errorf("question 81 has id %d, want 81", q.ID)
		case q.Key != "81" && q.ID < store.ReservedQuestionIDs:
			t.Errorf("question %q has id %d, want one from the reserved range", q.Key, q.ID)
		}
	}

	// Importing the same files again changes nothing.
	again := mustImport(t, s, dir)
	if again.Added != 0 || again.Replaced != 0 || again.Unchanged != rep.Added {
		t.Errorf("re-import = added %d, replaced %d, unchanged %d; want 0, 0, %d", again.Added, again.Replaced, again.Unchanged, rep.Added)
	}

	// Exports write integer keys as numbers and the others as strings.
	var csvOut bytes.Buffer
	if err := s.ExportVotes(ctx, &csvOut, "csv", ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n81,alpha,beta,tie,expert_2,1\n", "\n0081,alpha,beta,model_b,expert_1,1\n", "\nwriting_1,alpha,beta,model_a,expert_1,2\n"} {
		if !strings.Contains(csvOut.String(), want) {
			t.Errorf("CSV export lacks %q:\n%s", want, csvOut.String())
		}
	}
	var js bytes.Buffer
	if err := s.ExportVotes(ctx, &js, "jsonl", ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"question_id":81,`, `"question_id":"0081",`, `"question_id":"a1b2c3d4e5f6",`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("JSONL export lacks %s:\n%s", want, js.String())
		}
	}
	var vs bytes.Buffer
	if err := s.ExportVerdicts(ctx, &vs, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(vs.String(), `"question_id":"https://example.org/q?id=7"`) || !strings.Contains(vs.String(), `"question_id":81,`) {
		t.Errorf("verdict export:\n%s", vs.String())
	}

	// The bundle reads back into a new database as the same data.
	bundle := filepath.Join(t.TempDir(), "bundle")
	if err := s.ExportBundle(ctx, bundle); err != nil {
		t.Fatal(err)
	}
	qb, _ := os.ReadFile(filepath.Join(bundle, "question.jsonl"))
	var first map[string]any
	json.Unmarshal(bytes.SplitN(qb, []byte("\n"), 2)[0], &first)
	if first["question_id"] != float64(81) {
		t.Errorf("bundle's first question_id = %#v, want the number 81", first["question_id"])
	}
	s2 := storetest.MustOpen(t)
	mustImport(t, s2, bundle)
	for _, kind := range []string{"jsonl", "csv"} {
		var a, b bytes.Buffer
		s.ExportVotes(ctx, &a, kind, "")
		s2.ExportVotes(ctx, &b, kind, "")
		if a.String() != b.String() {
			t.Errorf("votes %s after a round trip through the bundle:\n%s\nwant\n%s", kind, b.String(), a.String())
		}
	}
}

func TestQuestionKeyErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"integer key in the reserved range", map[string]string{"question.jsonl": `{"question_id": 1099511627776, "category": "x", "turns": ["a"]}` + "\n"},
			[]string{"line 1", `field "question_id"`, "1099511627776 is too large"}},
		{"empty string key", map[string]string{"question.jsonl": `{"question_id": "  ", "category": "x", "turns": ["a"]}` + "\n"},
			[]string{"line 1", `field "question_id"`, "non-empty"}},
		{"unknown string key", map[string]string{
			"question.jsonl":       `{"question_id": "writing_1", "category": "x", "turns": ["a"]}` + "\n",
			"model_answer/m.jsonl": `{"question_id": "writing_2", "choices": [{"turns": ["b"]}]}` + "\n"},
			[]string{"m.jsonl", "line 1", "unknown question writing_2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.MustOpen(t)
			_, err := s.Import(context.Background(), []string{writeFiles(t, tt.files)}, store.ImportOptions{})
			if err == nil {
				t.Fatalf("Import succeeded, want an error with %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if qs, _ := s.Questions(context.Background()); len(qs) != 0 {
				t.Errorf("a failed import wrote %d questions", len(qs))
			}
		})
	}
}
