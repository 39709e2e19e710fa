package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"concord/app"
	"concord/store"
)

// ratingsFixture is judgeFixture with judge "pw" holding two verdicts (one
// order each, the second game an error) and judge "sg" holding three
// ratings (one an error).
func ratingsFixture(t *testing.T) string {
	t.Helper()
	db := judgeFixture(t)
	ctx := context.Background()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pw, err := st.EnsureJudge(ctx, store.JudgeSpec{Name: "pw", Model: "m", ConfigJSON: "{}", ConfigHash: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range []string{"model_1", "error"} {
		k := store.GameKey{Prompt: "p", PromptHash: "x", QuestionID: 1, Model1: "m1", Model2: "m2", Turn: i + 1, Game: 1}
		g := store.Game{Winner: w}
		if w == "error" {
			g.Error = "no verdict"
		}
		if err := st.SaveGame(ctx, pw, k, g); err != nil {
			t.Fatal(err)
		}
	}
	sg, err := st.EnsureJudge(ctx, store.JudgeSpec{Name: "sg", Model: "m", ConfigJSON: "{}", ConfigHash: "h2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []store.Rating{
		{Prompt: "single-v1", QuestionID: 1, Model: "m1", Turn: 1, Score: 8.5, Judgment: "Good. <script>x()</script> Rating: [[8.5]]"},
		{Prompt: "single-v1", QuestionID: 2, Model: "m1", Turn: 1, Score: 3, Judgment: "Weak. Rating: [[3]]"},
		{Prompt: "single-v1", QuestionID: 2, Model: "m2", Turn: 2, Error: "no rating in the reply", Judgment: "maybe eight"},
	} {
		if err := st.SaveRating(ctx, sg, r); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestJudgeListRatings(t *testing.T) {
	db := ratingsFixture(t)
	ctx := context.Background()
	var out bytes.Buffer
	env := &app.Env{Stdout: &out, Stderr: &bytes.Buffer{}, DBPath: db, Getenv: func(string) string { return "" }}
	if err := app.RunCommand(ctx, env, []string{"judge", "list", "--json"}); err != nil {
		t.Fatal(err)
	}
	var got []app.JudgeListing
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("judge list --json: %v\n%s", err, out.String())
	}
	want := []app.JudgeListing{{Name: "pw", Verdicts: 2}, {Name: "sg", Ratings: 3, RatingErrors: 1}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("judge list --json = %+v, want %+v", got, want)
	}
	out.Reset()
	if err := app.RunCommand(ctx, env, []string{"judge", "list"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "RATINGS") || strings.Join(strings.Fields(lines[2]), " ") != "sg 0 0 0 3 1" {
		t.Errorf("judge list printed:\n%s\nwant a RATINGS column and the line sg 0 0 0 3 1", out.String())
	}
}

func TestJudgeRatingsBound(t *testing.T) {
	db := ratingsFixture(t)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := app.New(st)
	rows, err := a.JudgeRatings("sg")
	if err != nil || len(rows) != 3 {
		t.Fatalf("JudgeRatings(sg) = %d rows, %v; want 3", len(rows), err)
	}
	var scores []float64
	errs := 0
	for _, r := range rows {
		if r.QuestionKey != map[int]string{1: "1", 2: "2"}[r.QuestionID] {
			t.Errorf("rating of q%d has key %q", r.QuestionID, r.QuestionKey)
		}
		if r.Error != "" {
			errs++
			continue
		}
		scores = append(scores, r.Score)
	}
	if errs != 1 || len(scores) != 2 || scores[0]+scores[1] != 11.5 {
		t.Errorf("JudgeRatings(sg): scores %v, %d errors; want 8.5 and 3, 1 error", scores, errs)
	}
	if rows, err := a.JudgeRatings("pw"); err != nil || len(rows) != 0 {
		t.Errorf("JudgeRatings(pw) = %v, %v; want none", rows, err)
	}
}
