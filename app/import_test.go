package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord/app"
	"concord/store/storetest"
)

// The Import screen's path: the columns of a file no importer recognises,
// a dry run through the chosen mapping that writes nothing, then the import.
func TestImportFilesPreviewThenImport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "prefs.csv")
	if err := os.WriteFile(path, []byte("instruction,resp1,resp2,pref\nSay hi.,hi,hello,1\nSay bye.,bye,ciao,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := storetest.MustOpen(t)
	a := app.New(s)
	cols, err := a.ImportColumns([]string{path, dir})
	if err != nil || strings.Join(cols[path], ",") != "instruction,pref,resp1,resp2" || len(cols) != 1 {
		t.Fatalf("ImportColumns = %v, %v; want the file's four columns and nothing for the folder", cols, err)
	}
	if _, err := a.ImportFiles(app.ImportRequest{Paths: []string{path}, DryRun: true}); err == nil ||
		!strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("preview without a map: %v, want not recognised, nothing written", err)
	}
	maps := map[string]map[string]string{path: {"prompt": "instruction", "answer_a": "resp1", "answer_b": "resp2", "winner": "pref", "gold": ""}}
	before, _ := a.Info()
	dry, err := a.ImportFiles(app.ImportRequest{Paths: []string{path}, Maps: maps, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if f := dry.Files[0]; f.Kind != "pairs" || f.Records != 2 || len(f.Preview) != 2 || f.Preview[0].Labels == nil || f.Columns["prompt"] != "instruction" {
		t.Errorf("preview = %+v", f)
	}
	if after, _ := a.Info(); after.Questions != before.Questions || after.HumanVotes != before.HumanVotes {
		t.Errorf("the preview wrote: %d questions, %d votes; before %d, %d", after.Questions, after.HumanVotes, before.Questions, before.HumanVotes)
	}
	rep, err := a.ImportFiles(app.ImportRequest{Paths: []string{path}, Maps: maps})
	if err != nil || rep.Added != dry.Added {
		t.Fatalf("import = %+v, %v; want the preview's %d added", rep, err, dry.Added)
	}
	if after, _ := a.Info(); after.Questions != before.Questions+2 || after.HumanVotes != before.HumanVotes+2 {
		t.Errorf("after the import: %d questions, %d votes; want 2 more of each", after.Questions, after.HumanVotes)
	}
	if _, err := a.ImportFiles(app.ImportRequest{Paths: []string{path}, Maps: map[string]map[string]string{path: {"colour": "pref"}}}); err == nil ||
		!strings.Contains(err.Error(), `unknown role "colour"`) {
		t.Errorf("unknown role: %v", err)
	}
}
