package audit_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"concord/judge/audit"
)

// Three models of equal strength; "long" writes three times as long as the
// others, and humans and the judge prefer the longer answer with
// logit = gamma * (la - lb)/(la + lb), gamma = 2. The raw ratings put long
// first; with the style covariates its lead goes and gamma is recovered.
func TestPreferenceStyles(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	models := []string{"long", "mid", "short"}
	length := map[string]int{"long": 900, "mid": 300, "short": 300}
	var ratings []audit.Rating
	var votes []audit.HumanVote
	var verdicts []audit.JudgeVerdict
	const gamma = 2.0
	draw := func(la, lb int) audit.Label {
		d := float64(la-lb) / float64(la+lb)
		if rng.Float64() < 1/(1+math.Exp(-gamma*d)) {
			return audit.A
		}
		return audit.B
	}
	for q := 1; q <= 300; q++ {
		// Each answer's length varies around its model's, so that the
		// style differences are not a function of the pair.
		ln := map[string]int{}
		for _, m := range models {
			ln[m] = int(float64(length[m]) * (0.25 + 1.5*rng.Float64()))
			f := audit.StyleFeatures{Length: ln[m], Lists: q % 2}
			ratings = append(ratings, audit.Rating{Judge: "j", Question: q, Category: "c", Model: m, Turn: 1, Score: 5, Style: &f})
		}
		for i, a := range models {
			for _, b := range models[i+1:] {
				la, lb := ln[a], ln[b]
				for h := range 3 {
					votes = append(votes, audit.HumanVote{Question: q, Category: "c", ModelA: a, ModelB: b, Turn: 1, Choice: draw(la, lb), Annotator: string(rune('x' + h)), Group: "expert"})
				}
				v := draw(la, lb)
				verdicts = append(verdicts, audit.JudgeVerdict{Judge: "j", Question: q, Category: "c", ModelA: a, ModelB: b, Turn: 1, G1: v, G2: v})
			}
		}
	}
	ps := audit.PreferenceStyles("j", ratings, votes, verdicts, audit.DefaultOptions())
	if len(ps) != 2 || ps[0].Source != "human" || ps[1].Source != "j" {
		t.Fatalf("PreferenceStyles = %d sources, want human and j", len(ps))
	}
	for _, p := range ps {
		g := p.Coefficients[0]
		if g.Name != "length" || math.Abs(float64(g.Value)-gamma) > 0.6 || g.CI == nil || float64(g.CI[0]) > gamma || float64(g.CI[1]) < gamma {
			t.Errorf("%s: length coefficient %v %v, want about %v with an interval holding it", p.Source, g.Value, g.CI, gamma)
		}
		if p.Coefficients[2].Value.Valid() || p.Coefficients[3].Value.Valid() {
			t.Errorf("%s: headers and bold never differ, want null coefficients: %+v %+v", p.Source, p.Coefficients[2], p.Coefficients[3])
		}
		by := map[string]*audit.StyleBT{}
		for _, m := range p.Models {
			by[m.Model] = m
		}
		if by["long"].RawRank != 1 || by["long"].Raw < 0.3 {
			t.Errorf("%s: raw rating of long = %v (#%d), want clearly first", p.Source, by["long"].Raw, by["long"].RawRank)
		}
		if math.Abs(float64(by["long"].Controlled)) > 0.25 {
			t.Errorf("%s: style-controlled rating of long = %v, want near 0 (equal strength)", p.Source, by["long"].Controlled)
		}
	}
	if ps := audit.PreferenceStyles("j", nil, votes, verdicts, audit.DefaultOptions()); ps != nil {
		t.Errorf("PreferenceStyles without style = %v, want nil", ps)
	}
}
