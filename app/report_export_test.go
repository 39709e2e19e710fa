package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"concord/frontend"
	"concord/judge/audit"
	"concord/store"
	"concord/store/storetest"
)

// fakeTemplate stands in for the built report template.
const fakeTemplate = `<!doctype html><html><head><title>r</title></head><body><div id="app"></div>` + reportDataElement + `</body></html>`

// Model text in the data cannot close the data element or start markup, and
// reads back unchanged.
func TestFillReportTemplateEscapes(t *testing.T) {
	evil := "</script><script>alert(1)</script><img src=x onerror=alert(2)> & \u2028\u2029 <!-- "
	b := &reportBundle{Report: &audit.Report{Judges: []string{evil}, Humans: evil}, Judge: evil}
	b.Disagreements.Answers = map[string][]string{"1/" + evil: {evil}}
	var buf bytes.Buffer
	if err := fillReportTemplate(&buf, []byte(fakeTemplate), b); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if got := strings.Count(out, "</script>"); got != 1 {
		t.Errorf("output has %d </script>, want 1 (the data element's own):\n%s", got, out)
	}
	for _, bad := range []string{"<script>alert", "<img", "<!--", "\u2028", "\u2029", " & "} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q unescaped", bad)
		}
	}
	open := `<script type="application/json" id="concord-report">`
	i, j := strings.Index(out, open), strings.LastIndex(out, "</script>")
	var back reportBundle
	if err := json.Unmarshal([]byte(out[i+len(open):j]), &back); err != nil {
		t.Fatalf("the embedded data is not JSON: %v", err)
	}
	if back.Judge != evil || back.Disagreements.Answers["1/"+evil][0] != evil {
		t.Errorf("the embedded data reads back as judge %q, want %q", back.Judge, evil)
	}
}

func TestFillReportTemplateNeedsOneDataElement(t *testing.T) {
	for _, tmpl := range []string{"<html></html>", fakeTemplate + reportDataElement} {
		if err := fillReportTemplate(&bytes.Buffer{}, []byte(tmpl), &reportBundle{}); err == nil {
			t.Errorf("fillReportTemplate(%q) succeeded, want an error", tmpl)
		}
	}
}

// The bundle carries the disagreement browser: every listed unit has its
// detail, its question and both answers.
func TestExportBundleDisagreements(t *testing.T) {
	s := storetest.MustOpenDemo(t)
	ctx := context.Background()
	judges, _ := s.Judges(ctx)
	r, err := buildReport(ctx, s, ReportOptions{Judge: judges[0], Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := exportBundle(ctx, s, r)
	if err != nil {
		t.Fatal(err)
	}
	d := b.Disagreements
	want, err := disagreements(ctx, s, DisagreementFilter{Judge: judges[0]})
	if err != nil {
		t.Fatal(err)
	}
	if d.Total != len(want) || len(d.Units) != min(len(want), maxExportUnits) || len(d.Details) != len(d.Units) || d.Total == 0 {
		t.Fatalf("bundle has %d units, %d details, total %d; want %d units", len(d.Units), len(d.Details), d.Total, len(want))
	}
	for i, u := range d.Units {
		q := d.Questions[strconv.Itoa(u.QuestionID)]
		a, bb := d.Answers[strconv.Itoa(u.QuestionID)+"/"+u.ModelA], d.Answers[strconv.Itoa(u.QuestionID)+"/"+u.ModelB]
		if len(q.Turns) < u.Turn || len(a) < u.Turn || len(bb) < u.Turn {
			t.Errorf("unit %d (Q%d turn %d): question has %d turns, answers %d and %d", i, u.QuestionID, u.Turn, len(q.Turns), len(a), len(bb))
		}
		if len(d.Details[i].Votes) < u.Votes || d.Details[i].Judge != judges[0] {
			t.Errorf("unit %d: detail has %d votes by judge %q, want at least %d by %q", i, len(d.Details[i].Votes), d.Details[i].Judge, u.Votes, judges[0])
		}
	}
}

// `concord report --format html` and the screen's Export HTML write the same
// bytes; a binary without the template says so and writes nothing.
func TestReportHTMLSameBytes(t *testing.T) {
	env, out := demoEnv(t)
	ctx := context.Background()
	args := []string{"--format", "html", "--bootstrap", "30", "--turn", "1"}
	err := RunCommand(ctx, env, append([]string{"report"}, args...))
	if len(frontend.ReportTemplate()) == 0 {
		if !errors.Is(err, errNoReportTemplate) || out.Len() != 0 {
			t.Errorf("report --format html without a template = %v and %d bytes, want errNoReportTemplate and nothing", err, out.Len())
		}
		t.Skip("no report template in this build: run `make test` (or build the frontend and use -tags reporthtml) to compare the HTML exports")
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := env.OpenStore()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := New(s)
	path := filepath.Join(t.TempDir(), "r.html")
	a.dialogs = fakeSave{path}
	if got, err := a.ExportReportHTML(ReportOptions{Bootstrap: 30, Turn: 1, Seed: 1}); err != nil || got != path {
		t.Fatalf("ExportReportHTML = %q, %v; want %q", got, err, path)
	}
	screen, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(screen, out.Bytes()) {
		t.Errorf("the screen's export (%d bytes) differs from the command's (%d bytes)", len(screen), out.Len())
	}
	if !bytes.Contains(screen, []byte(`<script type="application/json" id="concord-report">{"report":`)) {
		t.Error("the export lacks the report's JSON")
	}
}

// BenchmarkReportHTMLMTBench writes the HTML export of the MT-Bench release
// (gpt-4 against every human, both turns): the report is computed once, the
// benchmark times gathering the disagreements and writing the file, and
// reports the file's size.
func BenchmarkReportHTMLMTBench(b *testing.B) {
	if len(frontend.ReportTemplate()) == 0 {
		b.Skip("no report template in this build (build the frontend and use -tags reporthtml)")
	}
	data := filepath.Join("..", "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "mt_bench_human_judgments", "human.csv")); err != nil {
		b.Skipf("shared MT-Bench data not found under %s: %v", data, err)
	}
	ctx := context.Background()
	s, err := store.Open(filepath.Join(b.TempDir(), "concord.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Import(ctx, []string{filepath.Join(data, "mt_bench"), filepath.Join(data, "mt_bench_human_judgments")}, store.ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	r, err := buildReport(ctx, s, ReportOptions{Judge: "gpt-4"})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := writeReportHTML(ctx, &buf, s, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1e6, "MB")
}
