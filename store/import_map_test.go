package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

func TestParseColumnMap(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		{"", map[string]string{}, ""},
		{"prompt=instruction, answer_a=resp1,answer_b=resp2,winner=pref,annotator=rater",
			map[string]string{"prompt": "instruction", "response_a": "resp1", "response_b": "resp2", "winner": "pref", "annotator": "rater"}, ""},
		{"prompt", nil, "want role=column"},
		{"prompt=", nil, "want role=column"},
		{"colour=c", nil, `unknown role "colour"`},
		{"answer_a=x,response_a=y", nil, "given twice"},
	}
	for _, tt := range tests {
		got, err := store.ParseColumnMap(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseColumnMap(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !sameJSON(t, got, tt.want) {
			t.Errorf("ParseColumnMap(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// A file with its own column names reads through a column map, one row per
// annotator and pair (a long table); a dry run reports the same counts and a
// preview, and writes nothing.
func TestImportColumnMapAndDryRun(t *testing.T) {
	ctx := context.Background()
	dir := writeFiles(t, map[string]string{"ratings.csv": "instruction,resp1,resp2,pref,rater\n" +
		"Say hi.,hi,hello,1,ann\n" +
		"Say hi.,hi,hello,2,bob\n" +
		"Say bye.,bye,ciao,0,ann\n"})
	path := filepath.Join(dir, "ratings.csv")
	s := storetest.MustOpen(t)
	if _, err := s.Import(ctx, []string{path}, store.ImportOptions{}); err == nil {
		t.Fatal("import without a map succeeded, want the file not recognised")
	}
	m, err := store.ParseColumnMap("prompt=instruction,answer_a=resp1,answer_b=resp2,winner=pref,annotator=rater")
	if err != nil {
		t.Fatal(err)
	}
	dry, err := s.Import(ctx, []string{path}, store.ImportOptions{Map: m, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if c := countPairs(t, s); c.questions+c.answers+c.votes != 0 {
		t.Fatalf("a dry run wrote %+v", c)
	}
	f := dry.Files[0]
	if f.Kind != store.KindPairs || f.Records != 3 || f.Columns["prompt"] != "instruction" || f.Columns["response_a"] != "resp1" {
		t.Errorf("dry run file report = %+v", f)
	}
	if len(f.Preview) != 3 || f.Preview[1].Labels["bob"] != "model_b" || f.Preview[0].ModelA != "ratings:a" || f.Preview[2].Labels["ann"] != "tie" {
		t.Errorf("preview = %+v", f.Preview)
	}
	rep, err := s.Import(ctx, []string{path}, store.ImportOptions{Map: m})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != dry.Added || rep.Unchanged != dry.Unchanged {
		t.Errorf("import = %+v, want the dry run's counts %+v", rep, dry)
	}
	want := pairsCounts{2, 4, 3, 0, []string{"ratings:a", "ratings:b"}, []string{"ann/ratings", "bob/ratings"}}
	if got := countPairs(t, s); !sameJSON(t, got, want) {
		t.Errorf("imported %+v, want %+v", got, want)
	}
	bad, _ := store.ParseColumnMap("prompt=question_text")
	_, err = s.Import(ctx, []string{path}, store.ImportOptions{Map: bad})
	if err == nil || !strings.Contains(err.Error(), `field "question_text": no such column`) {
		t.Errorf("map naming a missing column: %v", err)
	}
}

func TestColumnMapOf(t *testing.T) {
	tests := []struct {
		in      map[string]string
		want    map[string]string
		wantErr string
	}{
		{nil, map[string]string{}, ""},
		{map[string]string{"prompt": "instruction", "answer_a": "resp,1", "winner": ""},
			map[string]string{"prompt": "instruction", "response_a": "resp,1"}, ""},
		{map[string]string{"colour": "c"}, nil, `unknown role "colour"`},
		{map[string]string{"answer_a": "x", "response_a": "y"}, nil, "given twice"},
	}
	for _, tt := range tests {
		got, err := store.ColumnMapOf(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ColumnMapOf(%v) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !sameJSON(t, got, tt.want) {
			t.Errorf("ColumnMapOf(%v) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// Two files named together each read through their own column map, and a
// dry run lists each file's own columns.
func TestImportMapsPerFile(t *testing.T) {
	ctx := context.Background()
	dir := writeFiles(t, map[string]string{
		"one.csv": "instruction,resp1,resp2\nSay hi.,hi,hello\n",
		"two.csv": "q,left,right\nSay bye.,bye,ciao\n",
	})
	one, two := filepath.Join(dir, "one.csv"), filepath.Join(dir, "two.csv")
	m1, _ := store.ColumnMapOf(map[string]string{"prompt": "instruction", "answer_a": "resp1", "answer_b": "resp2"})
	m2, _ := store.ColumnMapOf(map[string]string{"prompt": "q", "answer_a": "left", "answer_b": "right"})
	s := storetest.MustOpen(t)
	opts := store.ImportOptions{Maps: map[string]map[string]string{one: m1, two: m2}, DryRun: true}
	dry, err := s.Import(ctx, []string{one, two}, opts)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string][]string{}
	for _, f := range dry.Files {
		cols[filepath.Base(f.Path)] = f.FileColumns
	}
	want := map[string][]string{"one.csv": {"instruction", "resp1", "resp2"}, "two.csv": {"left", "q", "right"}}
	if !sameJSON(t, cols, want) {
		t.Errorf("dry run file columns = %v, want %v", cols, want)
	}
	opts.DryRun = false
	rep, err := s.Import(ctx, []string{one, two}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files[0].FileColumns != nil {
		t.Errorf("an import (not a dry run) listed file columns %v", rep.Files[0].FileColumns)
	}
	if got := countPairs(t, s); got.questions != 2 || got.answers != 4 {
		t.Errorf("imported %+v, want 2 questions and 4 answers", got)
	}
	got, err := store.ReadColumns(two)
	if err != nil || !sameJSON(t, got, []string{"left", "q", "right"}) {
		t.Errorf("ReadColumns(two.csv) = %v, %v", got, err)
	}
}
