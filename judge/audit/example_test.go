package audit_test

import (
	"fmt"

	"concord/judge/audit"
)

func ExampleCohenKappa() {
	// Two raters, 10 items: rows are rater X's labels, columns rater Y's.
	m := [][]float64{
		{4, 1},
		{1, 4},
	}
	fmt.Printf("%.2f\n", audit.CohenKappa(m))
	// Output: 0.60
}

func ExampleKrippendorffAlpha() {
	// Three units; the third has a disagreement; a lone label is dropped.
	units := [][]int{{0, 0}, {1, 1}, {0, 1}, {1}}
	fmt.Printf("%.4f\n", audit.KrippendorffAlpha(units))
	// Output: 0.4444
}

func ExampleWilson() {
	lo, hi := audit.Wilson(5, 10, 1.96)
	fmt.Printf("%.4f %.4f\n", lo, hi)
	// Output: 0.2366 0.7634
}

func ExampleVotesNeeded() {
	// Humans prefer one model 60% of the time: how many votes until a 95%
	// interval excludes 0.5?
	fmt.Printf("%.0f\n", audit.VotesNeeded(0.6, 1.96))
	// Output: 92
}

func ExamplePreferenceFairness() {
	// MT-Bench Table 2, GPT-4: 65% consistent, 30% first, 5% second.
	fmt.Printf("%.2f\n", audit.PreferenceFairness(30, 5, 100))
	// Output: -0.25
}

func ExampleBradleyTerry() {
	// Model 0 beat model 1 three times out of four.
	r := audit.BradleyTerry([][]float64{{0, 3}, {1, 0}})
	fmt.Printf("%.1f %.1f\n", r[0], r[1])
	// Output: 1073.6 926.4
}

func ExampleKendallTauB() {
	fmt.Printf("%.4f\n", audit.KendallTauB([]float64{1, 1, 2}, []float64{1, 2, 3}))
	// Output: 0.8165
}

func ExampleClassifyGames() {
	// Game 1 shows model A first, game 2 shows model B first; each names the winner.
	fmt.Println(audit.ClassifyGames(audit.A, audit.A))
	fmt.Println(audit.ClassifyGames(audit.A, audit.B))
	fmt.Println(audit.ClassifyGames(audit.Tie, audit.A))
	fmt.Println(audit.ClassifyGames(audit.Error, audit.A))
	// Output:
	// consistent
	// first
	// second
	// error
}

func ExampleCompute() {
	votes := []audit.HumanVote{
		{Question: 1, ModelA: "x", ModelB: "y", Turn: 1, Choice: audit.A, Annotator: "ann1"},
		{Question: 1, ModelA: "y", ModelB: "x", Turn: 1, Choice: audit.B, Annotator: "ann2"}, // same verdict, other order
		{Question: 1, ModelA: "x", ModelB: "y", Turn: 1, Choice: audit.BothBad, Annotator: "ann3"},
	}
	verdicts := []audit.JudgeVerdict{
		{Judge: "gpt-4", Question: 1, ModelA: "x", ModelB: "y", Turn: 1, G1: audit.A, G2: audit.A},
	}
	r := audit.Compute(votes, verdicts, audit.Options{})
	for _, a := range r.Agreement {
		fmt.Printf("%s vs human: %d/%d with ties, %d/%d without\n", a.A, a.WithTies.Agree, a.WithTies.N, a.WithoutTies.Agree, a.WithoutTies.N)
	}
	// Output:
	// gpt-4 vs human: 2/3 with ties, 2/2 without
	// human vs human: 1/3 with ties, 1/1 without
}
