package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

func TestImportAnswersTable(t *testing.T) {
	files := map[string]string{
		"question.jsonl": `{"question_id": "writing_1", "category": "writing", "turns": ["Write.", "Again."]}` + "\n",
		// AlpacaEval's outputs: instruction, output, generator; no ids.
		"alpaca.json": `[{"instruction": "Name a fruit.", "output": "Apple.", "generator": "m1"},
			{"instruction": "Name a fruit.", "output": "Pear.", "generator": "m2"}]`,
		// A team's sheet by question id, turns as a list.
		"sheet.jsonl": `{"question_id": "writing_1", "model": "m1", "turns": ["w1", "w2"]}` + "\n" +
			`{"question_id": "writing_1", "model": "m2", "turns": ["v1", "v2"]}` + "\n",
		"more.csv": "prompt,model,response,category\r\nName a colour.,m1,Red.,simple\r\nName a colour.,m2,Blue.,simple\r\n",
	}
	dir := writeFiles(t, files)
	s := storetest.MustOpen(t)
	rep := mustImport(t, s, dir)
	kinds := map[string]store.Kind{}
	for _, f := range rep.Files {
		kinds[filepath.Base(f.Path)] = f.Kind
	}
	for _, name := range []string{"alpaca.json", "sheet.jsonl", "more.csv"} {
		if kinds[name] != store.KindAnswersTable {
			t.Errorf("%s read as %q, want %q", name, kinds[name], store.KindAnswersTable)
		}
	}
	got := countPairs(t, s)
	want := pairsCounts{3, 6, 0, 0, []string{"m1", "m2"}, nil}
	if !sameJSON(t, got, want) {
		t.Errorf("imported %+v, want %+v", got, want)
	}
	qs, _ := s.Questions(context.Background())
	cats := map[string]string{}
	for _, q := range qs {
		cats[q.Key] = q.Category
	}
	if cats["writing_1"] != "writing" || len(cats) != 3 {
		t.Errorf("questions by key = %v", cats)
	}
	if again := mustImport(t, s, dir); again.Added != 0 || again.Replaced != 0 {
		t.Errorf("re-import = %+v", again)
	}
}

func TestImportAnswersTableBad(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []string
	}{
		{"unknown question id", "a.jsonl", `{"question_id": "nope", "model": "m", "answer": "x"}` + "\n", []string{"line 1", `field "question_id"`, "unknown question nope"}},
		{"empty model", "a.csv", "prompt,model,answer\nq,m,x\nq2,,y\n", []string{"a.csv", "line 3", `field "model"`, "missing"}},
		{"two answers to one prompt", "a.jsonl", `{"prompt": "q", "model": "m", "turns": ["x", "y"]}` + "\n", []string{"line 1", `field "turns"`, "one prompt but 2 answers"}},
		{"answer of the wrong type", "a.jsonl", `{"prompt": "q", "model": "m", "answer": {"t": 1}}` + "\n", []string{"line 1", `field "answer"`, "want a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{tt.file: tt.content})
			s := storetest.MustOpen(t)
			_, err := s.Import(context.Background(), []string{filepath.Join(dir, tt.file)}, store.ImportOptions{})
			if err == nil {
				t.Fatalf("Import succeeded, want an error with %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if c := countPairs(t, s); c.questions+c.answers != 0 {
				t.Errorf("a failed import wrote %+v", c)
			}
		})
	}
}
