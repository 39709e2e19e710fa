package store_test

import (
	"database/sql"
	"encoding/json"
	"testing"

	"concord/store"
)

type sqlTx = sql.Tx

func sameJSON(tb testing.TB, a, b any) bool {
	tb.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		tb.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		tb.Fatal(err)
	}
	return string(x) == string(y)
}

func TestCombine(t *testing.T) {
	tests := []struct{ g1, g2, want string }{
		{"model_1", "model_1", "model_1"},
		{"tie", "tie", "tie"},
		{"model_1", "model_2", "inconsistent"},
		{"model_1", "tie", "inconsistent"},
		{"error", "model_1", "error"},
		{"model_2", "error", "error"},
		{"error", "error", "error"},
	}
	for _, tt := range tests {
		if got := store.Combine(tt.g1, tt.g2); got != tt.want {
			t.Errorf("Combine(%q, %q) = %q, want %q", tt.g1, tt.g2, got, tt.want)
		}
	}
}
