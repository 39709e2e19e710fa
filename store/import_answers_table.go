package store

// Answers table: one row per model answer, with a prompt or a question id, a
// model and an answer (answer, response, output, completion, or turns for
// several turns), as AlpacaEval's outputs and most teams' spreadsheets are.
// A row with a prompt brings its question (keyed by its id, else by its
// text, see promptKey); a row with only an id needs the question imported.

import (
	"bytes"
	"encoding/json"
	"strings"
)

// KindAnswersTable is a table of answers.
const KindAnswersTable Kind = "answers_table"

func init() { kindOrder[KindAnswersTable] = 2 }

var (
	answerColumns = []string{"answer", "response", "output", "completion", "turns"}
	modelColumns  = []string{"model", "generator", "model_name"}
)

// isAnswersTableShape reports whether a record's field names make an answers table.
func isAnswersTableShape(keys map[string]bool) bool {
	has := func(cols []string) bool {
		for _, c := range cols {
			if keys[c] {
				return true
			}
		}
		return false
	}
	return has(modelColumns) && has(answerColumns) && (keys["question_id"] || has(promptColumns))
}

// answerRow imports one row of an answers table.
func (im *importer) answerRow(line int, raw []byte, source string) (result, error) {
	var r pairRec
	if err := json.Unmarshal(raw, &r); err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	model := ""
	for _, c := range modelColumns {
		if s, ok := r.str(c); ok && strings.TrimSpace(s) != "" {
			model = strings.TrimSpace(s)
			break
		}
	}
	if model == "" {
		return 0, fieldErr(line, modelColumns[0], "missing")
	}
	var answers []string
	field := ""
	for _, c := range answerColumns {
		raw := bytes.TrimSpace(r[c])
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		field = c
		if raw[0] == '[' {
			if err := json.Unmarshal(raw, &answers); err != nil {
				return 0, fieldErr(line, c, "want a string or a list of strings")
			}
		} else if s, ok := r.str(c); ok {
			answers = []string{s}
		} else {
			return 0, fieldErr(line, c, "want a string or a list of strings")
		}
		break
	}
	if field == "" {
		return 0, fieldErr(line, answerColumns[0], "missing: want one of %s", strings.Join(answerColumns, ", "))
	}
	if len(answers) == 0 {
		return 0, fieldErr(line, field, "empty list")
	}
	key := ""
	if s, ok := r.str("question_id"); ok {
		key = strings.TrimSpace(s)
	}
	text := r.promptText()
	res := unchanged
	if _, known := im.keys[key]; text != "" && !(key != "" && known) { // a known id's question stays as imported
		if len(answers) != 1 {
			return 0, fieldErr(line, field, "one prompt but %d answers", len(answers))
		}
		if key == "" {
			key = promptKey([]string{text})
		}
		category := Uncategorised
		if c, ok := r.str("category"); ok && strings.TrimSpace(c) != "" {
			category = c
		}
		var err error
		if res, err = im.putQuestion(line, key, category, []string{text}, nil, source); err != nil {
			return 0, err
		}
	}
	if key == "" {
		return 0, fieldErr(line, "question_id", "missing: want a question_id or a prompt (%s)", strings.Join(promptColumns, ", "))
	}
	qid, err := im.questionID(line, "question_id", key)
	if err != nil {
		return 0, err
	}
	ar, err := im.putAnswer(line, qid, model, answers, "", source, field)
	if err != nil {
		return 0, err
	}
	im.addPreview(PreviewRow{Line: line, Key: key, Prompt: text, ModelA: model})
	return worse(res, ar), nil
}
