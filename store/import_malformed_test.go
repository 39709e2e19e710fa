package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

// Several annotators' labels in one row: a list of labels beside the list
// of their names; lists of different lengths, a list without names and a
// label that is not one are refused, naming the line and field, and write
// nothing.
func TestImportLabelLists(t *testing.T) {
	row := func(extra string) string {
		return `{"prompt": "Say hi.", "response_a": "hi", "response_b": "hello", "model_a": "m1", "model_b": "m2", ` + extra + "}\n"
	}
	ok := row(`"winner": ["model_a", "tie", null], "annotator": ["ann", "bob", "cy"]`)
	s := storetest.MustOpen(t)
	dir := writeFiles(t, map[string]string{"lists.jsonl": ok})
	if _, err := s.Import(context.Background(), []string{filepath.Join(dir, "lists.jsonl")}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	want := pairsCounts{1, 2, 2, 0, []string{"m1", "m2"}, []string{"ann/lists", "bob/lists"}}
	if got := countPairs(t, s); !sameJSON(t, got, want) {
		t.Errorf("label lists imported %+v, want %+v", got, want)
	}

	tests := []struct {
		name, line2 string
		want        []string
	}{
		{"more labels than names", row(`"winner": ["a", "b", "tie"], "annotator": ["ann", "bob"]`),
			[]string{"line 2", `field "annotator"`, "2 names, but winner holds 3 labels"}},
		{"more names than labels", row(`"winner": ["a"], "annotator": ["ann", "bob"]`),
			[]string{"line 2", `field "annotator"`, "2 names, but winner holds 1 labels"}},
		{"a list without names", row(`"winner": ["a", "b"]`),
			[]string{"line 2", `field "winner"`, "needs an annotator column with the list of their 2 names"}},
		{"names that are not a list", row(`"winner": ["a", "b"], "annotator": "ann"`),
			[]string{"line 2", `field "winner"`, "needs an annotator column"}},
		{"a label in the list that is not one", row(`"winner": ["a", "sideways"], "annotator": ["ann", "bob"]`),
			[]string{"line 2", `field "winner[1]"`, `got "sideways"`}},
		{"an object in the list", row(`"winner": ["a", {"x": 1}], "annotator": ["ann", "bob"]`),
			[]string{"line 2", `field "winner[1]"`, "want a label"}},
		{"an object for a label", row(`"winner": {"x": 1}, "annotator": "ann"`),
			[]string{"line 2", `field "winner"`, "want a label"}},
		{"an empty name", row(`"winner": ["a", "b"], "annotator": ["ann", " "]`),
			[]string{"line 2", `field "annotator[1]"`, "empty name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.MustOpen(t)
			dir := writeFiles(t, map[string]string{"lists.jsonl": row(`"winner": ["a"], "annotator": ["ann"]`) + tt.line2})
			path := filepath.Join(dir, "lists.jsonl")
			_, err := s.Import(context.Background(), []string{path}, store.ImportOptions{})
			if err == nil {
				t.Fatal("import succeeded")
			}
			for _, w := range append(tt.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if c := countPairs(t, s); c.questions+c.answers+c.votes != 0 {
				t.Errorf("a refused file wrote %+v", c)
			}
		})
	}
}

func conv(turns ...string) string {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i+1 < len(turns); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"role": "user", "content": %q}, {"role": "assistant", "content": %q}`, turns[i], turns[i+1])
	}
	b.WriteString("]")
	return b.String()
}

// Chatbot Arena's conversations export (a JSON array; hex question ids, the
// prompt only in the conversations, moderation objects, tie (bothbad))
// imports on its own: each row brings its question, both answers and the
// vote; importing it again changes nothing.
func TestImportArenaConversationsExport(t *testing.T) {
	rows := []string{
		`{"question_id": "58210e39b3fd4441a2bd4a518bb44c2d", "model_a": "chatglm-6b", "model_b": "koala-13b", "winner": "model_b", "judge": "arena_user_973", ` +
			`"conversation_a": ` + conv("What is a haiku?", "A poem.") + `, "conversation_b": ` + conv("What is a haiku?", "A short poem of three lines.") + `, ` +
			`"turn": 1, "anony": true, "language": "English", "tstamp": 1682351591.1322, "openai_moderation": {"categories": {"hate": false}, "flagged": false}, "toxic_chat_tag": {"roberta-large": {"flagged": false, "probability": 0.008}}}`,
		`{"question_id": "a3b1", "model_a": "koala-13b", "model_b": "vicuna-13b", "winner": "tie (bothbad)", "judge": "arena_user_12", ` +
			`"conversation_a": ` + conv("Hi", "Hello", "Bye", "See you") + `, "conversation_b": ` + conv("Hi", "Hey", "Bye", "Ciao") + `, ` +
			`"turn": 2, "anony": false, "language": "English", "tstamp": 1682351600.5, "openai_moderation": {"flagged": false}, "toxic_chat_tag": {}}`,
	}
	dir := writeFiles(t, map[string]string{"clean_battle_conv.json": "[\n" + strings.Join(rows, ",\n") + "\n]\n"})
	path := filepath.Join(dir, "clean_battle_conv.json")
	s := storetest.MustOpen(t)
	ctx := context.Background()
	if _, err := s.Import(ctx, []string{path}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	want := pairsCounts{2, 4, 2, 0, []string{"chatglm-6b", "koala-13b", "vicuna-13b"}, []string{"arena_user_12/arena_user", "arena_user_973/arena_user"}}
	if got := countPairs(t, s); !sameJSON(t, got, want) {
		t.Errorf("imported %+v, want %+v", got, want)
	}
	qs, _ := s.Questions(ctx)
	keys := map[string][]string{}
	for _, q := range qs {
		keys[q.Key] = q.Turns
		if q.Category != store.Uncategorised {
			t.Errorf("question %s category %q, want %q", q.Key, q.Category, store.Uncategorised)
		}
	}
	if !sameJSON(t, keys, map[string][]string{"58210e39b3fd4441a2bd4a518bb44c2d": {"What is a haiku?"}, "a3b1": {"Hi", "Bye"}}) {
		t.Errorf("questions = %v", keys)
	}
	again, err := s.Import(ctx, []string{path}, store.ImportOptions{})
	if err != nil || again.Added != 0 || again.Replaced != 0 {
		t.Errorf("import again = %+v, %v; want nothing added or replaced", again, err)
	}
}

// The full Hugging Face MT-Bench human judgments (votes with
// conversation_a/b, turn 1 and turn 2 rows) import alone: the
// conversations bring the questions (extended by the turn 2 row) and the
// answers. MT-Bench's question and answer files imported later replace what
// the conversations made, without --replace, and the votes stay.
func TestImportHFHumanJudgmentsWithConversations(t *testing.T) {
	rows := []string{
		`{"question_id": 81, "model_a": "alpaca-13b", "model_b": "gpt-3.5-turbo", "winner": "model_b", "judge": "author_2", "turn": 1, ` +
			`"conversation_a": ` + conv("Write a travel blog.", "Hawaii is nice.") + `, "conversation_b": ` + conv("Write a travel blog.", "Aloha! Hawaii...") + `}`,
		`{"question_id": 81, "model_a": "alpaca-13b", "model_b": "gpt-3.5-turbo", "winner": "tie", "judge": "expert_7", "turn": 2, ` +
			`"conversation_a": ` + conv("Write a travel blog.", "Hawaii is nice.", "Start every sentence with A.", "A trip.") + `, ` +
			`"conversation_b": ` + conv("Write a travel blog.", "Aloha! Hawaii...", "Start every sentence with A.", "Aloha again.") + `}`,
	}
	dir := writeFiles(t, map[string]string{
		"human/human.jsonl":                   strings.Join(rows, "\n") + "\n",
		"mt/question.jsonl":                   `{"question_id": 81, "category": "writing", "turns": ["Write a travel blog.", "Start every sentence with A."]}` + "\n",
		"mt/model_answer/alpaca-13b.jsonl":    `{"question_id": 81, "choices": [{"index": 0, "turns": ["Hawaii is nice.", "A trip to Hawaii."]}]}` + "\n",
		"mt/model_answer/gpt-3.5-turbo.jsonl": `{"question_id": 81, "choices": [{"index": 0, "turns": ["Aloha! Hawaii...", "Aloha again."]}]}` + "\n",
	})
	s := storetest.MustOpen(t)
	ctx := context.Background()
	if _, err := s.Import(ctx, []string{filepath.Join(dir, "human")}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	want := pairsCounts{1, 2, 2, 0, []string{"alpaca-13b", "gpt-3.5-turbo"}, []string{"author_2/author", "expert_7/expert"}}
	if got := countPairs(t, s); !sameJSON(t, got, want) {
		t.Errorf("imported %+v, want %+v", got, want)
	}
	qs, _ := s.Questions(ctx)
	if len(qs) != 1 || len(qs[0].Turns) != 2 || qs[0].Category != store.Uncategorised {
		t.Fatalf("questions = %+v, want question 81 with both turns, uncategorised", qs)
	}
	rep, err := s.Import(ctx, []string{filepath.Join(dir, "mt")}, store.ImportOptions{})
	if err != nil {
		t.Fatalf("MT-Bench files after the conversations: %v", err)
	}
	if rep.Replaced != 3 {
		t.Errorf("replaced %d, want the question and both answers (3)", rep.Replaced)
	}
	qs, _ = s.Questions(ctx)
	if qs[0].Category != "writing" {
		t.Errorf("category %q after question.jsonl, want writing", qs[0].Category)
	}
	as, _ := s.Answers(ctx)
	for _, a := range as {
		if a.Model == "alpaca-13b" && a.Turns[1] != "A trip to Hawaii." {
			t.Errorf("alpaca's answer = %q, want the model_answer file's", a.Turns)
		}
	}
	if got := countPairs(t, s); got.votes != 2 {
		t.Errorf("votes after the MT-Bench files = %d, want 2", got.votes)
	}
	// The conversations again: the files' records stay, nothing changes.
	again, err := s.Import(ctx, []string{filepath.Join(dir, "human")}, store.ImportOptions{})
	if err != nil || again.Added+again.Replaced != 0 {
		t.Errorf("conversations again = %+v, %v; want nothing added or replaced", again, err)
	}
}

// patternReader yields prefix, then n bytes of fill, then suffix, without
// holding them: a 50 MB line costs the test no memory.
type patternReader struct {
	prefix, suffix []byte
	fill           byte
	n              int
}

func (p *patternReader) Read(b []byte) (int, error) {
	switch {
	case len(p.prefix) > 0:
		k := copy(b, p.prefix)
		p.prefix = p.prefix[k:]
		return k, nil
	case p.n > 0:
		k := min(len(b), p.n)
		for i := range b[:k] {
			b[i] = p.fill
		}
		p.n -= k
		return k, nil
	case len(p.suffix) > 0:
		k := copy(b, p.suffix)
		p.suffix = p.suffix[k:]
		return k, nil
	}
	return 0, errors.New("EOF")
}

func writeStream(t *testing.T, path string, r *patternReader) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<16)
	for {
		n, err := r.Read(buf)
		f.Write(buf[:n])
		if err != nil {
			return
		}
	}
}

// A 50 MB single line: in JSONL one record that long is refused, naming
// the file, its line and the field it runs through, and writes nothing,
// without ever holding the line in memory; in CSV the row is refused by
// its line; a JSON array of small records on one 50 MB line reads whole.
func TestImportFiftyMegabyteLine(t *testing.T) {
	const size = 50 << 20
	dir := t.TempDir()
	first := `{"prompt": "Say hi.", "response_a": "hi", "response_b": "hello", "model_a": "m1", "model_b": "m2"}` + "\n"
	long := filepath.Join(dir, "long.jsonl")
	writeStream(t, long, &patternReader{prefix: []byte(first + `{"prompt": "Say more.", "response_b": "b", "response_a": "`), fill: 'x', n: size,
		suffix: []byte(`", "model_a": "m1", "model_b": "m2"}` + "\n")})
	s := storetest.MustOpen(t)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := s.Import(context.Background(), []string{long}, store.ImportOptions{})
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatal("a 50 MB record imported")
	}
	for _, w := range []string{long, "line 2", `field "response_a"`, "longer than 16 MiB"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if c := countPairs(t, s); c.questions != 0 {
		t.Errorf("a refused file wrote %+v", c)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc >= size {
		t.Errorf("refusing the line allocated %d MB, as much as the line (%d MB): it was read whole", alloc>>20, size>>20)
	}

	csvPath := filepath.Join(dir, "long.csv")
	writeStream(t, csvPath, &patternReader{prefix: []byte("prompt,response_a,response_b\nSay hi.,hi,hello\nSay more.,"), fill: 'y', n: size, suffix: []byte(",b\n")})
	_, err = s.Import(context.Background(), []string{csvPath}, store.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), csvPath+": line 3:") || !strings.Contains(err.Error(), "longer than 16 MiB") {
		t.Errorf("CSV with a 50 MB row: %v, want line 3 refused", err)
	}

	// 50 MB of small records in a JSON array on one line.
	rec := `{"question_id": %d, "category": "writing", "turns": ["%s"]},`
	var b bytes.Buffer
	b.WriteString("[")
	n := 0
	for b.Len() < size {
		n++
		fmt.Fprintf(&b, rec, n, strings.Repeat("q", 2000))
	}
	b.Truncate(b.Len() - 1)
	b.WriteString("]")
	arr := filepath.Join(dir, "question.json")
	if err := os.WriteFile(arr, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	b = bytes.Buffer{}
	rep, err := s.Import(context.Background(), []string{arr}, store.ImportOptions{DryRun: true})
	if err != nil || rep.Files[0].Records != n {
		t.Errorf("a JSON array of %d records on one line: %+v, %v; want all read", n, rep, err)
	}
}
