package audit_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"concord/judge/audit"
)

// sectionMarks says what shows each top-level section of the report's JSON in
// the Markdown and text renderings: a heading, or for the scope fields the
// line that states them. A new field of Report fails the test until it is
// rendered and listed here.
var sectionMarks = map[string]struct {
	text    string
	heading bool
}{
	"schema_version":  {}, // the JSON's own version: nothing to show
	"humans":          {text: "Humans: "},
	"judges":          {text: "Judge: "},
	"turn":            {text: "Scope: "},
	"bootstrap":       {text: " resamples"},
	"seed":            {text: ", seed "},
	"confidence":      {text: "% question-clustered"},
	"totals":          {text: "Data: "},
	"agreement":       {text: "Agreement with humans", heading: true},
	"position_bias":   {text: "Position bias", heading: true},
	"length_bias":     {text: "Length bias", heading: true},
	"models":          {text: "Models", heading: true},
	"close_calls":     {text: "Close calls", heading: true},
	"annotators":      {text: "Annotators", heading: true},
	"warnings":        {text: "Warnings", heading: true},
	"annotator_audit": {text: "Annotator audit", heading: true},
	"comparison":      {text: "Judge vs judge", heading: true},
	"confusion":       {text: "Confusion with humans", heading: true},
	"ppi":             {text: "Human win rates with the judge's help", heading: true},
	"experiments":     {text: "Experiments", heading: true},
	"scores":          {text: "Scores", heading: true},
}

func TestRenderCoversEverySection(t *testing.T) {
	var votes []audit.HumanVote
	var verdicts []audit.JudgeVerdict
	for q := 1; q <= 6; q++ {
		for i, who := range []string{"ann1", "ann2", "ann3"} {
			l := []audit.Label{audit.A, audit.B, audit.Tie}[(q+i)%3]
			votes = append(votes, audit.HumanVote{Question: q, Category: "writing", ModelA: "m1", ModelB: "m2", Turn: 1,
				Choice: l, Annotator: who, Group: "expert", LenA: 100 * q, LenB: 50})
		}
		verdicts = append(verdicts, audit.JudgeVerdict{Judge: "j", Question: q, Category: "writing", ModelA: "m1", ModelB: "m2", Turn: 1,
			G1: audit.A, G2: []audit.Label{audit.A, audit.B}[q%2], LenA: 100 * q, LenB: 50})
	}
	opt := audit.DefaultOptions()
	opt.Bootstrap = 20
	r := audit.Compute(votes, verdicts, opt)
	second := append([]audit.JudgeVerdict{}, verdicts...)
	for i := range second {
		second[i].Judge, second[i].G2 = "k", audit.A
	}
	if err := audit.AddComparison(r, votes, append(second, verdicts...), "j", "k", opt); err != nil {
		t.Fatal(err)
	}
	f := audit.Share{Count: 2, N: 23, Rate: 2.0 / 23}
	r.Experiments = []*audit.Experiment{{ID: 1, Kind: "verbosity", Judge: "j", ProbeJudge: "j@verbosity-1", Items: 23, Judged: 23, Failures: &f}}
	if len(r.Warnings) == 0 {
		t.Fatal("the report has no warnings, so their section cannot be checked")
	}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer, *audit.Report) error
		head  string
	}{
		{"markdown", func(b *bytes.Buffer, r *audit.Report) error { return audit.WriteMarkdown(b, r) }, "## "},
		{"text", func(b *bytes.Buffer, r *audit.Report) error { return audit.WriteText(b, r) }, ""},
	} {
		var b bytes.Buffer
		if err := f.write(&b, r); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		out := b.String()
		rt := reflect.TypeFor[audit.Report]()
		for i := range rt.NumField() {
			key, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			m, ok := sectionMarks[key]
			switch {
			case !ok:
				t.Errorf("section %q of the report's JSON has no mark to look for: render it in Markdown and text, and list it in sectionMarks", key)
			case m.text == "":
			case m.heading && !strings.Contains(out, f.head+m.text+"\n"):
				t.Errorf("%s rendering lacks the heading %q of section %q", f.name, f.head+m.text, key)
			case !strings.Contains(out, m.text):
				t.Errorf("%s rendering lacks %q, which shows section %q", f.name, m.text, key)
			}
		}
	}
}
