package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
)

func (im *importer) reference(line int, raw []byte, model string) (result, error) {
	var r answerRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	if r.QuestionID == nil {
		return 0, fieldErr(line, "question_id", "missing")
	}
	if len(r.Choices) == 0 || len(r.Choices[0].Turns) == 0 {
		return 0, fieldErr(line, "choices", "missing or empty")
	}
	qid := *r.QuestionID
	if err := im.checkQuestion(line, "question_id", qid); err != nil {
		return 0, err
	}
	turns := r.Choices[0].Turns
	turnsJSON, _ := json.Marshal(turns)
	hash := contentHash(turns)
	return im.upsert(line, fmt.Sprintf("reference answer of %s to question %d", model, qid),
		`SELECT content_hash FROM reference_answers WHERE question_id = ? AND model = ?`, []any{qid, model}, hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO reference_answers(question_id, model, turns, content_hash) VALUES (?, ?, ?, ?)`, qid, model, string(turnsJSON), hash)
		},
		func() error {
			_, err := im.exec(`UPDATE reference_answers SET turns = ?, content_hash = ? WHERE question_id = ? AND model = ?`, string(turnsJSON), hash, qid, model)
			return err
		})
}
