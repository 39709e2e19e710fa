package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"concord/app"
	"concord/store"
)

// nilSlices lists the paths of nil slices and maps in v (they reach
// JavaScript as null).
func nilSlices(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return nilSlices(v.Elem(), path)
	case reflect.Slice:
		if v.IsNil() {
			return []string{path}
		}
		var out []string
		for i := 0; i < v.Len(); i++ {
			out = append(out, nilSlices(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return []string{path}
		}
		var out []string
		for _, k := range v.MapKeys() {
			out = append(out, nilSlices(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k))...)
		}
		return out
	case reflect.Struct:
		var out []string
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" || ((f.Type.Kind() == reflect.Slice || f.Type.Kind() == reflect.Map) && hasOmitEmpty(f.Tag.Get("json"))) {
				continue
			}
			out = append(out, nilSlices(v.Field(i), path+"."+f.Name)...)
		}
		return out
	}
	return nil
}

func hasOmitEmpty(tag string) bool {
	for i := 0; i+9 <= len(tag); i++ {
		if tag[i:i+9] == "omitempty" {
			return true
		}
	}
	return false
}

// TestBoundMethodsSendNoNullArrays calls the window's methods that return
// lists on an empty database and on the demo (with a study, a vote and a
// package), and checks that no slice or map reaches JavaScript as null: the
// frontend relies on it and does not fill them in.
func TestBoundMethodsSendNoNullArrays(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, demo := range []bool{false, true} {
		s, err := store.Open(filepath.Join(t.TempDir(), "concord.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if demo {
			if err := s.SeedDemo(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		a := app.New(s)
		judges, _ := s.Judges(context.Background())
		judgeName := ""
		if len(judges) > 0 {
			judgeName = judges[0]
		}
		if err := a.SetAnnotator("ines"); err != nil {
			t.Fatal(err)
		}
		var studyID, verdictID int64
		if demo {
			st, err := a.CreateStudy(store.StudySpec{Name: "bound", Models: []string{"demo-aurora", "demo-cirrus"}, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			studyID = st.ID
			it, err := a.NextItem(studyID)
			if err != nil {
				t.Fatal(err)
			}
			next, err := a.Vote(app.VoteInput{StudyID: studyID, Pos: it.Pos, Turn: it.Turn, Choice: "A"})
			if err != nil {
				t.Fatal(err)
			}
			if paths := nilSlices(reflect.ValueOf(next), "Vote"); len(paths) > 0 {
				t.Errorf("Vote sends null for %v; want empty arrays", paths)
			}
			vs, err := a.JudgeVerdicts(judgeName, 0)
			if err != nil || len(vs) == 0 {
				t.Fatalf("JudgeVerdicts(%q) = %d verdicts, %v", judgeName, len(vs), err)
			}
			verdictID = vs[0].ID
		}
		unit := app.DisagreementUnit{QuestionID: 9001, ModelA: "demo-aurora", ModelB: "demo-cirrus", Turn: 1}
		calls := map[string]func() (any, error){
			"Info":          func() (any, error) { return a.Info() },
			"Studies":       func() (any, error) { return a.Studies() },
			"JudgePrompts":  func() (any, error) { return a.JudgePrompts() },
			"JudgePrices":   func() (any, error) { return a.JudgePrices() },
			"JudgeVerdicts": func() (any, error) { return a.JudgeVerdicts(judgeName, 0) },
			"JudgeRatings":  func() (any, error) { return a.JudgeRatings(judgeName) },
			"JudgeStatus":   func() (any, error) { return a.JudgeStatus(), nil },
			"About":         func() (any, error) { return a.About() },
			"Report":        func() (any, error) { return a.Report(app.ReportOptions{Bootstrap: -1}) },
			"Report turn 1": func() (any, error) { return a.Report(app.ReportOptions{Turn: 1, Bootstrap: -1}) },
			"Disagreements": func() (any, error) { return a.Disagreements(app.DisagreementFilter{}) },
			"BatchStatus":   func() (any, error) { return a.BatchStatus() },
			"Import":        func() (any, error) { return a.Import([]string{t.TempDir()}) },
			"JudgeDryRun": func() (any, error) {
				return a.JudgeDryRun(app.JudgeRequest{BaseURL: "http://127.0.0.1:9/v1", Model: "bound-judge"})
			},
			"JudgeVerdict": func() (any, error) { return a.JudgeVerdict(judgeName, verdictID) },
			"SaveJudgePrices": func() (any, error) {
				return a.SaveJudgePrices(nil)
			},
			"Experiments":   func() (any, error) { return a.Experiments("") },
			"NextItem":      func() (any, error) { return a.NextItem(studyID) },
			"Undo":          func() (any, error) { return a.Undo(studyID) },
			"StudyProgress": func() (any, error) { return a.StudyProgress(studyID) },
			"PackStudy": func() (any, error) {
				return a.PackStudy(studyID, store.PackOptions{Annotators: []string{"ann1", "ann2"}, Seed: 1, OutDir: t.TempDir()})
			},
			"UnitDetail": func() (any, error) {
				return a.UnitDetail(unit.QuestionID, unit.ModelA, unit.ModelB, unit.Turn, judgeName)
			},
		}
		for name, call := range calls {
			v, err := call()
			if err != nil {
				if demo && name != "Import" {
					t.Errorf("demo: %s: %v", name, err) // the demo must exercise every method
				}
				continue // an error reaches JavaScript as an Error, not a value
			}
			if paths := nilSlices(reflect.ValueOf(v), name); len(paths) > 0 {
				t.Errorf("demo=%v: %s sends null for %v; want empty arrays", demo, name, paths)
			}
		}
	}
}
