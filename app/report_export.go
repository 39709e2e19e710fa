package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"concord/frontend"
	"concord/judge/audit"
	"concord/store"
)

// maxExportUnits bounds the disagreement browser of an exported HTML report:
// the first units of the list (most disagreeing votes first) travel with their
// question, answers, votes and judge explanations; the file says how many
// more the database holds. On MT-Bench, every turn and every human, the list
// has fewer units than this.
const maxExportUnits = 1000

// reportDataElement is where the template takes the report's JSON: a script
// element that the browser never executes (so the Content-Security-Policy of
// the template needs no hash for it) and that frontend/src/report/export reads.
const reportDataElement = `<script type="application/json" id="concord-report"></script>`

// errNoReportTemplate is what a binary built without the report template says
// instead of writing a lesser report.
var errNoReportTemplate = errors.New("html report: this binary was built without the report template; build it with `make cli` (headless) or `make build` (the app)")

// reportBundle is the data an exported HTML report carries: the report, the
// scope it covers and the disagreement browser's contents.
type reportBundle struct {
	Report        *audit.Report        `json:"report"`
	Judge         string               `json:"judge"`
	Humans        string               `json:"humans"`
	Turn          int                  `json:"turn"` // 0 = both turns
	Disagreements exportedDisagreement `json:"disagreements"`
}

// exportedDisagreement is the disagreement browser of an exported report.
// Questions and answers are stored once, however many units share them.
type exportedDisagreement struct {
	Total     int                         `json:"total"` // units where judge and humans differ
	Limit     int                         `json:"limit"` // at most this many are included
	Units     []DisagreementUnit          `json:"units"`
	Details   []exportedDetail            `json:"details"`   // Details[i] belongs to Units[i]
	Questions map[string]exportedQuestion `json:"questions"` // by question id
	Answers   map[string][]string         `json:"answers"`   // by "<question id>/<model>": the answer's turns
}

// exportedDetail is a UnitDetail without the question and answers.
type exportedDetail struct {
	Votes        []UnitVote  `json:"votes"`
	Judge        string      `json:"judge,omitempty"`
	JudgeVerdict string      `json:"judge_verdict,omitempty"`
	G1           *UnitGame   `json:"g1,omitempty"`
	G2           *UnitGame   `json:"g2,omitempty"`
	RatingA      *UnitRating `json:"rating_a,omitempty"`
	RatingB      *UnitRating `json:"rating_b,omitempty"`
}

type exportedQuestion struct {
	Category  string   `json:"category"`
	Turns     []string `json:"turns"`
	Reference []string `json:"reference,omitempty"`
}

// writeReportHTML writes r as one self-contained HTML file: the report
// screen's own components (built by Vite into the embedded template) with the
// report and its disagreements as JSON. It fails, writing nothing, when the
// binary has no template.
func writeReportHTML(ctx context.Context, w io.Writer, s *store.Store, r *audit.Report) error {
	tmpl := frontend.ReportTemplate()
	if len(tmpl) == 0 {
		return errNoReportTemplate
	}
	b, err := exportBundle(ctx, s, r)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return fillReportTemplate(w, tmpl, b)
}

// fillReportTemplate writes tmpl with b's JSON in its data element.
// json.Marshal escapes <, >, & and U+2028/U+2029, so no text in the data can
// close the element or start markup.
func fillReportTemplate(w io.Writer, tmpl []byte, b *reportBundle) error {
	before, after, ok := bytes.Cut(tmpl, []byte(reportDataElement))
	if !ok || bytes.Contains(after, []byte(reportDataElement)) {
		return fmt.Errorf("html report: the template needs exactly one %s", reportDataElement)
	}
	data, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	open, closing, _ := bytes.Cut([]byte(reportDataElement), []byte("</script>"))
	var buf bytes.Buffer
	buf.Grow(len(tmpl) + len(data))
	for _, p := range [][]byte{before, open, data, []byte("</script>"), closing, after} {
		buf.Write(p)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

// exportBundle gathers what the exported report shows beyond r itself: the
// disagreements of r's judge with r's humans in r's turn, with their details.
func exportBundle(ctx context.Context, s *store.Store, r *audit.Report) (*reportBundle, error) {
	b := &reportBundle{Report: r, Humans: r.Humans, Disagreements: exportedDisagreement{
		Limit: maxExportUnits, Units: []DisagreementUnit{}, Details: []exportedDetail{},
		Questions: map[string]exportedQuestion{}, Answers: map[string][]string{},
	}}
	if r.Turn != nil {
		b.Turn = *r.Turn
	}
	if len(r.Judges) == 0 {
		return b, nil
	}
	b.Judge = r.Judges[0]
	units, err := disagreements(ctx, s, DisagreementFilter{Judge: b.Judge, Humans: r.Humans, Turn: b.Turn})
	if err != nil {
		return nil, err
	}
	d := &b.Disagreements
	d.Total = len(units)
	if len(units) > maxExportUnits {
		units = units[:maxExportUnits]
	}
	d.Units = units
	for _, u := range units {
		det, err := unitDetail(ctx, s, u.QuestionID, u.ModelA, u.ModelB, u.Turn, u.Judge)
		if err != nil {
			return nil, err
		}
		q := strconv.Itoa(u.QuestionID)
		if len(det.Prompts) > len(d.Questions[q].Turns) {
			d.Questions[q] = exportedQuestion{Category: det.Category, Turns: det.Prompts, Reference: det.Reference}
		}
		for _, a := range []struct {
			model string
			turns []string
		}{{det.ModelA, det.AnswerA}, {det.ModelB, det.AnswerB}} {
			if k := q + "/" + a.model; len(a.turns) > len(d.Answers[k]) {
				d.Answers[k] = a.turns
			}
		}
		d.Details = append(d.Details, exportedDetail{Votes: det.Votes, Judge: det.Judge, JudgeVerdict: det.JudgeVerdict, G1: det.G1, G2: det.G2,
			RatingA: det.RatingA, RatingB: det.RatingB})
	}
	return b, nil
}
