package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

// sumDisagreeing checks the list's invariants and returns its disagreeing votes.
func sumDisagreeing(t *testing.T, units []DisagreementUnit) int {
	t.Helper()
	sum := 0
	for i, u := range units {
		if u.HumanA+u.HumanB+u.HumanTie != u.Votes {
			t.Errorf("unit %d: human counts %d+%d+%d != votes %d", i, u.HumanA, u.HumanB, u.HumanTie, u.Votes)
		}
		if u.Disagreeing < 1 || u.Disagreeing > u.Votes {
			t.Errorf("unit %d: disagreeing %d, want 1..%d", i, u.Disagreeing, u.Votes)
		}
		if i > 0 && units[i-1].Disagreeing < u.Disagreeing {
			t.Errorf("units %d, %d not sorted by disagreeing votes: %d < %d", i-1, i, units[i-1].Disagreeing, u.Disagreeing)
		}
		if u.ModelA >= u.ModelB {
			t.Errorf("unit %d: pair %q, %q not in canonical order", i, u.ModelA, u.ModelB)
		}
		sum += u.Disagreeing
	}
	return sum
}

// The disagreeing votes over all units are exactly the audit's with-ties
// comparisons that did not agree.
func TestDisagreementsMatchAudit(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	judges, err := s.Judges(ctx)
	if err != nil || len(judges) == 0 {
		t.Fatalf("demo judges = %v, %v", judges, err)
	}
	judge := judges[0]
	for _, turn := range []int{0, 1, 2} {
		units, err := disagreements(ctx, s, DisagreementFilter{Judge: judge, Turn: turn})
		if err != nil {
			t.Fatal(err)
		}
		if len(units) == 0 {
			t.Fatalf("Disagreements(turn %d) is empty on the demo data", turn)
		}
		r, err := buildReport(ctx, s, ReportOptions{Judge: judge, Turn: turn, Bootstrap: -1})
		if err != nil {
			t.Fatal(err)
		}
		want := -1
		for _, ag := range r.Agreement {
			if ag.A == judge && (ag.Turn == nil) == (turn == 0) && (ag.Turn == nil || *ag.Turn == turn) {
				want = ag.WithTies.N - ag.WithTies.Agree
			}
		}
		if got := sumDisagreeing(t, units); got != want {
			t.Errorf("turn %d: disagreeing votes = %d, want %d (audit with-ties n - agree)", turn, got, want)
		}
		for _, u := range units {
			if turn != 0 && u.Turn != turn {
				t.Errorf("Disagreements(turn %d) listed a turn-%d unit", turn, u.Turn)
			}
		}
	}
}

func TestDisagreementsFilters(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	judges, _ := s.Judges(ctx)
	all, err := disagreements(ctx, s, DisagreementFilter{Judge: judges[0]})
	if err != nil {
		t.Fatal(err)
	}
	first := all[0]
	tests := []struct {
		name string
		f    DisagreementFilter
		ok   func(DisagreementUnit) bool
	}{
		{"category", DisagreementFilter{Category: first.Category}, func(u DisagreementUnit) bool { return u.Category == first.Category }},
		{"pair reversed", DisagreementFilter{ModelA: first.ModelB, ModelB: first.ModelA}, func(u DisagreementUnit) bool {
			return u.ModelA == first.ModelA && u.ModelB == first.ModelB
		}},
		{"inconsistent", DisagreementFilter{Inconsistent: true}, func(u DisagreementUnit) bool { return u.JudgeVerdict == "inconsistent" }},
		{"length", DisagreementFilter{LengthDecisive: true}, func(u DisagreementUnit) bool {
			return u.LengthDecisive && abs(u.LenA-u.LenB) > lengthMargin
		}},
	}
	for _, tt := range tests {
		tt.f.Judge = judges[0]
		got, err := disagreements(ctx, s, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		kept := 0
		for _, u := range all {
			if tt.ok(u) {
				kept++
			}
		}
		if len(got) != kept {
			t.Errorf("Disagreements(%s) = %d units, want %d", tt.name, len(got), kept)
		}
		for _, u := range got {
			if !tt.ok(u) {
				t.Errorf("Disagreements(%s) kept %+v", tt.name, u)
			}
		}
	}
	if _, err := disagreements(ctx, s, DisagreementFilter{Judge: "no-such-judge"}); err == nil {
		t.Error("Disagreements(unknown judge) succeeded, want an error")
	}
	if _, err := disagreements(ctx, s, DisagreementFilter{Judge: judges[0], Turn: 3}); err == nil {
		t.Error("Disagreements(turn 3) succeeded, want an error")
	}
}

func TestUnitDetail(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	judges, _ := s.Judges(ctx)
	units, err := disagreements(ctx, s, DisagreementFilter{Judge: judges[0]})
	if err != nil {
		t.Fatal(err)
	}
	u := units[0]
	for _, swap := range []bool{false, true} {
		a, b := u.ModelA, u.ModelB
		if swap {
			a, b = b, a
		}
		d, err := unitDetail(ctx, s, u.QuestionID, a, b, u.Turn, judges[0])
		if err != nil {
			t.Fatal(err)
		}
		if d.ModelA != u.ModelA || d.ModelB != u.ModelB {
			t.Errorf("UnitDetail(%s, %s) pair = %s, %s, want %s, %s", a, b, d.ModelA, d.ModelB, u.ModelA, u.ModelB)
		}
		if len(d.Prompts) != u.Turn || len(d.AnswerA) != u.Turn || len(d.AnswerB) != u.Turn {
			t.Errorf("UnitDetail turn %d: %d prompts, %d and %d answers, want %d each", u.Turn, len(d.Prompts), len(d.AnswerA), len(d.AnswerB), u.Turn)
		}
		if len(d.Votes) != u.Votes {
			t.Errorf("UnitDetail votes = %d, want %d", len(d.Votes), u.Votes)
		}
		a2, b2, tie := 0, 0, 0
		for _, v := range d.Votes {
			switch verdictClass(v.Choice) {
			case 'a':
				a2++
			case 'b':
				b2++
			case 't':
				tie++
			}
		}
		if a2 != u.HumanA || b2 != u.HumanB || tie != u.HumanTie {
			t.Errorf("UnitDetail votes a/b/tie = %d/%d/%d, want %d/%d/%d", a2, b2, tie, u.HumanA, u.HumanB, u.HumanTie)
		}
		if d.JudgeVerdict != u.JudgeVerdict {
			t.Errorf("UnitDetail judge verdict = %q, want %q", d.JudgeVerdict, u.JudgeVerdict)
		}
		if d.G1 == nil || d.G1.Explanation == "" || d.G2 == nil || d.G2.Explanation == "" {
			t.Errorf("UnitDetail games = %+v, %+v, want both explanations", d.G1, d.G2)
		}
	}
	if _, err := unitDetail(ctx, s, -5, u.ModelA, u.ModelB, 1, ""); err == nil {
		t.Error("UnitDetail(unknown question) succeeded, want an error")
	}
}

type fakeSave struct{ path string }

func (f fakeSave) OpenFiles(string) ([]string, error)      { return nil, nil }
func (f fakeSave) OpenDirectory(string) (string, error)    { return "", nil }
func (f fakeSave) SaveFile(_, _, _ string) (string, error) { return f.path, nil }

func TestPickImportFilesCancelledIsEmpty(t *testing.T) {
	a := New(storetest.MustOpen(t))
	a.dialogs = fakeSave{}
	if files, err := a.PickImportFiles(); files == nil || len(files) != 0 || err != nil {
		t.Errorf("PickImportFiles(cancelled) = %#v, %v; want []string{}, nil", files, err)
	}
}

func TestExportReport(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	judges, _ := s.Judges(context.Background())
	opts := ReportOptions{Judge: judges[0], Bootstrap: 20}

	a := New(s)
	if _, err := a.ExportReportHTML(opts); err == nil {
		t.Error("ExportReportHTML without a window succeeded, want an error")
	}
	a.dialogs = fakeSave{}
	if p, err := a.ExportReportMarkdown(opts); p != "" || err != nil {
		t.Errorf("ExportReportMarkdown(cancelled) = %q, %v; want \"\", nil", p, err)
	}
	for _, tt := range []struct {
		export func(ReportOptions) (string, error)
		file   string
		want   string
	}{
		{a.ExportReportMarkdown, "r.md", "## Agreement with humans"},
	} {
		path := filepath.Join(t.TempDir(), tt.file)
		a.dialogs = fakeSave{path}
		got, err := tt.export(opts)
		if err != nil || got != path {
			t.Fatalf("export %s = %q, %v; want %q", tt.file, got, err, path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tt.want) {
			t.Errorf("export %s lacks %q", tt.file, tt.want)
		}
	}
}

// On the MT-Bench release, the turn-1 expert disagreements are the 1343 - 886
// comparisons of the paper's 66% agreement.
func TestDisagreementsMTBench(t *testing.T) {
	data := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "mt_bench_human_judgments", "human.csv")); err != nil {
		t.Skipf("shared MT-Bench data not found under %s: %v", data, err)
	}
	ctx := context.Background()
	s := storetest.MustOpen(t)
	if _, err := s.Import(ctx, []string{filepath.Join(data, "mt_bench"), filepath.Join(data, "mt_bench_human_judgments")}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	units, err := disagreements(ctx, s, DisagreementFilter{Judge: "gpt-4", Humans: "expert", Turn: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sumDisagreeing(t, units), 1343-886; got != want {
		t.Errorf("turn-1 expert disagreeing votes = %d, want %d", got, want)
	}
	incons, err := disagreements(ctx, s, DisagreementFilter{Judge: "gpt-4", Humans: "expert", Turn: 1, Inconsistent: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(incons) == 0 || len(incons) >= len(units) {
		t.Errorf("inconsistent-judge disagreements = %d of %d, want some but not all", len(incons), len(units))
	}
}
