package store_test

import (
	"database/sql"
	"encoding/json"
	"testing"
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
