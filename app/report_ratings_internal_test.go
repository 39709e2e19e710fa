package app

import (
	"context"
	"strconv"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

// A unit's detail carries the judge's single-answer ratings of both answers:
// a score with its explanation, and an error (FastChat's -1) as an error.
func TestUnitDetailRatings(t *testing.T) {
	s := storetest.MustOpen(t)
	ctx := context.Background()
	if _, err := s.Import(ctx, []string{"../store/testdata/mini", "../store/testdata/ratings/judge-x_single.jsonl"}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		a, b    string
		turn    int
		judge   string
		wantA   string
		wantB   string
		ratingB bool
	}{
		{"beta", "alpha", 1, "judge-x", "8 Vivid. Rating: [[8]]", "error I would say good.", true},
		{"alpha", "beta", 2, "judge-x", "6.5 Flat. Rating: [[6.5]]", "", false},
		{"alpha", "beta", 1, "", "", "", false},
	}
	for _, tt := range tests {
		d, err := unitDetail(ctx, s, 1, tt.a, tt.b, tt.turn, tt.judge)
		if err != nil {
			t.Fatal(err)
		}
		show := func(r *UnitRating) string {
			switch {
			case r == nil:
				return ""
			case r.Score == nil:
				return "error " + r.Explanation
			}
			return strconv.FormatFloat(*r.Score, 'f', -1, 64) + " " + r.Explanation
		}
		if got := show(d.RatingA); got != tt.wantA || d.ModelA != "alpha" {
			t.Errorf("unitDetail(%s, %s, turn %d, %q) rating of %s = %q, want %q", tt.a, tt.b, tt.turn, tt.judge, d.ModelA, got, tt.wantA)
		}
		if got := show(d.RatingB); got != tt.wantB || (d.RatingB != nil) != tt.ratingB {
			t.Errorf("unitDetail(%s, %s, turn %d, %q) rating of %s = %q, want %q", tt.a, tt.b, tt.turn, tt.judge, d.ModelB, got, tt.wantB)
		}
	}
}
