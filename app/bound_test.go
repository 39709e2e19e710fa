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

// nilSlices lists the paths of nil slices in v (they reach JavaScript as null).
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
		var out []string
		for _, k := range v.MapKeys() {
			out = append(out, nilSlices(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k))...)
		}
		return out
	case reflect.Struct:
		var out []string
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" || (f.Type.Kind() == reflect.Slice && hasOmitEmpty(f.Tag.Get("json"))) {
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

// TestBoundMethodsSendNoNullArrays calls the window's listing methods on an
// empty database and on the demo, and checks that no slice reaches
// JavaScript as null.
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
		calls := map[string]func() (any, error){
			"Info":          func() (any, error) { return a.Info() },
			"Studies":       func() (any, error) { return a.Studies() },
			"JudgePrompts":  func() (any, error) { return a.JudgePrompts() },
			"JudgePrices":   func() (any, error) { return a.JudgePrices() },
			"JudgeVerdicts": func() (any, error) { return a.JudgeVerdicts(judgeName, 0) },
			"JudgeStatus":   func() (any, error) { return a.JudgeStatus(), nil },
			"About":         func() (any, error) { return a.About() },
			"Report":        func() (any, error) { return a.Report(app.ReportOptions{Bootstrap: -1}) },
			"Disagreements": func() (any, error) { return a.Disagreements(app.DisagreementFilter{}) },
			"BatchStatus":   func() (any, error) { return a.BatchStatus() },
		}
		for name, call := range calls {
			v, err := call()
			if err != nil {
				continue // an error reaches JavaScript as an Error, not a value
			}
			if paths := nilSlices(reflect.ValueOf(v), name); len(paths) > 0 {
				t.Errorf("demo=%v: %s sends null for %v; want empty arrays", demo, name, paths)
			}
		}
	}
}
