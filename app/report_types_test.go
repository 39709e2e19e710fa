package app_test

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"concord/judge/audit"
)

// numFields collects the JSON names of the fields of t (and of the structs it
// reaches) whose type is audit.Num or a slice of them, and of those that are
// an *audit.Interval: the fields the generated models type as plain numbers.
func numFields(t reflect.Type, nums, intervals map[string]bool, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		if t == reflect.TypeFor[audit.Interval]() {
			return
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	num := reflect.TypeFor[audit.Num]()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		switch {
		case ft == reflect.TypeFor[audit.Interval]():
			intervals[name] = true
		case ft == num:
			nums[name] = true
		default:
			numFields(f.Type, nums, intervals, seen)
		}
	}
}

// unionNames reads the string literals of a TypeScript union type alias.
func unionNames(t *testing.T, src, alias string) map[string]bool {
	t.Helper()
	m := regexp.MustCompile(`(?s)type ` + alias + ` =(.*?);`).FindStringSubmatch(src)
	if m == nil {
		t.Fatalf("report-types.ts: no type %s", alias)
	}
	out := map[string]bool{}
	for _, q := range regexp.MustCompile(`'([a-z_]+)'`).FindAllStringSubmatch(m[1], -1) {
		out[q[1]] = true
	}
	return out
}

// TestReportTypesNameEveryNum checks that the frontend's report types
// (frontend/src/lib/report-types.ts) name every field the report sends as an
// audit.Num or an audit.Interval, which may be null though the generated
// models say number: a new Num field must be added to NumField there.
func TestReportTypesNameEveryNum(t *testing.T) {
	src, err := os.ReadFile("../frontend/src/lib/report-types.ts")
	if err != nil {
		t.Fatal(err)
	}
	nums, intervals := map[string]bool{}, map[string]bool{}
	numFields(reflect.TypeFor[audit.Report](), nums, intervals, map[reflect.Type]bool{})
	for _, c := range []struct {
		alias string
		want  map[string]bool
	}{{"NumField", nums}, {"IntervalField", intervals}} {
		have := unionNames(t, string(src), c.alias)
		var missing []string
		for name := range c.want {
			if !have[name] {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("report-types.ts: %s lacks %q (Num or Interval fields of audit.Report)", c.alias, missing)
		}
	}
}
