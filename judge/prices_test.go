package judge_test

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"concord/judge"
)

func TestPriceTableValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		table judge.PriceTable
		want  string // "" for valid, else a part of the error
	}{
		{"defaults", judge.DefaultPrices(), ""},
		{"empty", judge.PriceTable{}, ""},
		{"free", judge.PriceTable{"local-llama": {0, 0}}, ""},
		{"negative input", judge.PriceTable{"m": {-0.01, 1}}, "m: input price -0.01"},
		{"negative output", judge.PriceTable{"m": {1, -2}}, "m: output price -2"},
		{"not a number", judge.PriceTable{"m": {math.NaN(), 1}}, "not a non-negative number"},
		{"infinite", judge.PriceTable{"m": {1, math.Inf(1)}}, "not a non-negative number"},
		{"no name", judge.PriceTable{" ": {1, 1}}, "no model name"},
		{"spaces", judge.PriceTable{" gpt-4o": {1, 1}}, "surrounding spaces"},
	} {
		err := tc.table.Validate()
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: Validate(%v) = %v, want %q", tc.name, tc.table, err, tc.want)
		}
	}
}

func TestSavePrices(t *testing.T) {
	path := filepath.Join(t.TempDir(), "concord", "prices.json")
	first, err := judge.LoadPrices(path) // writes the defaults
	if err != nil || !reflect.DeepEqual(first, judge.DefaultPrices()) {
		t.Fatalf("LoadPrices(new file) = %v, %v; want the defaults", first, err)
	}
	want := judge.PriceTable{"my-judge": {InputPerMillion: 0.5, OutputPerMillion: 1.25}, "ollama": {}}
	if err := judge.SavePrices(path, want); err != nil {
		t.Fatalf("SavePrices(%v) = %v", want, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("price file mode = %v, %v; want 0600", fi, err)
	}
	got, err := judge.LoadPrices(path)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("LoadPrices after SavePrices = %v, %v; want %v", got, err, want)
	}

	// An invalid table is refused and leaves the file as it was.
	if err := judge.SavePrices(path, judge.PriceTable{"m": {-1, 0}}); err == nil {
		t.Errorf("SavePrices(negative price) = nil, want an error")
	}
	if got, err := judge.LoadPrices(path); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("LoadPrices after a refused save = %v, %v; want %v", got, err, want)
	}

	// A hand-edited file with a negative price is reported, not used.
	if err := os.WriteFile(path, []byte(`{"m": {"input_per_million": -3, "output_per_million": 1}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := judge.LoadPrices(path); err == nil || !strings.Contains(err.Error(), "m: input price -3") {
		t.Errorf("LoadPrices(negative price in file) = %v, want an error naming it", err)
	}
}
