package store

// Pairs with inline texts: one record holds a prompt, two responses and,
// optionally, the models' names and labels (one person's, several
// annotators', a gold label, another judge's verdict). Each record becomes a
// question, two answers and the votes and verdicts its labels carry; files in
// this shape need no questions or answers imported first. This reads
// PandaLM's test set, LLMBar, reward-model preference sets (chosen/rejected)
// and Chatbot Arena-style conversations.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"concord/store/outcome"
)

// KindPairs is a file of pairs with inline texts; KindRowVerdicts is a
// judge's verdicts on the rows of a pairs file, by row index (PandaLM's
// gpt-3.5-turbo-testset-v1.json: idx and gpt_result).
const (
	KindPairs       Kind = "pairs"
	KindRowVerdicts Kind = "row_verdicts"
)

func init() {
	kindOrder[KindPairs] = 2
	kindOrder[KindRowVerdicts] = 4
}

// responseColumns are the pairs of response fields a pairs file may use, in
// the order they are tried.
var responseColumns = [][2]string{
	{"response_a", "response_b"},
	{"output_1", "output_2"},
	{"response1", "response2"},
	{"conversation_a", "conversation_b"},
	{"chosen", "rejected"},
}

// promptColumns hold the prompt, first found first; "instruction" is
// followed by "input" when both are present (PandaLM, Alpaca).
var promptColumns = []string{"prompt", "instruction", "question", "input"}

// keyColumns hold a prompt's key as given; without one the key derives from
// the prompt's text (see promptKey).
var keyColumns = []string{"question_id", "prompt_id", "uid", "id"}

// verdictColumns hold another judge's verdict (in one order), named by a
// judgeColumns column or else "<set>:judge".
var (
	verdictColumns = []string{"verdict", "judge_verdict"}
	judgeColumns   = []string{"judge_model", "evaluator"}
)

// humanLabelColumns hold one person's label; goldColumns a reference label.
var (
	humanLabelColumns = []string{"winner", "preference", "human_label"}
	goldColumns       = []string{"label", "gold", "gold_label"}
	annotatorColumn   = regexp.MustCompile(`^annotator_?(\d+)$`)
)

// isPairsShape reports whether a record's field names make a pairs file.
func isPairsShape(keys map[string]bool) bool {
	for _, rc := range responseColumns {
		if keys[rc[0]] && keys[rc[1]] {
			return true
		}
	}
	return false
}

// pairsFile is what the first record of a pairs file decides for all of it.
type pairsFile struct {
	set    string    // names the file's annotators, group and unnamed models
	resp   [2]string // the response columns
	labels []labelColumn
}

type labelColumn struct {
	field, annotator, group string
	// fromRow: the annotator is named by the row's annotator column (a long
	// table, one row per annotator and pair).
	fromRow bool
}

// setName names a file's data set: PandaLM's test set by its shape, else the
// file's name, or its folder's when the name says nothing (dataset.json).
func setName(path string, keys map[string]bool) string {
	if keys["cmp_key"] && keys["annotator1"] {
		return "pandalm"
	}
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	switch strings.ToLower(stem) {
	case "dataset", "data", "test", "train", "eval", "validation", "dev", "pairs":
		if dir := filepath.Base(filepath.Dir(path)); dir != "." && dir != string(filepath.Separator) {
			return dir
		}
	}
	return stem
}

// newPairsFile reads the layout of a pairs file from its first record's fields.
func newPairsFile(path string, keys map[string]bool) pairsFile {
	pf := pairsFile{set: setName(path, keys)}
	for _, rc := range responseColumns {
		if keys[rc[0]] && keys[rc[1]] {
			pf.resp = rc
			break
		}
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		switch {
		case annotatorColumn.MatchString(k):
			n := annotatorColumn.FindStringSubmatch(k)[1]
			pf.labels = append(pf.labels, labelColumn{field: k, annotator: pf.set + ":annotator" + n, group: pf.set})
		case contains(humanLabelColumns, k) && keys["annotator"]:
			pf.labels = append(pf.labels, labelColumn{k, "(the row's annotator)", pf.set, true})
		case contains(humanLabelColumns, k):
			pf.labels = append(pf.labels, labelColumn{field: k, annotator: pf.set + ":" + k, group: "human"})
		case contains(goldColumns, k):
			pf.labels = append(pf.labels, labelColumn{field: k, annotator: pf.set + ":gold", group: "gold"})
		}
	}
	return pf
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// pairRec is one record's fields as raw JSON.
type pairRec map[string]json.RawMessage

// promptText is the text of the first non-empty prompt column, with the
// input appended to an instruction; "" when there is none.
func (r pairRec) promptText() string {
	for _, c := range promptColumns {
		if s, ok := r.str(c); ok && strings.TrimSpace(s) != "" {
			if c == "instruction" {
				if in, ok := r.str("input"); ok && strings.TrimSpace(in) != "" {
					s += "\n\n" + in
				}
			}
			return s
		}
	}
	return ""
}

// str reads a field as text: a JSON string, or a number's digits.
func (r pairRec) str(field string) (string, bool) {
	raw, ok := r[field]
	raw = bytes.TrimSpace(raw)
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		return unquote(raw)
	}
	if raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9' {
		return string(raw), true
	}
	return "", false
}

// unquote reads a JSON string; one without escapes, the usual case, is
// its bytes between the quotes, without decoding.
func unquote(raw []byte) (string, bool) {
	if len(raw) >= 2 && raw[len(raw)-1] == '"' && bytes.IndexByte(raw[1:len(raw)-1], '\\') < 0 && bytes.IndexByte(raw[1:len(raw)-1], '"') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// side is one response of a record: the prompt's turns it answers and its own.
type side struct {
	prompts, answers []string
}

// response reads a response field: a string, or a role/content list whose
// user messages are the prompt's turns and assistant messages the answers.
func (r pairRec) response(line int, field string) (side, error) {
	raw := bytes.TrimSpace(r[field])
	if len(raw) == 0 || string(raw) == "null" {
		return side{}, fieldErr(line, field, "missing")
	}
	switch raw[0] {
	case '"':
		s, ok := unquote(raw)
		if !ok {
			return side{}, fieldErr(line, field, "invalid string")
		}
		if strings.HasPrefix(strings.TrimSpace(s), "[{") { // a conversation in a CSV cell
			return r.conversation(line, field, []byte(s))
		}
		// An empty response is kept: a model may answer nothing, and
		// annotators then judged that.
		return side{answers: []string{s}}, nil
	case '[':
		return r.conversation(line, field, raw)
	case '{':
		return side{}, fieldErr(line, field, "want a string or a list of {role, content} messages, got an object")
	}
	// A number or true/false: some files hold a response that a JSON
	// writer read as a value (PandaLM's testset-v1.json has true); keep
	// its text.
	return side{answers: []string{string(raw)}}, nil
}

func (r pairRec) conversation(line int, field string, raw []byte) (side, error) {
	var msgs []message
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return side{}, fieldErr(line, field, "want a list of {role, content} messages: %v", err)
	}
	var s side
	for i, m := range msgs {
		switch m.Role {
		case "user", "human":
			s.prompts = append(s.prompts, m.Content)
		case "assistant", "gpt", "bot":
			s.answers = append(s.answers, m.Content)
		case "system":
		default:
			return side{}, fieldErr(line, fmt.Sprintf("%s[%d].role", field, i), "want user or assistant, got %q", m.Role)
		}
	}
	if len(s.answers) == 0 {
		return side{}, fieldErr(line, field, "no assistant message")
	}
	if len(s.prompts) > 0 && len(s.prompts) != len(s.answers) {
		return side{}, fieldErr(line, field, "%d user messages but %d assistant messages", len(s.prompts), len(s.answers))
	}
	return s, nil
}

// prompt reads the record's prompt turns: from a prompt column, else from
// the conversations (which must then agree).
func (r pairRec) prompt(line int, a, b side, fa, fb string) ([]string, error) {
	text := r.promptText()
	switch {
	case len(a.prompts) > 0 || len(b.prompts) > 0:
		if len(a.prompts) != len(b.prompts) {
			return nil, fieldErr(line, fb, "%d turns, but %s has %d", len(b.prompts), fa, len(a.prompts))
		}
		for i := range a.prompts {
			if a.prompts[i] != b.prompts[i] {
				return nil, fieldErr(line, fmt.Sprintf("%s turn %d", fb, i+1), "user message differs from %s's", fa)
			}
		}
		if text != "" && len(a.prompts) == 1 && text != a.prompts[0] {
			return nil, fieldErr(line, "prompt", "differs from the conversations' user message")
		}
		return a.prompts, nil
	case text == "":
		return nil, fieldErr(line, promptColumns[0], "missing: want one of %s", strings.Join(promptColumns, ", "))
	}
	if len(a.answers) != 1 || len(b.answers) != 1 {
		return nil, fieldErr(line, fa, "a single prompt but %d and %d answers", len(a.answers), len(b.answers))
	}
	return []string{text}, nil
}

// promptKey is the key of a prompt without an id: "p-" and the first 12 hex
// digits of the SHA-256 of its turns, so the same prompt gets the same key
// in every file and every import.
func promptKey(turns []string) string {
	sum := sha256.Sum256([]byte(strings.Join(turns, "\x00")))
	return "p-" + hex.EncodeToString(sum[:6])
}

// pairLabel reads a label: which side won, in the file's own order.
func pairLabel(line int, field, v string) (outcome.Winner, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "model_a", "a", "1", "response_a", "response1", "output_1":
		return outcome.First, nil
	case "model_b", "b", "2", "response_b", "response2", "output_2":
		return outcome.Second, nil
	case "tie", "0":
		return outcome.Tie, nil
	case "tie (bothbad)", "both_bad":
		return outcome.BothBad, nil
	}
	return 0, fieldErr(line, field, "want model_a, model_b, tie, a, b, 1, 2 or 0, got %q", v)
}

// pairRow is the unit a pairs file's row became, for verdicts given by row.
type pairRow struct {
	qkey           string
	modelA, modelB string // in the file's order
}

// pair imports one record of a pairs file.
func (im *importer) pair(line int, raw []byte, pf *pairsFile, source string) (result, error) {
	var r pairRec
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, &recordError{Line: line, Err: fmt.Errorf("want a JSON object: %v", err)}
	}
	return im.pairRecord(line, r, pf, source)
}

// csvPair imports a row of a pairs CSV file from its cells, without making
// a JSON object of them and decoding it again.
func (im *importer) csvPair(line int, header []string, cells []string, pf *pairsFile, source string) (result, error) {
	r := make(pairRec, len(cells))
	for i, c := range cells {
		r[header[i]] = appendJSONString(make([]byte, 0, len(c)+2), c)
	}
	return im.pairRecord(line, r, pf, source)
}

// pairRecord imports one decoded record of a pairs file.
func (im *importer) pairRecord(line int, r pairRec, pf *pairsFile, source string) (result, error) {
	fa, fb := pf.resp[0], pf.resp[1]
	a, err := r.response(line, fa)
	if err != nil {
		return 0, err
	}
	b, err := r.response(line, fb)
	if err != nil {
		return 0, err
	}
	turns, err := r.prompt(line, a, b, fa, fb)
	if err != nil {
		return 0, err
	}
	if len(a.answers) != len(b.answers) {
		return 0, fieldErr(line, fb, "%d answers, but %s has %d", len(b.answers), fa, len(a.answers))
	}
	key := ""
	for _, c := range keyColumns {
		if s, ok := r.str(c); ok && strings.TrimSpace(s) != "" {
			key = strings.TrimSpace(s)
			break
		}
	}
	if idx, ok := r.str("idx"); key == "" && ok {
		// A row index (PandaLM): each row is its own question, as the
		// same model may answer the same prompt differently in two rows.
		key = pf.set + ":" + idx
	}
	if key == "" {
		key = promptKey(turns)
	}
	category := Uncategorised
	if c, ok := r.str("category"); ok && strings.TrimSpace(c) != "" {
		category = c
	}
	ma, mb := pf.set+":a", pf.set+":b"
	if s, ok := r.str("model_a"); ok && s != "" {
		ma = s
	}
	if s, ok := r.str("model_b"); ok && s != "" {
		mb = s
	}
	if ck, ok := r.str("cmp_key"); ok { // PandaLM: "bloom-7b_llama-7b"
		x, y, found := strings.Cut(ck, "_")
		if !found || x == "" || y == "" || strings.Contains(y, "_") {
			return 0, fieldErr(line, "cmp_key", "want two model names joined by _, got %q", ck)
		}
		ma, mb = x, y
	}
	if ma == mb {
		return 0, fieldErr(line, "model_b", "same model on both sides (%q)", ma)
	}
	res, err := im.putQuestion(line, key, category, turns, nil, source)
	if err != nil {
		return 0, err
	}
	qid := im.keys[key]
	for _, s := range []struct {
		model, field string
		answers      []string
	}{{ma, fa, a.answers}, {mb, fb, b.answers}} {
		r, err := im.putAnswer(line, qid, s.model, s.answers, "", source, s.field)
		if err != nil {
			return 0, err
		}
		res = worse(res, r)
	}
	if idx, ok := r.str("idx"); ok {
		im.pairRows[idx] = pairRow{qkey: key, modelA: ma, modelB: mb}
	}
	preview := PreviewRow{Line: line, Key: key, Prompt: strings.Join(turns, " / "), ModelA: ma, ModelB: mb, Labels: map[string]string{}}
	for _, lc := range pf.labels {
		if raw := bytes.TrimSpace(r[lc.field]); len(raw) > 0 && raw[0] == '[' {
			if err := im.labelList(line, r, raw, lc, pairRow{key, ma, mb}, len(turns), source, &preview); err != nil {
				return 0, err
			}
			continue
		}
		v, ok := r.str(lc.field)
		if raw := bytes.TrimSpace(r[lc.field]); !ok && len(raw) > 0 && string(raw) != "null" {
			return 0, fieldErr(line, lc.field, "want a label (a string or a number) or a list of them, got %.40s", raw)
		}
		if !ok || strings.TrimSpace(v) == "" {
			continue // this annotator did not label the row
		}
		w, err := pairLabel(line, lc.field, v)
		if err != nil {
			return 0, err
		}
		if lc.fromRow {
			name, ok := r.str("annotator")
			if !ok || strings.TrimSpace(name) == "" {
				return 0, fieldErr(line, "annotator", "missing: a labelled row names its annotator")
			}
			lc.annotator = strings.TrimSpace(name)
		}
		preview.Labels[lc.annotator] = w.HFVote()
		if err := im.pairVote(line, key, ma, mb, len(turns), w, lc, source); err != nil {
			return 0, err
		}
	}
	if pf.resp == [2]string{"chosen", "rejected"} {
		if err := im.pairVote(line, key, ma, mb, len(turns), outcome.First, labelColumn{field: "chosen", annotator: pf.set + ":chosen", group: "gold"}, source); err != nil {
			return 0, err
		}
	}
	for _, c := range verdictColumns {
		v, ok := r.str(c)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		judge := pf.set + ":judge"
		for _, jc := range judgeColumns {
			if j, ok := r.str(jc); ok && strings.TrimSpace(j) != "" {
				judge = j
				break
			}
		}
		if err := im.pairVerdict(line, c, v, judge, pairRow{key, ma, mb}, len(turns), source); err != nil {
			return 0, err
		}
		preview.Labels[judge] = v
	}
	im.addPreview(preview)
	// The row counts as its question and answers did; its votes are
	// counted when written.
	return res, nil
}

// labelList reads a label column holding a list, one label per annotator,
// beside an annotator column holding the list of their names in the same
// order (several annotators' labels in one row); a null label is an
// annotator who did not label the row.
func (im *importer) labelList(line int, r pairRec, raw []byte, lc labelColumn, row pairRow, turns int, source string, preview *PreviewRow) error {
	var labels []json.RawMessage
	if err := json.Unmarshal(raw, &labels); err != nil {
		return fieldErr(line, lc.field, "want a label or a list of labels: %v", err)
	}
	names := bytes.TrimSpace(r["annotator"])
	var who []string
	if !lc.fromRow || len(names) == 0 || names[0] != '[' || json.Unmarshal(names, &who) != nil {
		return fieldErr(line, lc.field, "a list of %d labels needs an annotator column with the list of their %d names", len(labels), len(labels))
	}
	if len(who) != len(labels) {
		return fieldErr(line, "annotator", "%d names, but %s holds %d labels", len(who), lc.field, len(labels))
	}
	for i, l := range labels {
		field := fmt.Sprintf("%s[%d]", lc.field, i)
		v, ok := pairRec{field: l}.str(field)
		if !ok {
			if t := bytes.TrimSpace(l); string(t) == "null" {
				continue
			}
			return fieldErr(line, field, "want a label (a string or a number), got %.40s", bytes.TrimSpace(l))
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		w, err := pairLabel(line, field, v)
		if err != nil {
			return err
		}
		name := strings.TrimSpace(who[i])
		if name == "" {
			return fieldErr(line, fmt.Sprintf("annotator[%d]", i), "empty name")
		}
		one := lc
		one.annotator = name
		preview.Labels[name] = w.HFVote()
		if err := im.pairVote(line, row.qkey, row.modelA, row.modelB, turns, w, one, source); err != nil {
			return err
		}
	}
	return nil
}

// worse is the result that tells more of two: replaced, then added.
func worse(a, b result) result {
	if a == replaced || b == replaced {
		return replaced
	}
	if a == added || b == added {
		return added
	}
	return a
}

// pairVote queues a label as a vote on the last turn of the unit, through the
// votes importer (so it gets a stable id and is written with its chunk).
func (im *importer) pairVote(line int, key, ma, mb string, turn int, w outcome.Winner, lc labelColumn, source string) error {
	rec := voteRec{ModelA: ma, ModelB: mb, Winner: w.HFVote(), Group: lc.group,
		Judge: appendJSONString(nil, lc.annotator)}
	rec.QuestionID = keyField{Set: true, Key: key}
	rec.Turn = flexInt{Set: true, N: turn}
	_, err := im.putVote(line, &rec, source)
	return err
}

// rowResultField is the verdict column of a row verdicts file (PandaLM's
// shape: idx and one <judge>_result, e.g. gpt_result or pandalm_result), or ""
// when there is not exactly one.
func rowResultField(keys map[string]bool) string {
	field := ""
	for k := range keys {
		if strings.HasSuffix(k, "_result") {
			if field != "" {
				return ""
			}
			field = k
		}
	}
	return field
}

// rowJudge names the judge of a row verdicts file: its name up to
// "-testset" (gpt-3.5-turbo-testset-v1.json is gpt-3.5-turbo's).
func rowJudge(path string) string {
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if i := strings.Index(stem, "-testset"); i > 0 {
		return stem[:i]
	}
	return stem
}

// rowVerdict imports a judge's verdict on a row of a pairs file imported in
// the same command: "1", "2", "Tie" (or 1, 2, 0); anything else is the
// judge's error.
func (im *importer) rowVerdict(line int, raw []byte, judge, source string) (result, error) {
	var rec pairRec
	if err := decodeRecord(line, raw, &rec); err != nil {
		return 0, err
	}
	idx, ok := rec.str("idx")
	if !ok {
		return 0, fieldErr(line, "idx", "missing")
	}
	row, ok := im.pairRows[idx]
	if !ok {
		return 0, fieldErr(line, "idx", "no row %s in a pairs file of this import (import the test set in the same command)", idx)
	}
	keys := make(map[string]bool, len(rec))
	for k := range rec {
		keys[k] = true
	}
	field := rowResultField(keys)
	if field == "" {
		return 0, fieldErr(line, "idx", "want one <judge>_result field beside idx")
	}
	v, _ := rec.str(field)
	return im.putRowVerdict(line, field, v, judge, row, 1, source)
}

// pairVerdict writes a judge's verdict given in a pairs file's column; a
// value that is not a label is refused.
func (im *importer) pairVerdict(line int, field, v, judge string, row pairRow, turn int, source string) error {
	if strings.ToLower(strings.TrimSpace(v)) != "error" {
		if _, err := pairLabel(line, field, v); err != nil {
			return err
		}
	}
	_, err := im.putRowVerdict(line, field, v, judge, row, turn, source)
	return err
}

// putRowVerdict writes a judge's combined verdict v (a label in the row's
// order; anything else, as PandaLM's "garbage", is the judge's error) on a
// row's unit.
func (im *importer) putRowVerdict(line int, field, v, judge string, row pairRow, turn int, source string) (result, error) {
	g := outcome.Error
	if w, err := pairLabel(line, field, v); err == nil && w != outcome.BothBad {
		g = w
	}
	m1, m2, swapped := outcome.CanonicalPair(row.modelA, row.modelB)
	if swapped {
		g = g.Swap()
	}
	qid, err := im.questionID(line, field, row.qkey)
	if err != nil {
		return 0, err
	}
	if err := im.checkUnit(line, qid, m1, m2, turn, field, field); err != nil {
		return 0, err
	}
	return im.putVerdict(line, Verdict{Judge: judge, JudgeModel: judge, QuestionID: qid, Model1: m1, Model2: m2, Turn: turn,
		Combined: g.Game()}, source)
}
