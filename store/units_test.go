package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

type unitKey struct {
	q    int
	a, b string
	turn int
}

// TestUnitQueriesMatchWholeTables checks the focused queries against the
// whole-table ones: for every unit with votes or verdicts, UnitVotes and
// UnitVerdicts return exactly the rows Votes and Verdicts have for it, with
// the pair given in either order.
func TestUnitQueriesMatchWholeTables(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini/votes.csv", "testdata/mini/votes.json", "testdata/mini")
	votes, err := s.Votes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	verdicts, err := s.Verdicts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) == 0 || len(verdicts) == 0 {
		t.Fatalf("mini data: %d votes, %d verdicts; want some of each", len(votes), len(verdicts))
	}
	wantVotes := map[unitKey][]int64{}
	for _, v := range votes {
		k := unitKey{v.QuestionID, v.ModelA, v.ModelB, v.Turn}
		wantVotes[k] = append(wantVotes[k], v.ID)
	}
	wantVerdicts := map[unitKey][]string{}
	for _, v := range verdicts {
		k := unitKey{v.QuestionID, v.Model1, v.Model2, v.Turn}
		wantVerdicts[k] = append(wantVerdicts[k], fmt.Sprintf("%s/%s/%s", v.Judge, v.Prompt, v.Combined))
	}
	for k, want := range wantVotes {
		for _, swap := range []bool{false, true} {
			a, b := k.a, k.b
			if swap {
				a, b = b, a
			}
			got, err := s.UnitVotes(ctx, k.q, a, b, k.turn)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, v := range got {
				ids = append(ids, v.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(want) {
				t.Errorf("UnitVotes(%d, %q, %q, %d) = ids %v, want %v", k.q, a, b, k.turn, ids, want)
			}
		}
	}
	for k, want := range wantVerdicts {
		got, err := s.UnitVerdicts(ctx, "", k.q, k.b, k.a, k.turn)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, v := range got {
			keys = append(keys, fmt.Sprintf("%s/%s/%s", v.Judge, v.Prompt, v.Combined))
			if !sameJSON(t, v, findVerdict(verdicts, v.ID)) {
				t.Errorf("UnitVerdicts row %d = %+v, want it as Verdicts returns it", v.ID, v)
			}
		}
		if fmt.Sprint(keys) != fmt.Sprint(want) {
			t.Errorf("UnitVerdicts(\"\", %d, %q, %q, %d) = %v, want %v", k.q, k.b, k.a, k.turn, keys, want)
		}
	}
	// A judge filter and a unit without rows.
	var some unitKey
	for k := range wantVerdicts {
		some = k
		break
	}
	if got, _ := s.UnitVerdicts(ctx, "no-such-judge", some.q, some.a, some.b, some.turn); len(got) != 0 {
		t.Errorf("UnitVerdicts for an unknown judge = %d rows, want 0", len(got))
	}
	if got, err := s.UnitVotes(ctx, some.q, some.a, some.b, 99); err != nil || got == nil || len(got) != 0 {
		t.Errorf("UnitVotes on turn 99 = %v, %v; want an empty, non-nil list", got, err)
	}
}

func findVerdict(vs []store.Verdict, id int64) store.Verdict {
	for _, v := range vs {
		if v.ID == id {
			return v
		}
	}
	return store.Verdict{}
}

func TestQuestionAndAnswers(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	mustImport(t, s, "testdata/mini")
	qs, err := s.Questions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answers, err := s.Answers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range qs {
		got, err := s.Question(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, got, want) {
			t.Errorf("Question(%d) = %+v, want %+v", want.ID, got, want)
		}
		var wantAns []store.Answer
		for _, a := range answers {
			if a.QuestionID == want.ID {
				wantAns = append(wantAns, a)
			}
		}
		gotAns, err := s.QuestionAnswers(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(gotAns) != len(wantAns) || (len(wantAns) > 0 && !sameJSON(t, gotAns, wantAns)) {
			t.Errorf("QuestionAnswers(%d) = %+v, want %+v", want.ID, gotAns, wantAns)
		}
	}
	if _, err := s.Question(ctx, 12345); !errors.Is(err, store.ErrNoQuestion) {
		t.Errorf("Question(12345) error = %v, want ErrNoQuestion", err)
	}
	if got, err := s.QuestionAnswers(ctx, 12345); err != nil || len(got) != 0 {
		t.Errorf("QuestionAnswers(12345) = %v, %v; want none", got, err)
	}
}

// BenchmarkUnitQueries reads what the report's unit detail needs for one
// random MT-Bench unit: the question, its answers, the unit's votes and the
// judge's verdicts (goal: well under 1 ms per unit, independent of table size).
func BenchmarkUnitQueries(b *testing.B) {
	data := sharedData(b)
	s := storetest.MustOpen(b)
	mustImport(b, s, filepath.Join(data, "mt_bench"), filepath.Join(data, "mt_bench_human_judgments"))
	ctx := context.Background()
	votes, err := s.Votes(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := votes[rng.IntN(len(votes))]
		if _, err := s.Question(ctx, v.QuestionID); err != nil {
			b.Fatal(err)
		}
		if _, err := s.QuestionAnswers(ctx, v.QuestionID); err != nil {
			b.Fatal(err)
		}
		if _, err := s.UnitVotes(ctx, v.QuestionID, v.ModelB, v.ModelA, v.Turn); err != nil {
			b.Fatal(err)
		}
		if _, err := s.UnitVerdicts(ctx, "gpt-4", v.QuestionID, v.ModelA, v.ModelB, v.Turn); err != nil {
			b.Fatal(err)
		}
	}
}
