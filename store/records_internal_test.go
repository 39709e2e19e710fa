package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestAppendJSONStringMatchesMarshal(t *testing.T) {
	for _, s := range []string{"", "expert_12", "gpt-4\x00pair", "a\"b", `back\slash`, "<html> & co", "tab\tnew\nline\r", "\b\f\x01", "naïve", "日本語", "\u2028", "\x00\x00", "trailing\x00"} {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("prefix"), s); string(got) != "prefix"+string(want) {
			t.Errorf("appendJSONString(%q) = %s, want prefix%s", s, got, want)
		}
	}
}

// Derived vote ids must not change: re-importing a file must find the votes
// an earlier version imported.
func TestDerivedVoteIDIsStable(t *testing.T) {
	tests := []struct {
		judge, a, b string
		q, turn     int
		ordinal     uint32
	}{
		{"expert_0", "alpha", "beta", 81, 1, 1},
		{"author_3", "gpt-3.5-turbo", "vicuna-13b-v1.2", 160, 2, 7},
		{"name \"quoted\" <&>", "modèle", "モデル", 1, 1, 4294967295},
	}
	for _, tt := range tests {
		key := fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%d", tt.judge, tt.q, tt.a, tt.b, tt.turn)
		want := fmt.Sprintf("q%d:%s", tt.q, contentHash(key, tt.ordinal)[:24])
		if got := derivedVoteID(strconv.Itoa(tt.q), key, tt.ordinal); got != want {
			t.Errorf("derivedVoteID(%q, %d) = %s, want %s", key, tt.ordinal, got, want)
		}
	}
	// And one literal, computed by the version that first derived ids.
	if got, want := derivedVoteID("81", "expert_0\x0081\x00alpha\x00beta\x001", 1), "q81:a663477a5368fe37ab3c12db"; got != want {
		t.Errorf("derived id = %s, want %s", got, want)
	}
}

// The CSV fast path must decode a vote row exactly as the JSON path does.
func TestCSVVoteColumnsMatchJSON(t *testing.T) {
	const file = "Question_ID,model_a,model_b,winner,judge,turn,vote_id,group,left_model,time_ms,rationale,created_at,category,prompt,extra\n" +
		"81,alpha,beta,model_a,expert_0,1,,,,,,,,,x\n" +
		" 82 ,beta,alpha,tie,author_1, 2 ,v-1,experts,beta,1500,\"says \"\"why\"\"\",2026-01-02T03:04:05Z,math,pair-v2,\n" +
		"x9,alpha,beta,model_b,\"[\"\"gpt-4\"\", \"\"pair-v2\"\"]\",two,,,,-3,<b>&</b>,,,,\n" +
		",,,,,,,,,,,,,,\n"
	cr, err := newCSVReader(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	set, ok := csvVoteColumns(cr.header)
	if !ok {
		t.Fatal("csvVoteColumns refused a plain header")
	}
	cj, _ := newCSVReader(strings.NewReader(file))
	for {
		line, raw, err := cj.Next()
		if err != nil {
			break
		}
		var want voteRec
		if err := decodeRecord(line, raw, &want); err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		gotLine, cells, err := cr.row()
		if err != nil || gotLine != line {
			t.Fatalf("row: line %d, %v; want line %d", gotLine, err, line)
		}
		var got voteRec
		for i, v := range cells {
			if set[i] != nil {
				set[i](&got, v)
			}
		}
		g, _ := json.Marshal(fmt.Sprintf("%#v", got))
		w, _ := json.Marshal(fmt.Sprintf("%#v", want))
		if string(g) != string(w) {
			t.Errorf("line %d:\n fast %s\n json %s", line, g, w)
		}
	}
	if _, ok := csvVoteColumns([]string{"question_id", "conversation_a"}); ok {
		t.Error("csvVoteColumns accepted a conversation column, which needs JSON")
	}
}
