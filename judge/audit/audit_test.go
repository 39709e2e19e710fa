package audit_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"concord/judge/audit"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// handCase: three units over two questions (see comments for the expected figures).
func handCase() ([]audit.HumanVote, []audit.JudgeVerdict) {
	v := func(q int, a, b string, l audit.Label, ann string) audit.HumanVote {
		return audit.HumanVote{Question: q, Category: "c" + string(rune('0'+q)), ModelA: a, ModelB: b, Turn: 1, Choice: l, Annotator: ann, Group: "expert"}
	}
	votes := []audit.HumanVote{
		// u1 (q1, x-y): A by ann1, A by ann2 (given reversed), both_bad by ann3, then ann1 again: B.
		v(1, "x", "y", audit.A, "ann1"),
		v(1, "y", "x", audit.B, "ann2"),
		v(1, "x", "y", audit.BothBad, "ann3"),
		v(1, "x", "y", audit.B, "ann1"),
		// u2 (q2, x-y): a unit with one vote.
		v(2, "x", "y", audit.B, "ann1"),
		// u3 (q2, x-z): the judge errs here.
		v(2, "z", "x", audit.B, "ann2"),
	}
	verdicts := []audit.JudgeVerdict{
		{Judge: "j", Question: 1, ModelA: "x", ModelB: "y", Turn: 1, Combined: audit.A},
		{Judge: "j", Question: 2, ModelA: "y", ModelB: "x", Turn: 1, Combined: audit.Inconsistent},
		{Judge: "j", Question: 2, ModelA: "x", ModelB: "z", Turn: 1, Combined: audit.Error},
	}
	return votes, verdicts
}

func TestComputeHandCase(t *testing.T) {
	votes, verdicts := handCase()
	r := audit.Compute(votes, verdicts, audit.Options{Bootstrap: 50, Seed: 7})
	if len(r.Agreement) != 2 {
		t.Fatalf("got %d agreement entries, want 2 (one turn: judge and humans)", len(r.Agreement))
	}
	j, h := r.Agreement[0], r.Agreement[1]
	// Judge: u1 compares A with A, A, T, B; u2 compares T with B; u3 is an error.
	checks := []struct {
		name     string
		got      *audit.Rate
		agree, n int
	}{
		{"judge with ties", j.WithTies, 2, 5},
		{"judge without ties", j.WithoutTies, 2, 3},
		// Humans: u1 pairs of different annotators: (1A,2A) (1A,3T) (2A,3T) (2A,1B) (3T,1B).
		{"human with ties", h.WithTies, 1, 5},
		{"human without ties", h.WithoutTies, 1, 2},
	}
	for _, c := range checks {
		if c.got.Agree != c.agree || c.got.N != c.n {
			t.Errorf("%s = %d/%d, want %d/%d", c.name, c.got.Agree, c.got.N, c.agree, c.n)
		}
		if !c.got.SmallSample {
			t.Errorf("%s: small_sample = false, want true", c.name)
		}
	}
	if !near(float64(j.WithTies.Rate), 0.4) {
		t.Errorf("judge rate = %v, want 0.4", j.WithTies.Rate)
	}
	// kappa: p_o = 2/5; judge labels A×4, T×1; human labels A×2, B×2, T×1;
	// p_e = 4/5·2/5 + 1/5·1/5 = 0.36; kappa = 0.04/0.64.
	if got := float64(j.Kappa.Value); !near(got, 0.0625) {
		t.Errorf("judge kappa = %v, want 0.0625", got)
	}
	// humans, pooled labels A5 T3 B2 of 10: p_e = 0.38, p_o = 0.2.
	if got := float64(h.Kappa.Value); !near(got, (0.2-0.38)/0.62) {
		t.Errorf("human kappa = %v, want %v", got, (0.2-0.38)/0.62)
	}
	// alpha on each annotator's last vote in u1 (A, T, B): 0.
	if got := float64(h.Alpha.Value); !near(got, 0) {
		t.Errorf("human alpha = %v, want 0", got)
	}
	// plurality: u1 A unique (judge A: 1); u2 B (judge tie: 0).
	if j.Plurality.N != 2 || !near(float64(j.Plurality.Score), 1) {
		t.Errorf("plurality = %v/%d, want 1/2", j.Plurality.Score, j.Plurality.N)
	}
	if r.Totals.JudgeErrors["j"] != 1 || r.Totals.Votes != 6 || r.Totals.Units != 3 || r.Totals.Questions != 2 {
		t.Errorf("totals = %+v, want 1 judge error, 6 votes, 3 units, 2 questions", r.Totals)
	}
	if len(j.ByCategory) != 2 || j.ByCategory[0].WithTies.N != 4 || j.ByCategory[1].WithTies.N != 1 {
		t.Errorf("by category = %+v %+v, want n 4 and 1", j.ByCategory[0].WithTies, j.ByCategory[1].WithTies)
	}
	if len(j.ByPair) != 2 || *j.ByPair[0].Pair != [2]string{"x", "y"} || j.ByPair[0].WithTies.N != 5 || j.ByPair[1].WithTies.N != 0 {
		t.Errorf("by pair = %v, want x-y with 5 comparisons, x-z with none", j.ByPair)
	}
	if j.ByPair[1].WithTies.Rate.Valid() {
		t.Errorf("empty pair rate = %v, want undefined", j.ByPair[1].WithTies.Rate)
	}
	// Annotators: ann1 4 pairs 1 agree; ann2 3/1; ann3 3/0.
	want := map[string][3]int{"ann1": {3, 1, 4}, "ann2": {2, 1, 3}, "ann3": {1, 0, 3}}
	for _, a := range r.Annotators {
		w := want[a.Name]
		if a.Votes != w[0] || a.Agreement.Agree != w[1] || a.Agreement.N != w[2] {
			t.Errorf("annotator %s = %d votes, %d/%d, want %v", a.Name, a.Votes, a.Agreement.Agree, a.Agreement.N, w)
		}
	}
	if !hasWarning(r, "small sample") || !hasWarning(r, "errors, excluded") {
		t.Errorf("warnings = %q, want small-sample and error warnings", r.Warnings)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("json.Marshal: %v", err)
	}
}

func hasWarning(r *audit.Report, s string) bool {
	return warningSection(r, s) != ""
}

// warningSection returns the section of the first warning containing s ("" when none does).
func warningSection(r *audit.Report, s string) string {
	for _, w := range r.Warnings {
		if strings.Contains(w.Message, s) {
			return w.Section
		}
	}
	return ""
}

func TestWarningSections(t *testing.T) {
	votes, verdicts := handCase()
	r := audit.Compute(votes, verdicts, audit.DefaultOptions())
	empty := audit.Compute(nil, nil, audit.DefaultOptions())
	cases := []struct {
		r       *audit.Report
		message string
		want    string
	}{
		{r, "vs human (all), all turns, with ties: small sample", audit.SectionAgreement},
		{r, "errors, excluded from agreement", audit.SectionAgreement},
		{r, "per-category or per-pair agreement figures", audit.SectionAgreement},
		{r, "no unit was judged in both orders", audit.SectionPosition},
		{r, "which model was shown on the left", audit.SectionPosition},
		{r, "lack answer lengths", audit.SectionLength},
		{r, "length bias, judge:", audit.SectionLength},
		{empty, "no human votes", audit.SectionGeneral},
		{empty, "no judge verdicts", audit.SectionGeneral},
	}
	for _, c := range cases {
		if got := warningSection(c.r, c.message); got != c.want {
			t.Errorf("section of warning %q = %q, want %q (warnings %v)", c.message, got, c.want, c.r.Warnings)
		}
	}
	sections := map[string]bool{audit.SectionGeneral: true, audit.SectionAgreement: true, audit.SectionPosition: true,
		audit.SectionLength: true, audit.SectionModels: true, audit.SectionAnnotators: true}
	for _, w := range append(r.Warnings, empty.Warnings...) {
		if !sections[w.Section] || w.Message == "" {
			t.Errorf("warning %+v: want a known section and a message", w)
		}
	}
	b, _ := json.Marshal(r.Warnings[:1])
	if !strings.HasPrefix(string(b), `[{"section":"`) || r.SchemaVersion != 3 {
		t.Errorf("warnings JSON = %s, schema %d; want objects with a section, schema 3", b, r.SchemaVersion)
	}
}

func TestComputeEmpty(t *testing.T) {
	r := audit.Compute(nil, nil, audit.DefaultOptions())
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	if !hasWarning(r, "no human votes") || !hasWarning(r, "no judge verdicts") {
		t.Errorf("warnings = %q, want no-votes and no-judge warnings", r.Warnings)
	}
	if strings.Contains(string(b), "NaN") {
		t.Errorf("json has NaN: %s", b)
	}
	// A group nobody belongs to is empty too.
	votes, verdicts := handCase()
	opt := audit.DefaultOptions()
	opt.Humans = "author"
	r = audit.Compute(votes, verdicts, opt)
	if r.Agreement[0].WithTies.N != 0 || r.Agreement[0].WithTies.Rate.Valid() || !hasWarning(r, "no observations") {
		t.Errorf("empty group: %+v, warnings %q; want n=0, null rate and a warning", r.Agreement[0].WithTies, r.Warnings)
	}
}

func TestPositionBias(t *testing.T) {
	g := func(q int, g1, g2 audit.Label) audit.JudgeVerdict {
		return audit.JudgeVerdict{Judge: "j", Question: q, ModelA: "x", ModelB: "y", Turn: 1, G1: g1, G2: g2}
	}
	verdicts := []audit.JudgeVerdict{
		g(1, audit.A, audit.A),     // consistent
		g(2, audit.Tie, audit.Tie), // consistent
		g(3, audit.A, audit.B),     // first won both
		g(4, audit.A, audit.Tie),   // first, then tie
		g(5, audit.B, audit.A),     // second won both
		g(6, audit.Error, audit.A), // error
		{Judge: "j", Question: 7, ModelA: "x", ModelB: "y", Turn: 1, Combined: audit.Inconsistent},
		{Judge: "j", Question: 8, ModelA: "y", ModelB: "x", Turn: 1, Combined: audit.A},
	}
	r := audit.Compute(nil, verdicts, audit.Options{Bootstrap: 20})
	p := r.PositionBias.Judges[0]
	if p.Units != 6 || p.Consistent != 2 || p.First != 2 || p.Second != 1 || p.Error != 1 {
		t.Errorf("position = %d units %d/%d/%d/%d, want 6 units 2/2/1/1", p.Units, p.Consistent, p.First, p.Second, p.Error)
	}
	// raw = (1 - 4)/3 = -1, over 5 valid units.
	if !near(float64(p.PreferenceFairness), -0.2) {
		t.Errorf("preference fairness = %v, want -0.2", p.PreferenceFairness)
	}
	if co := p.CombinedOnly; co == nil || co.Units != 2 || co.Inconsistent != 1 || !near(float64(co.Rate), 0.5) {
		t.Errorf("combined only = %+v, want 1 of 2 inconsistent", co)
	}
	// The same verdicts with the pair reversed classify identically.
	var rev []audit.JudgeVerdict
	for _, v := range verdicts {
		rev = append(rev, audit.JudgeVerdict{Judge: v.Judge, Question: v.Question, ModelA: v.ModelB, ModelB: v.ModelA, Turn: 1,
			G1: flip(v.G2), G2: flip(v.G1), Combined: flip(v.Combined)})
	}
	q := audit.Compute(nil, rev, audit.Options{Bootstrap: 20}).PositionBias.Judges[0]
	if q.Consistent != p.Consistent || q.First != p.First || q.Second != p.Second || q.Error != p.Error {
		t.Errorf("reversed = %d/%d/%d/%d, want %d/%d/%d/%d", q.Consistent, q.First, q.Second, q.Error, p.Consistent, p.First, p.Second, p.Error)
	}
}

func flip(l audit.Label) audit.Label {
	switch l {
	case audit.A:
		return audit.B
	case audit.B:
		return audit.A
	}
	return l
}

func TestClassifyGames(t *testing.T) {
	labels := []audit.Label{audit.A, audit.B, audit.Tie, audit.Error}
	// want[g1][g2]; g1 shows A first, g2 shows B first.
	want := [4][4]audit.Position{
		{audit.Consistent, audit.First, audit.First, audit.GameError},
		{audit.Second, audit.Consistent, audit.Second, audit.GameError},
		{audit.Second, audit.First, audit.Consistent, audit.GameError},
		{audit.GameError, audit.GameError, audit.GameError, audit.GameError},
	}
	for i, g1 := range labels {
		for k, g2 := range labels {
			if got := audit.ClassifyGames(g1, g2); got != want[i][k] {
				t.Errorf("ClassifyGames(%v, %v) = %v, want %v", g1, g2, got, want[i][k])
			}
		}
	}
}

func TestCombine(t *testing.T) {
	tests := []struct{ g1, g2, want audit.Label }{
		{audit.A, audit.A, audit.A},
		{audit.A, audit.B, audit.Inconsistent},
		{audit.Tie, audit.A, audit.Inconsistent},
		{audit.Error, audit.A, audit.Error},
		{audit.NoLabel, audit.B, audit.B},
		{audit.NoLabel, audit.NoLabel, audit.NoLabel},
	}
	for _, tc := range tests {
		if got := audit.Combine(tc.g1, tc.g2); got != tc.want {
			t.Errorf("Combine(%v, %v) = %v, want %v", tc.g1, tc.g2, got, tc.want)
		}
	}
}

func TestParseLabel(t *testing.T) {
	tests := map[string]audit.Label{"model_a": audit.A, "model_2": audit.B, "tie (inconsistent)": audit.Inconsistent, "both_bad": audit.BothBad, "tie": audit.Tie, "error": audit.Error}
	for in, want := range tests {
		if got, err := audit.ParseLabel(in); err != nil || got != want {
			t.Errorf("ParseLabel(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	if _, err := audit.ParseLabel("maybe"); err == nil {
		t.Errorf("ParseLabel(%q) succeeded, want an error", "maybe")
	}
}

func TestHumanLeftBias(t *testing.T) {
	var votes []audit.HumanVote
	add := func(ann, left string, l audit.Label, n int) {
		for range n {
			votes = append(votes, audit.HumanVote{Question: len(votes), ModelA: "x", ModelB: "y", Turn: 1, Choice: l, Annotator: ann, Left: left})
		}
	}
	add("a", "x", audit.A, 6) // left won
	add("a", "y", audit.A, 2) // right won
	add("a", "x", audit.Tie, 3)
	add("b", "", audit.A, 4) // unknown side
	r := audit.Compute(votes, nil, audit.Options{})
	h := r.PositionBias.Humans
	if h.NonTieVotes != 8 || h.LeftWins != 6 || h.UnknownLeft != 4 || !near(float64(h.Rate), 0.75) {
		t.Errorf("left bias = %+v, want 6/8 with 4 unknown", h)
	}
	lo, hi := audit.Wilson(6, 8, 1.959963984540054)
	if h.CI == nil || !near(float64(h.CI[0]), math.Round(lo*1e4)/1e4) && !near(float64(h.CI[0]), lo) {
		t.Errorf("left CI = %v, want [%v %v]", h.CI, lo, hi)
	}
	if a := r.Annotators[0]; a.Left.NonTieVotes != 8 || a.Left.LeftWins != 6 {
		t.Errorf("annotator a left = %+v, want 6/8", a.Left)
	}
}

func TestLengthBias(t *testing.T) {
	// Four questions; A is 100 runes longer than B everywhere except q4 (equal).
	var votes []audit.HumanVote
	var verdicts []audit.JudgeVerdict
	for q, c := range []struct {
		judge  audit.Label
		humans []audit.Label
		la, lb int
	}{
		{audit.A, []audit.Label{audit.A, audit.B}, 200, 100},
		{audit.A, []audit.Label{audit.B, audit.Tie}, 200, 100},
		{audit.B, []audit.Label{audit.B, audit.B}, 200, 100},
		{audit.A, []audit.Label{audit.A}, 100, 100}, // not length-decisive
	} {
		verdicts = append(verdicts, audit.JudgeVerdict{Judge: "j", Question: q, ModelA: "x", ModelB: "y", Turn: 1, Combined: c.judge, LenA: c.la, LenB: c.lb})
		for i, h := range c.humans {
			votes = append(votes, audit.HumanVote{Question: q, ModelA: "x", ModelB: "y", Turn: 1, Choice: h, Annotator: string(rune('a' + i)), LenA: c.la, LenB: c.lb})
		}
	}
	r := audit.Compute(votes, verdicts, audit.Options{Bootstrap: 50})
	lb := r.LengthBias[0]
	// Judge picked the longer answer on q0, q1 of q0..q2; humans 1 of 5 non-tie votes.
	if lb.JudgeRate.Count != 2 || lb.JudgeRate.N != 3 || lb.HumanRate.Count != 1 || lb.HumanRate.N != 5 {
		t.Errorf("length bias judge %d/%d humans %d/%d, want 2/3 and 1/5", lb.JudgeRate.Count, lb.JudgeRate.N, lb.HumanRate.Count, lb.HumanRate.N)
	}
	if !near(float64(lb.Excess.Value), 2.0/3-0.2) {
		t.Errorf("excess = %v, want %v", lb.Excess.Value, 2.0/3-0.2)
	}
	// log(200/100) = 0.69 falls in the (0.5, 1] bucket.
	if b := lb.Curve[2]; b.JudgeRate.N != 3 {
		t.Errorf("bucket (0.5,1] judge n = %d, want 3", b.JudgeRate.N)
	}
}

func TestModels(t *testing.T) {
	var votes []audit.HumanVote
	var verdicts []audit.JudgeVerdict
	// x beats y 3 times, y beats x once, one tie; the judge always says x.
	for q, l := range []audit.Label{audit.A, audit.A, audit.A, audit.B, audit.Tie} {
		votes = append(votes, audit.HumanVote{Question: q, ModelA: "x", ModelB: "y", Turn: 1, Choice: l, Annotator: "a"})
		verdicts = append(verdicts, audit.JudgeVerdict{Judge: "x", Question: q, ModelA: "y", ModelB: "x", Turn: 1, Combined: audit.B})
	}
	r := audit.Compute(votes, verdicts, audit.Options{Bootstrap: 100})
	hx := r.Models.Sources[0].Models[0]
	if hx.Model != "x" || hx.Wins != 3 || hx.Losses != 1 || hx.Ties != 1 || !near(float64(hx.WinRate.Value), 0.7) {
		t.Errorf("human x = %+v, want 3-1-1, win rate 0.7", hx)
	}
	// BT with one virtual tie: p_x/p_y = 4/2.
	if d := float64(hx.Rating.Value - r.Models.Sources[0].Models[1].Rating.Value); math.Abs(d-400*math.Log10(2)) > 1e-6 {
		t.Errorf("rating gap = %v, want %v", d, 400*math.Log10(2))
	}
	sp := r.Models.SelfPreference[0]
	if sp.Model != "x" || !near(float64(sp.Difference.Value), 0.3) {
		t.Errorf("self-preference = %+v, want x +0.3", sp)
	}
	if len(r.CloseCalls) != 1 || r.CloseCalls[0].Votes != 5 || r.CloseCalls[0].FurtherVotes == nil {
		t.Fatalf("close calls = %+v, want the x-y pair", r.CloseCalls)
	}
	// p = 0.7: n = 1.96² · 0.21 / 0.04 ≈ 20.2.
	if got := float64(r.CloseCalls[0].VotesNeeded); math.Abs(got-audit.VotesNeeded(0.7, 1.959963984540054)) > 1e-3 {
		t.Errorf("votes needed = %v, want %v", got, audit.VotesNeeded(0.7, 1.96))
	}
	if *r.CloseCalls[0].FurtherVotes != 16 {
		t.Errorf("further votes = %d, want 16", *r.CloseCalls[0].FurtherVotes)
	}
}

func TestStatsPrimitives(t *testing.T) {
	if got := audit.CohenKappa([][]float64{{3, 0, 0}, {0, 5, 0}, {0, 0, 2}}); got != 1 {
		t.Errorf("CohenKappa(identical raters) = %v, want 1", got)
	}
	if got := audit.CohenKappa([][]float64{{4, 0}, {0, 0}}); got != 1 {
		t.Errorf("CohenKappa(one label, identical) = %v, want 1", got)
	}
	if got := audit.KrippendorffAlpha([][]int{{0, 0, 0}, {1, 1}, {2, 2, 2, 2}}); got != 1 {
		t.Errorf("KrippendorffAlpha(perfect) = %v, want 1", got)
	}
	if got := audit.KrippendorffAlpha([][]int{{0}, {1}}); !math.IsNaN(got) {
		t.Errorf("KrippendorffAlpha(single votes) = %v, want NaN", got)
	}
	if got := audit.KendallTauB([]float64{1, 2, 3, 4}, []float64{1, 2, 4, 3}); !near(got, 4.0/6) {
		t.Errorf("KendallTauB = %v, want %v", got, 4.0/6)
	}
	if got := audit.VotesNeeded(0.5, 1.96); !math.IsInf(got, 1) {
		t.Errorf("VotesNeeded(0.5) = %v, want +Inf", got)
	}
	if lo, hi := audit.Wilson(0, 0, 1.96); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("Wilson(0, 0) = %v, %v, want NaN", lo, hi)
	}
}

// randomData makes reproducible votes and verdicts over nq questions.
func randomData(seed uint64, nq, nvotes int) ([]audit.HumanVote, []audit.JudgeVerdict) {
	rng := rand.New(rand.NewPCG(seed, 1))
	models := []string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7"}
	labels := []audit.Label{audit.A, audit.B, audit.Tie, audit.BothBad}
	anns := make([]string, 100)
	for i := range anns {
		anns[i] = "ann" + string(rune('A'+i%26)) + string(rune('a'+i/26))
	}
	strength := []float64{0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4}
	length := func(q, m, t int) int { return 50 + (q*31+m*977+t*13)%1500 }
	var votes []audit.HumanVote
	for range nvotes {
		q := rng.IntN(nq)
		i, k := rng.IntN(len(models)), rng.IntN(len(models)-1)
		if k >= i {
			k++
		}
		t := 1 + rng.IntN(2)
		var l audit.Label
		switch u := rng.Float64(); {
		case u < 0.25:
			l = labels[2+rng.IntN(2)]
		case u < 0.25+0.75/(1+math.Exp(strength[k]-strength[i])):
			l = audit.A
		default:
			l = audit.B
		}
		left := models[i]
		if rng.IntN(2) == 0 {
			left = models[k]
		}
		votes = append(votes, audit.HumanVote{Question: q, Category: "cat" + string(rune('0'+q%8)), ModelA: models[i], ModelB: models[k], Turn: t,
			Choice: l, Annotator: anns[rng.IntN(len(anns))], Group: "expert", Left: left, TimeMS: int64(1000 + rng.IntN(60000)),
			LenA: length(q, i, t), LenB: length(q, k, t)})
	}
	var verdicts []audit.JudgeVerdict
	game := func() audit.Label {
		switch u := rng.Float64(); {
		case u < 0.01:
			return audit.Error
		case u < 0.2:
			return audit.Tie
		case u < 0.6:
			return audit.A
		}
		return audit.B
	}
	for q := range nq {
		for i := range models {
			for k := i + 1; k < len(models); k++ {
				for t := 1; t <= 2; t++ {
					verdicts = append(verdicts, audit.JudgeVerdict{Judge: "judge", Question: q, Category: "cat" + string(rune('0'+q%8)),
						ModelA: models[i], ModelB: models[k], Turn: t, G1: game(), G2: game(), LenA: length(q, i, t), LenB: length(q, k, t)})
				}
			}
		}
	}
	return votes, verdicts
}

// TestSwapInvariance: swapping the two models of every vote and verdict (and
// flipping the verdicts) changes no agreement figure.
func TestSwapInvariance(t *testing.T) {
	votes, verdicts := randomData(3, 40, 3000)
	opt := audit.Options{Bootstrap: 100, Seed: 5}
	r1 := audit.Compute(votes, verdicts, opt)
	for i := range votes {
		v := &votes[i]
		v.ModelA, v.ModelB, v.LenA, v.LenB, v.Choice = v.ModelB, v.ModelA, v.LenB, v.LenA, flip(v.Choice)
	}
	for i := range verdicts {
		v := &verdicts[i]
		v.ModelA, v.ModelB, v.LenA, v.LenB = v.ModelB, v.ModelA, v.LenB, v.LenA
		v.G1, v.G2 = flip(v.G2), flip(v.G1)
	}
	r2 := audit.Compute(votes, verdicts, opt)
	j1, _ := json.Marshal(r1)
	j2, _ := json.Marshal(r2)
	if string(j1) != string(j2) {
		for i := range r1.Agreement {
			if !reflect.DeepEqual(r1.Agreement[i].WithTies, r2.Agreement[i].WithTies) {
				t.Errorf("agreement %d: %+v after swapping, want %+v", i, r2.Agreement[i].WithTies, r1.Agreement[i].WithTies)
			}
		}
		t.Errorf("report changed when every pair was swapped")
	}
}

// TestDeterministic: the same seed gives the same intervals whatever the number
// of workers; another seed gives others.
func TestDeterministic(t *testing.T) {
	votes, verdicts := randomData(4, 30, 2000)
	a := audit.Compute(votes, verdicts, audit.Options{Bootstrap: 100, Seed: 9, Workers: 1})
	b := audit.Compute(votes, verdicts, audit.Options{Bootstrap: 100, Seed: 9, Workers: 2})
	c := audit.Compute(votes, verdicts, audit.Options{Bootstrap: 100, Seed: 10, Workers: 2})
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	jc, _ := json.Marshal(c)
	if string(ja) != string(jb) {
		t.Errorf("reports differ between 1 and 2 workers")
	}
	if string(ja) == string(jc) {
		t.Errorf("reports with seeds 9 and 10 are identical")
	}
	if ci := a.Agreement[0].WithTies.CI; ci == nil || ci[0] >= ci[1] {
		t.Errorf("interval = %v, want a proper interval", ci)
	}
}

// TestKappaIdenticalRaters: a judge that copies a single human scores kappa 1.
func TestKappaIdenticalRaters(t *testing.T) {
	votes, _ := randomData(5, 20, 400)
	var verdicts []audit.JudgeVerdict
	seen := map[[4]any]bool{}
	var keep []audit.HumanVote
	for _, v := range votes {
		k := [4]any{v.Question, min(v.ModelA, v.ModelB), max(v.ModelA, v.ModelB), v.Turn}
		if seen[k] {
			continue
		}
		seen[k] = true
		keep = append(keep, v)
		verdicts = append(verdicts, audit.JudgeVerdict{Judge: "copy", Question: v.Question, ModelA: v.ModelA, ModelB: v.ModelB, Turn: v.Turn, Combined: v.Choice})
	}
	r := audit.Compute(keep, verdicts, audit.Options{})
	for _, a := range r.Agreement {
		if a.A == "copy" && (float64(a.Kappa.Value) != 1 || a.WithTies.Agree != a.WithTies.N) {
			t.Errorf("copying judge, turn %v: kappa %v, %d/%d, want 1 and full agreement", a.Turn, a.Kappa.Value, a.WithTies.Agree, a.WithTies.N)
		}
	}
}
