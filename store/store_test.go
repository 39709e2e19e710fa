package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

// mustImport imports paths and fails the test on error.
func mustImport(tb testing.TB, s *store.Store, paths ...string) *store.ImportReport {
	tb.Helper()
	rep, err := s.Import(context.Background(), paths, store.ImportOptions{})
	if err != nil {
		tb.Fatalf("Import(%v): %v", paths, err)
	}
	return rep
}

func info(tb testing.TB, s *store.Store) *store.Info {
	tb.Helper()
	in, err := s.Info(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	in.DBPath = ""
	return in
}

func TestImportMini(t *testing.T) {
	s := storetest.MustOpen(t)
	// Arguments out of dependency order: votes before the questions they need.
	rep := mustImport(t, s, "testdata/mini/votes.csv", "testdata/mini/votes.json", "testdata/mini")
	in := info(t, s)
	if in.Questions != 2 || in.Models != 2 || in.Answers != 4 {
		t.Errorf("counts = %d questions, %d models, %d answers; want 2, 2, 4", in.Questions, in.Models, in.Answers)
	}
	// votes.csv (4) and votes.json (1 human) are named and also in the folder: read once.
	if in.HumanVotes != 5 || in.Annotators != 4 {
		t.Errorf("votes = %d from %d annotators, want 5 from 4", in.HumanVotes, in.Annotators)
	}
	if in.JudgeVerdicts["judge-x"] != 2 || in.JudgeVerdicts["gpt-4"] != 1 {
		t.Errorf("judge verdicts = %v, want judge-x 2 and gpt-4 1", in.JudgeVerdicts)
	}
	if len(rep.Files) != 6 || rep.Unchanged != 0 {
		t.Errorf("files = %d, unchanged = %d; want 6 files read once each", len(rep.Files), rep.Unchanged)
	}

	votes, err := s.Votes(context.Background(), "expert")
	if err != nil {
		t.Fatal(err)
	}
	wantWinners := []string{"model_a", "tie", "model_a", "both_bad"} // canonical: alpha < beta
	if len(votes) != len(wantWinners) {
		t.Fatalf("expert votes = %d, want %d", len(votes), len(wantWinners))
	}
	for i, v := range votes {
		if v.ModelA != "alpha" || v.ModelB != "beta" || v.Winner != wantWinners[i] {
			t.Errorf("vote %d = %s/%s %s, want alpha/beta %s", i, v.ModelA, v.ModelB, v.Winner, wantWinners[i])
		}
	}

	vs, err := s.Verdicts(context.Background(), "judge-x")
	if err != nil {
		t.Fatal(err)
	}
	// Question 1 came as beta vs alpha, and each game's first-shown answer
	// won: canonical order swaps the games and relabels the winners.
	if v := vs[0]; v.Model1 != "alpha" || v.G1.Winner != "model_2" || v.G2.Winner != "model_1" || v.Combined != "inconsistent" || v.G1.Judgment != "A wins [[A]]" {
		t.Errorf("verdict q1 = %+v g1=%+v g2=%+v, want alpha first, g1 (alpha shown first) won by model_2 with its judgment, g2 by model_1, inconsistent", v, v.G1, v.G2)
	}
	if v := vs[1]; v.Combined != "inconsistent" || v.Prompt != "pair-math-v1" {
		t.Errorf("verdict q2 = %+v, want inconsistent with prompt pair-math-v1", v)
	}
}

func TestImportIsIdempotent(t *testing.T) {
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini")
	before := info(t, s)
	rep := mustImport(t, s, "testdata/mini")
	if rep.Added != 0 || rep.Replaced != 0 {
		t.Errorf("second import added %d, replaced %d; want nothing", rep.Added, rep.Replaced)
	}
	after := info(t, s)
	if before.HumanVotes != after.HumanVotes || before.Answers != after.Answers {
		t.Errorf("counts changed on re-import: %+v -> %+v", before, after)
	}
}

func TestImportBadInput(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		want  []string // substrings of the error
	}{
		{"truncated JSON line", []string{"testdata/bad/truncated"}, []string{"truncated/question.jsonl", "line 2", "invalid JSON"}},
		{"wrong type", []string{"testdata/bad/wrongtype"}, []string{"wrongtype/question.jsonl", "line 2", `field "question_id"`, "want an integer or a non-empty string, got 2.5"}},
		{"unknown question", []string{"testdata/mini", "testdata/bad/unknown_question.csv"}, []string{"unknown_question.csv", "line 3", `field "question_id"`, "unknown question 99"}},
		{"unknown model", []string{"testdata/mini", "testdata/bad/unknown_model.csv"}, []string{"unknown_model.csv", "line 2", `field "model_b"`, `unknown model "gamma"`}},
		{"turn out of range", []string{"testdata/mini", "testdata/bad/bad_turn.csv"}, []string{"bad_turn.csv", "line 2", `field "turn"`}},
		{"bad winner", []string{"testdata/mini", "testdata/bad/bad_winner.csv"}, []string{"bad_winner.csv", "line 2", `field "winner"`, "model_c"}},
		{"missing turn", []string{"testdata/mini/question.jsonl", "testdata/bad/missingturn"}, []string{"missingturn/model_answer/alpha.jsonl", "line 1", `field "choices[0].turns"`, "has 2 turns"}},
		{"duplicate key, different content", []string{"testdata/mini", "testdata/bad/dupe"}, []string{"dupe/question.jsonl", "line 1", "question 1 already exists with different content", "--replace"}},
		{"empty file", []string{"testdata/bad/empty"}, []string{"empty/question.jsonl", "empty"}},
		{"invalid UTF-8", []string{"testdata/bad/badutf8"}, []string{"badutf8/question.jsonl", "line 1", "invalid UTF-8"}},
		{"missing path", []string{"testdata/nope"}, []string{"testdata/nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.MustOpen(t)
			// A base import that must survive the failed one untouched.
			mustImport(t, s, "testdata/mini/question.jsonl")
			before := info(t, s)
			_, err := s.Import(context.Background(), tt.paths, store.ImportOptions{})
			if err == nil {
				t.Fatalf("Import(%v) succeeded, want an error", tt.paths)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Import(%v) error = %q, want it to mention %q", tt.paths, err, w)
				}
			}
			after := info(t, s)
			if after.Questions != before.Questions || after.Answers != 0 || after.HumanVotes != 0 || len(after.JudgeVerdicts) != 0 {
				t.Errorf("failed import wrote something: %+v", after)
			}
		})
	}
}

func TestImportReplace(t *testing.T) {
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini")
	rep, err := s.Import(context.Background(), []string{"testdata/bad/dupe"}, store.ImportOptions{Replace: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Replaced != 1 {
		t.Errorf("replaced = %d, want 1", rep.Replaced)
	}
	qs, _ := s.Questions(context.Background())
	if qs[0].Turns[0] != "Write a haiku about sun." {
		t.Errorf("question 1 = %q, want the replacement", qs[0].Turns[0])
	}
}

func TestImportBOMAndCRLF(t *testing.T) {
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini", "testdata/bad/bomcrlf")
	qs, err := s.Questions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 3 || qs[2].Turns[1] != "And sunsets red?" {
		t.Errorf("questions = %+v, want 3 with clean text", qs)
	}
	votes, _ := s.Votes(context.Background(), "")
	found := false
	for _, v := range votes {
		found = found || v.Annotator == "expert_9"
	}
	if !found {
		t.Error("vote from the BOM/CRLF CSV (header starting with a BOM) was not imported")
	}
}

func TestImportHugeAnswer(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "model_answer"), 0o755)
	os.WriteFile(filepath.Join(dir, "question.jsonl"), []byte(`{"question_id": 1, "category": "writing", "turns": ["Go on."]}`+"\n"), 0o644)
	big := strings.Repeat("word ", 2<<20) // 10 MB
	os.WriteFile(filepath.Join(dir, "model_answer", "verbose.jsonl"), []byte(`{"question_id": 1, "choices": [{"turns": ["`+big+`"]}]}`+"\n"), 0o644)
	s := storetest.MustOpen(t)
	mustImport(t, s, dir)
	as, err := s.Answers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || len(as[0].Turns[0]) != len(big) {
		t.Errorf("huge answer not stored whole")
	}
}

func TestUnrecognisedFilesAreListed(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)
	os.WriteFile(filepath.Join(dir, "other.jsonl"), []byte(`{"x": 1}`+"\n"), 0o644)
	s := storetest.MustOpen(t)
	rep := mustImport(t, s, dir)
	if len(rep.Unrecognised) != 2 {
		t.Errorf("unrecognised = %v, want notes.txt and other.jsonl", rep.Unrecognised)
	}
}

func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini", "testdata/mini/votes.json")
	if err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bundle")
	if err := s.ExportBundle(ctx, dir); err != nil {
		t.Fatal(err)
	}
	r := storetest.MustOpen(t)
	mustImport(t, r, dir)
	want, got := info(t, s), info(t, r)
	want.Demo, got.Demo = false, false
	if !sameJSON(t, want, got) {
		t.Errorf("round trip info = %+v, want %+v", got, want)
	}
	for _, group := range []string{""} {
		var a, b bytes.Buffer
		if err := s.ExportVotes(ctx, &a, "jsonl", group); err != nil {
			t.Fatal(err)
		}
		if err := r.ExportVotes(ctx, &b, "jsonl", group); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Errorf("votes differ after a round trip")
		}
	}
	var a, b bytes.Buffer
	s.ExportVerdicts(ctx, &a, "")
	r.ExportVerdicts(ctx, &b, "")
	if a.String() != b.String() || a.Len() == 0 {
		t.Errorf("verdicts differ after a round trip:\n%s\nvs\n%s", a.String(), b.String())
	}
}

func TestExportVotesCSV(t *testing.T) {
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini")
	var buf bytes.Buffer
	if err := s.ExportVotes(context.Background(), &buf, "csv", "author"); err != nil {
		t.Fatal(err)
	}
	want := "question_id,model_a,model_b,winner,judge,turn\n2,alpha,beta,model_a,author_0,2\n"
	if buf.String() != want {
		t.Errorf("csv = %q, want %q", buf.String(), want)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	s := storetest.MustOpenAt(t, path)
	s.Write(context.Background(), func(tx *sqlTx) error {
		_, err := tx.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'future', 'x')`)
		return err
	})
	s.Close()
	before, _ := os.ReadFile(path)
	_, err := store.Open(path)
	if !errors.Is(err, store.ErrNewerSchema) {
		t.Fatalf("Open(newer db) = %v, want ErrNewerSchema", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("refusing a newer database changed the file")
	}
}

func TestExportVotesJSONArray(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini")
	var arr, lines bytes.Buffer
	if err := s.ExportVotes(ctx, &arr, "json", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.ExportVotes(ctx, &lines, "jsonl", ""); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(arr.Bytes(), &got); err != nil {
		t.Fatalf("json export is not one JSON array (compute_agreement.py reads it with json.load): %v", err)
	}
	var want []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(lines.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		want = append(want, m)
	}
	if !sameJSON(t, got, want) {
		t.Errorf("json array records differ from the JSONL records")
	}
}

func TestExportVerdictsHFRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini", "testdata/mini/votes.json")
	path := filepath.Join(t.TempDir(), "gpt4_pair.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ExportVerdictsHF(ctx, f, "gpt-4"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, _ := os.ReadFile(path)
	var recs []struct {
		Winner string   `json:"winner"`
		Judge  []string `json:"judge"`
	}
	if err := json.Unmarshal(b, &recs); err != nil || len(recs) != 1 {
		t.Fatalf("hf export = %s (%v), want one record in a JSON array", b, err)
	}
	if recs[0].Winner != "model_a" || recs[0].Judge[0] != "gpt-4" || !strings.HasPrefix(recs[0].Judge[1], "pair") {
		t.Errorf("hf record = %+v, want winner model_a by [gpt-4, pair...]", recs[0])
	}
	// Importing it back into the same database changes nothing.
	rep := mustImport(t, s, path)
	if rep.Added != 0 || rep.Unchanged != 1 {
		t.Errorf("re-import of the hf export: added %d, unchanged %d; want 0 and 1", rep.Added, rep.Unchanged)
	}
}

func TestImportRepeatedVoteID(t *testing.T) {
	dir := t.TempDir()
	vote := func(winner string) string {
		return `{"question_id": 1, "model_a": "alpha", "model_b": "beta", "winner": "` + winner + `", "judge": "ann", "turn": 1, "vote_id": "v-1"}` + "\n"
	}
	same := filepath.Join(dir, "same.jsonl")
	os.WriteFile(same, []byte(vote("model_a")+vote("model_a")), 0o644)
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini")
	rep := mustImport(t, s, same)
	if f := rep.Files[0]; f.Added != 1 || f.Unchanged != 1 {
		t.Errorf("a vote id repeated with the same content: added %d, unchanged %d; want 1 and 1", f.Added, f.Unchanged)
	}
	differs := filepath.Join(dir, "differs.jsonl")
	os.WriteFile(differs, []byte(vote("model_b")+vote("model_a")), 0o644)
	_, err := s.Import(context.Background(), []string{differs}, store.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "differs.jsonl: line 1") || !strings.Contains(err.Error(), "different content") {
		t.Errorf("a stored vote id with a different winner: error %v, want differs.jsonl line 1 and different content", err)
	}
}

func TestImportRepeatedVoteIDNamesTheLaterLine(t *testing.T) {
	dir := t.TempDir()
	vote := func(winner string) string {
		return `{"question_id": 1, "model_a": "alpha", "model_b": "beta", "winner": "` + winner + `", "judge": "ann", "turn": 1, "vote_id": "v-2"}` + "\n"
	}
	path := filepath.Join(dir, "twice.jsonl")
	os.WriteFile(path, []byte(vote("model_b")+vote("model_a")), 0o644)
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini")
	_, err := s.Import(context.Background(), []string{path}, store.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "twice.jsonl: line 2") {
		t.Errorf("a vote id given twice with different winners: error %v, want it to name line 2", err)
	}
}

// A batch that mixes stored and new vote ids counts each correctly.
func TestImportOverlappingVotes(t *testing.T) {
	dir := t.TempDir()
	votes := func(ids ...string) string {
		var b strings.Builder
		for _, id := range ids {
			b.WriteString(`{"question_id": 1, "model_a": "alpha", "model_b": "beta", "winner": "tie", "judge": "ann", "turn": 1, "vote_id": "` + id + `"}` + "\n")
		}
		return b.String()
	}
	first, second := filepath.Join(dir, "first.jsonl"), filepath.Join(dir, "second.jsonl")
	os.WriteFile(first, []byte(votes("v-b", "v-d")), 0o644)
	os.WriteFile(second, []byte(votes("v-a", "v-b", "v-c", "v-d", "v-e")), 0o644)
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini", first)
	before := info(t, s).HumanVotes
	rep := mustImport(t, s, second)
	if f := rep.Files[0]; f.Added != 3 || f.Unchanged != 2 {
		t.Errorf("overlapping import: added %d, unchanged %d; want 3 and 2", f.Added, f.Unchanged)
	}
	if got := info(t, s).HumanVotes; got != before+3 {
		t.Errorf("votes = %d, want %d", got, before+3)
	}
}

// Votes without ids that repeat a key (same annotator and unit) in one file
// get the key's next ordinal in file order, also across the writer's chunks
// and on top of votes already stored, and a second import finds them all.
func TestImportRepeatedKeys(t *testing.T) {
	dir := t.TempDir()
	vote := func(judge, winner string) string {
		return `{"question_id": 1, "model_a": "beta", "model_b": "alpha", "winner": "` + winner + `", "judge": "` + judge + `", "turn": 1}` + "\n"
	}
	var b strings.Builder
	b.WriteString(vote("expert_x", "model_a") + vote("expert_x", "tie"))
	const filler = 20_050 // more than a chunk of the vote writer
	for i := range filler {
		b.WriteString(vote(fmt.Sprint("filler_", i), "tie"))
	}
	b.WriteString(vote("expert_x", "model_b"))
	big := filepath.Join(dir, "big.jsonl")
	os.WriteFile(big, []byte(b.String()), 0o644)

	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini")
	rep := mustImport(t, s, big)
	if f := rep.Files[0]; f.Added != filler+3 || f.Unchanged != 0 {
		t.Errorf("first import: added %d, unchanged %d; want %d and 0", f.Added, f.Unchanged, filler+3)
	}
	// In canonical terms (alpha < beta) model_a and model_b swap.
	wantWinners := []string{"model_b", "tie", "model_a"}
	winners := func() []string {
		votes, err := s.Votes(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		byUID := map[string]string{}
		for _, v := range votes {
			if v.Annotator == "expert_x" {
				byUID[v.UID] = v.Winner
			}
		}
		var out []string
		for ord := 1; ord <= len(byUID); ord++ {
			out = append(out, byUID[store.DerivedVoteID(1, "expert_x\x001\x00alpha\x00beta\x001", uint32(ord))])
		}
		return out
	}
	if got := winners(); fmt.Sprint(got) != fmt.Sprint(wantWinners) {
		t.Errorf("expert_x's votes by ordinal = %v, want %v (file order)", got, wantWinners)
	}
	rep = mustImport(t, s, big)
	if f := rep.Files[0]; f.Added != 0 || f.Unchanged != filler+3 {
		t.Errorf("second import: added %d, unchanged %d; want 0 and %d", f.Added, f.Unchanged, filler+3)
	}

	// A file with the key twice, over a store that has its first vote.
	twice := filepath.Join(dir, "twice.jsonl")
	os.WriteFile(twice, []byte(vote("expert_y", "model_a")+vote("expert_y", "tie")+vote("expert_z", "tie")), 0o644)
	once := filepath.Join(dir, "once.jsonl")
	os.WriteFile(once, []byte(vote("expert_y", "model_a")), 0o644)
	mustImport(t, s, once)
	rep = mustImport(t, s, twice)
	if f := rep.Files[0]; f.Added != 2 || f.Unchanged != 1 {
		t.Errorf("overlapping file: added %d, unchanged %d; want 2 and 1", f.Added, f.Unchanged)
	}
	if got := winners(); fmt.Sprint(got) != fmt.Sprint(wantWinners) {
		t.Errorf("expert_x's votes changed: %v", got)
	}
}

func TestImportNamedUnrecognisedFile(t *testing.T) {
	tests := []struct{ name, content string }{
		{"notes.txt", "hello"},
		{"other.jsonl", `{"x": 1}` + "\n"},
		{"gpt-4_single.jsonl", `{"question_id": 81}` + "\n"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		path := filepath.Join(dir, tt.name)
		os.WriteFile(path, []byte(tt.content), 0o644)
		s := storetest.MustOpen(t)
		rep, err := s.Import(context.Background(), []string{path}, store.ImportOptions{})
		if !errors.Is(err, store.ErrUnrecognised) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "question.jsonl") {
			t.Errorf("Import(%s) = %v, %v; want ErrUnrecognised naming the file and the expected shapes", tt.name, rep, err)
		}
		in, err := s.Info(context.Background())
		if err != nil || in.Questions != 0 || in.HumanVotes != 0 {
			t.Errorf("Import(%s) wrote something: %+v, %v", tt.name, in, err)
		}
	}
}
