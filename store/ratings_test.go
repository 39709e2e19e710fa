package store_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"concord/store"
	"concord/store/storetest"
)

const miniRatings = "testdata/ratings/judge-x_single.jsonl"

func ratings(tb testing.TB, s *store.Store, judge string) []store.Rating {
	tb.Helper()
	rs, err := s.Ratings(context.Background(), judge)
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

func TestImportRatings(t *testing.T) {
	s := storetest.MustOpen(t)
	rep := mustImport(t, s, "testdata/mini", miniRatings)
	if rep.Files[len(rep.Files)-1].Kind != store.KindRatings {
		t.Errorf("files = %+v, want the ratings file recognised as %s", rep.Files, store.KindRatings)
	}
	in := info(t, s)
	if in.JudgeRatings["judge-x"] != 4 || len(in.Ratings) != 1 || in.Ratings[0].Errors != 1 {
		t.Errorf("info ratings = %v %+v, want judge-x 4 with 1 error", in.JudgeRatings, in.Ratings)
	}
	if in.JudgeVerdicts["judge-x"] != 2 {
		t.Errorf("judge-x verdicts = %d, want 2: the single file's judge is the pairwise judge", in.JudgeVerdicts["judge-x"])
	}
	rs := ratings(t, s, "judge-x")
	got := make([]string, len(rs))
	for i, r := range rs {
		got[i] = fmt.Sprintf("q%d %s t%d %s score=%v err=%t", r.QuestionID, r.Model, r.Turn, r.Prompt, r.Score, r.IsError())
	}
	want := []string{
		"q1 alpha t1 single-v1 score=8 err=false",
		"q1 alpha t2 single-v1-multi-turn score=6.5 err=false",
		"q1 beta t1 single-v1 score=0 err=true",
		"q2 beta t1 single-math-v1 score=10 err=false",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ratings =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if e := rs[2]; !strings.Contains(e.Error, "-1") || e.Judgment != "I would say good." {
		t.Errorf("the -1 rating = %+v, want an error naming -1 with the raw reply kept", e)
	}
	if at := rs[0].CreatedAt; !at.Equal(time.Unix(1687221890, 5e8)) {
		t.Errorf("created_at = %v, want the record's tstamp", at)
	}

	rep = mustImport(t, s, miniRatings)
	if rep.Added != 0 || rep.Unchanged != 4 {
		t.Errorf("re-import: added %d, unchanged %d; want 0 and 4", rep.Added, rep.Unchanged)
	}
	if n := len(ratings(t, s, "")); n != 4 {
		t.Errorf("ratings after re-import = %d, want 4", n)
	}
}

// A rating with a new score is a conflict unless replacing, and replacing
// leaves one row.
func TestImportRatingsReplace(t *testing.T) {
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini", miniRatings)
	changed := filepath.Join(t.TempDir(), "judge-x_single.jsonl")
	os.WriteFile(changed, []byte(`{"question_id": 1, "model": "alpha", "judge": ["judge-x", "single-v1"], "score": 3, "turn": 1}`+"\n"), 0o644)
	_, err := s.Import(context.Background(), []string{changed}, store.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("import of a changed score = %v, want a conflict on line 1 naming --replace", err)
	}
	rep, err := s.Import(context.Background(), []string{changed}, store.ImportOptions{Replace: true})
	if err != nil || rep.Replaced != 1 {
		t.Fatalf("import --replace = %+v, %v; want 1 replaced", rep, err)
	}
	rs := ratings(t, s, "judge-x")
	if len(rs) != 4 || rs[0].Score != 3 {
		t.Errorf("after replace: %d ratings, first score %v; want 4 and 3", len(rs), rs[0].Score)
	}
}

func TestImportRatingsBadInput(t *testing.T) {
	rec := func(fields string) string {
		return `{"question_id": 1, "model": "alpha", "judge": ["judge-x", "single-v1"], "score": 7, "turn": 1}` + "\n" +
			`{"judge": ["judge-x", "single-v1"], ` + fields + `}` + "\n"
	}
	tests := []struct {
		name, content string
		want          []string
	}{
		{"score above 10", rec(`"question_id": 1, "model": "beta", "score": 11, "turn": 1`), []string{"line 2", `field "score"`, "got 11"}},
		{"score 0", rec(`"question_id": 1, "model": "beta", "score": 0, "turn": 1`), []string{"line 2", `field "score"`}},
		{"score missing", rec(`"question_id": 1, "model": "beta", "turn": 1, "score": null`), []string{"line 2", `field "score"`, "missing"}},
		{"score a string", rec(`"question_id": 1, "model": "beta", "score": "8", "turn": 1`), []string{"line 2", `field "score"`, "want number"}},
		{"unknown question", rec(`"question_id": 99, "model": "beta", "score": 8, "turn": 1`), []string{"line 2", `field "question_id"`, "unknown question 99"}},
		{"unknown model", rec(`"question_id": 1, "model": "gamma", "score": 8, "turn": 1`), []string{"line 2", `field "model"`, `unknown model "gamma"`}},
		{"turn 3", rec(`"question_id": 1, "model": "beta", "score": 8, "turn": 3`), []string{"line 2", `field "turn"`, "got turn 3"}},
		{"judge not a name", strings.Replace(rec(`"question_id": 1, "model": "beta", "score": 8`), `"judge": ["judge-x", "single-v1"], "question_id": 1, "model": "beta"`, `"judge": 5, "question_id": 1, "model": "beta"`, 1), []string{"line 2", `field "judge"`}},
		{"bad tstamp", rec(`"question_id": 1, "model": "beta", "score": 8, "tstamp": -5`), []string{"line 2", `field "tstamp"`}},
		{"truncated", rec(`"question_id": 1, "model": "beta", "score": 8`)[:150], []string{"line 2", "invalid JSON"}},
		{"same answer twice, different scores", rec(`"question_id": 1, "model": "alpha", "score": 8, "turn": 1`), []string{"line 2", "already exists with different content"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.MustOpen(t)
			mustImport(t, s, "testdata/mini")
			path := filepath.Join(t.TempDir(), "model_judgment", "judge-x_single.jsonl")
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, []byte(tt.content), 0o644)
			_, err := s.Import(context.Background(), []string{path}, store.ImportOptions{})
			if err == nil {
				t.Fatalf("Import(%q) = nil error, want one", tt.content)
			}
			for _, w := range append(tt.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Import error %q does not name %q", err, w)
				}
			}
			if n := len(ratings(t, s, "")); n != 0 {
				t.Errorf("a failed import wrote %d ratings, want none", n)
			}
		})
	}
}

func TestSaveRating(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini")
	id, err := s.EnsureJudge(ctx, store.JudgeSpec{Name: "rater", Model: "m", ConfigHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	base := store.Rating{Prompt: "single-v1", PromptHash: "p1", QuestionID: 1, Model: "alpha", Turn: 1}
	with := func(f func(*store.Rating)) store.Rating { r := base; f(&r); return r }
	steps := []struct {
		name    string
		r       store.Rating
		wantErr error
		want    string // the stored rating after the step
	}{
		{"an error first", with(func(r *store.Rating) { r.Error = "no rating"; r.Judgment = "meh" }), nil, "0 no rating meh"},
		{"a score replaces the error", with(func(r *store.Rating) { r.Score = 7; r.Judgment = "ok [[7]]"; r.TokensIn = 10 }), nil, "7  ok [[7]]"},
		{"a second score is dropped", with(func(r *store.Rating) { r.Score = 2; r.Judgment = "bad [[2]]" }), nil, "7  ok [[7]]"},
		{"an error does not replace a score", with(func(r *store.Rating) { r.Error = "x" }), nil, "7  ok [[7]]"},
		{"another prompt text is refused", with(func(r *store.Rating) { r.PromptHash = "p2"; r.Score = 5 }), store.ErrPromptChanged, "7  ok [[7]]"},
		{"a score out of range is refused", with(func(r *store.Rating) { r.Model = "beta"; r.Score = 11 }), errAny, "7  ok [[7]]"},
	}
	for _, st := range steps {
		err := s.SaveRating(ctx, id, st.r)
		switch {
		case st.wantErr == nil && err != nil:
			t.Errorf("%s: SaveRating = %v", st.name, err)
		case st.wantErr == errAny && err == nil, st.wantErr != nil && st.wantErr != errAny && !errors.Is(err, st.wantErr):
			t.Errorf("%s: SaveRating = %v, want %v", st.name, err, st.wantErr)
		}
		rs := ratings(t, s, "rater")
		if len(rs) != 1 {
			t.Fatalf("%s: %d ratings stored, want 1", st.name, len(rs))
		}
		if got := fmt.Sprintf("%v %s %s", rs[0].Score, rs[0].Error, rs[0].Judgment); got != st.want {
			t.Errorf("%s: stored %q, want %q", st.name, got, st.want)
		}
	}
}

var errAny = errors.New("any error")

func TestExportRatings(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini", miniRatings)

	var buf bytes.Buffer
	if err := s.ExportRatings(ctx, &buf, "judge-x", store.RatingFormatSingle); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("single export has %d lines, want 4:\n%s", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[2]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["score"] != -1.0 || fmt.Sprint(rec["judge"]) != "[judge-x single-v1]" || rec["model"] != "beta" || rec["turn"] != 1.0 {
		t.Errorf("exported error row = %v, want score -1 under [judge-x single-v1] for beta turn 1", rec)
	}
	// The export imports back onto the same ratings, the error included.
	path := filepath.Join(t.TempDir(), "judge-x_single.jsonl")
	os.WriteFile(path, buf.Bytes(), 0o644)
	if rep := mustImport(t, s, path); rep.Unchanged != 4 || rep.Added != 0 {
		t.Errorf("re-import of the export: %+v, want 4 unchanged", rep)
	}

	buf.Reset()
	if err := s.ExportRatings(ctx, &buf, "", store.RatingFormatCSV); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][5] != "score" || rows[2][5] != "6.5" || rows[3][5] != "" || rows[3][6] == "" {
		t.Errorf("csv export = %v, want a header and 4 rows, 6.5 kept, the error row with no score and its error", rows)
	}
	if err := s.ExportRatings(ctx, &buf, "", "xml"); err == nil {
		t.Error("ExportRatings(xml) = nil, want an unknown-format error")
	}
}

// The bundle carries ratings in <judge>_single.jsonl and imports back.
func TestExportBundleRatings(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini", miniRatings)
	dir := t.TempDir()
	if err := s.ExportBundle(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "model_judgment", "judge-x_single.jsonl")); err != nil {
		t.Fatal(err)
	}
	fresh := storetest.MustOpen(t)
	mustImport(t, fresh, dir)
	if a, b := ratings(t, s, ""), ratings(t, fresh, ""); len(a) != len(b) || a[1].Score != b[1].Score || a[2].Error != b[2].Error {
		t.Errorf("bundle round trip: %d ratings -> %d", len(a), len(b))
	}
}

// FastChat's published GPT-4 grades of six models: 960 ratings under the
// pairwise judge gpt-4, and show_result.py's means (data README).
func TestSharedSingleRatings(t *testing.T) {
	data := sharedData(t)
	file := filepath.Join(data, "mt_bench", "model_judgment", "gpt-4_single.jsonl")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("%s not found: %v", file, err)
	}
	s := storetest.MustOpen(t)
	mustImport(t, s, mtBenchPaths(data)...)
	in := info(t, s)
	if in.JudgeRatings["gpt-4"] != 960 || in.JudgeVerdicts["gpt-4"] != 2400 || len(in.Ratings) != 1 || in.Ratings[0].Errors != 0 {
		t.Errorf("info = ratings %v (%+v), verdicts %v; want gpt-4 with 960 ratings, no errors, and its 2400 verdicts", in.JudgeRatings, in.Ratings, in.JudgeVerdicts)
	}
	sum, n := map[string]float64{}, map[string]int{}
	prompts := map[string]int{}
	var halves int
	for _, r := range ratings(t, s, "gpt-4") {
		sum[r.Model] += r.Score
		n[r.Model]++
		prompts[r.Prompt]++
		if r.Score != math.Trunc(r.Score) {
			halves++
		}
	}
	want := map[string]float64{"gpt-4": 8.990625, "gpt-3.5-turbo": 7.94375, "claude-v1": 7.9, "vicuna-13b-v1.3": 6.3875, "alpaca-13b": 4.53125, "llama-13b": 2.60625}
	for m, w := range want {
		if got := sum[m] / float64(n[m]); n[m] != 160 || math.Abs(got-w) > 1e-9 {
			t.Errorf("%s: %d ratings, mean %v; want 160 and %v", m, n[m], got, w)
		}
	}
	if halves != 3 {
		t.Errorf("non-integer scores = %d, want 3 (the 8.5s)", halves)
	}
	if prompts["single-v1"] != 300 || prompts["single-math-v1"] != 180 || prompts["single-v1-multi-turn"] != 300 || prompts["single-math-v1-multi-turn"] != 180 {
		t.Errorf("prompts = %v, want 300/180 per turn", prompts)
	}
	if rep := mustImport(t, s, file); rep.Unchanged != 960 || rep.Added != 0 {
		t.Errorf("re-import: %+v, want 960 unchanged", rep.Files)
	}
	var buf bytes.Buffer
	if err := s.ExportRatings(context.Background(), &buf, "gpt-4", store.RatingFormatSingle); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "gpt-4_single.jsonl")
	os.WriteFile(path, buf.Bytes(), 0o644)
	if rep := mustImport(t, s, path); rep.Unchanged != 960 {
		t.Errorf("re-import of the single export: %+v, want 960 unchanged", rep.Files)
	}
}

func BenchmarkImportSingleRatings(b *testing.B) {
	data := sharedData(b)
	file := filepath.Join(data, "mt_bench", "model_judgment", "gpt-4_single.jsonl")
	base := []string{filepath.Join(data, "mt_bench", "question.jsonl"), filepath.Join(data, "mt_bench", "model_answer")}
	for b.Loop() {
		b.StopTimer()
		s := storetest.MustOpen(b)
		mustImport(b, s, base...)
		b.StartTimer()
		mustImport(b, s, file)
	}
}
