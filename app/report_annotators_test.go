package app_test

import (
	"context"
	"encoding/json"
	"testing"

	"concord/app"
	"concord/judge/audit"
	"concord/store"
)

// TestReportAnnotatorAudit packs a study for two annotators, votes in both
// packages, imports them, and checks the report's annotator audit: both
// annotators with their gold accuracy kept apart from agreement, a kappa
// matrix over their shared units, and an excluded annotator gone from every
// figure and listed in the scope.
func TestReportAnnotatorAudit(t *testing.T) {
	ctx := context.Background()
	db := demoDB(t)
	if code, _, stderr := cliRun(t, db, "study", "create", "--name", "pilot", "--models", "demo-aurora,demo-basalt,demo-cirrus"); code != app.ExitOK {
		t.Fatalf("study create: exit %d, %s", code, stderr)
	}
	code, stdout, stderr := cliRun(t, db, "study", "pack", "pilot", "--annotators", "alice,bob", "--overlap", "2", "--gold", "2", "--out", t.TempDir(), "--json")
	if code != app.ExitOK {
		t.Fatalf("study pack: exit %d, %s", code, stderr)
	}
	var res store.PackResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Packages) != 2 {
		t.Fatalf("study pack --json = %s (%v), want two packages", stdout, err)
	}
	// Each annotator votes every item of their package: with an overlap of
	// two, alice and bob then share every unit that is not gold.
	voted := map[string]int{}
	for i, p := range res.Packages {
		pk, err := store.Open(p.Path)
		if err != nil {
			t.Fatal(err)
		}
		info, err := pk.PackageInfo(ctx)
		if err != nil || info == nil {
			t.Fatalf("PackageInfo(%s) = %v, %v", p.Path, info, err)
		}
		for n := 0; ; n++ {
			next, err := pk.NextItem(ctx, info.StudyID, info.Annotator)
			if err != nil {
				t.Fatalf("NextItem: %v", err)
			}
			if next == nil {
				voted[info.Annotator] = n
				break
			}
			choice := []string{store.ChoiceA, store.ChoiceB}[i]
			if _, err := pk.RecordVote(ctx, store.VoteRequest{StudyID: info.StudyID, Annotator: info.Annotator, Pos: next.Entry.Pos, Turn: next.Turn, Choice: choice, TimeMS: 15_000}); err != nil {
				t.Fatal(err)
			}
		}
		pk.Close()
		if code, _, stderr := cliRun(t, db, "import", p.Path); code != app.ExitOK {
			t.Fatalf("import %s: exit %d, %s", p.Path, code, stderr)
		}
	}
	report := func() *audit.Report {
		t.Helper()
		code, stdout, stderr := cliRun(t, db, "report", "--format", "json", "--bootstrap", "0")
		if code != app.ExitOK {
			t.Fatalf("report: exit %d, %s", code, stderr)
		}
		var r audit.Report
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("report --format json: %v", err)
		}
		if r.AnnotatorAudit == nil {
			t.Fatalf("report has no annotator_audit:\n%s", stdout)
		}
		return &r
	}
	r := report()
	a := r.AnnotatorAudit
	byName := map[string]*audit.AnnotatorFigures{}
	for _, f := range a.Annotators {
		byName[f.Name] = f
	}
	for _, who := range []string{"alice", "bob"} {
		f := byName[who]
		if f == nil {
			t.Fatalf("annotator_audit lacks %s: %+v", who, a.Annotators)
		}
		if f.Votes != voted[who] {
			t.Errorf("%s: votes = %d, want %d (gold answers included)", who, f.Votes, voted[who])
		}
		gold := 0
		if f.Gold != nil {
			gold = f.Gold.N
		}
		if gold == 0 {
			t.Errorf("%s answered no gold item", who)
		}
		if f.Agreement.N != voted[who]-gold {
			t.Errorf("%s: agreement over %d units, want the %d votes off gold", who, f.Agreement.N, voted[who]-gold)
		}
	}
	if k := a.Kappa; len(k.Annotators) < 2 || k.Annotators[0] != "alice" || k.Annotators[1] != "bob" || k.Shared[0][1] != byName["alice"].Agreement.N {
		t.Errorf("kappa = %+v, want alice and bob sharing the %d units of alice's agreement", k, byName["alice"].Agreement.N)
	}
	if len(a.Excluded) != 0 {
		t.Errorf("excluded = %+v before any exclusion", a.Excluded)
	}
	votesBefore := r.Totals.Votes

	if code, _, stderr := cliRun(t, db, "study", "exclude", "pilot", "alice"); code != app.ExitOK {
		t.Fatalf("study exclude: exit %d, %s", code, stderr)
	}
	r = report()
	a = r.AnnotatorAudit
	names := map[string]bool{}
	for _, f := range a.Annotators {
		names[f.Name] = true
	}
	if names["alice"] || !names["bob"] || len(a.Annotators) != len(byName)-1 {
		t.Errorf("annotator_audit.annotators after excluding alice = %v, want the others without her", names)
	}
	aliceVotes := voted["alice"] - byName["alice"].Gold.N
	if len(a.Excluded) != 1 || a.Excluded[0].Annotator != "alice" || a.Excluded[0].Study != "pilot" || a.Excluded[0].Votes != aliceVotes {
		t.Errorf("excluded = %+v, want alice of pilot with %d votes", a.Excluded, aliceVotes)
	}
	if r.Totals.Votes != votesBefore-aliceVotes {
		t.Errorf("totals.votes = %d after excluding alice, want %d", r.Totals.Votes, votesBefore-aliceVotes)
	}
	for _, an := range r.Annotators {
		if an.Name == "alice" {
			t.Errorf("report.annotators still holds alice after her exclusion")
		}
	}
}
