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
	key, err := r.QuestionID.get(line, "question_id")
	if err != nil {
		return 0, err
	}
	if len(r.Choices) == 0 || len(r.Choices[0].Turns) == 0 {
		return 0, fieldErr(line, "choices", "missing or empty")
	}
	qid, err := im.questionID(line, "question_id", key)
	if err != nil {
		return 0, err
	}
	turns := r.Choices[0].Turns
	turnsJSON, _ := json.Marshal(turns)
	hash := contentHash(turns)
	return im.upsert(line, fmt.Sprintf("reference answer of %s to question %s", model, key),
		`SELECT content_hash FROM reference_answers WHERE question_id = ? AND model = ?`, []any{qid, model}, hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO reference_answers(question_id, model, turns, content_hash) VALUES (?, ?, ?, ?)`, qid, model, string(turnsJSON), hash)
		},
		func() error {
			_, err := im.exec(`UPDATE reference_answers SET turns = ?, content_hash = ? WHERE question_id = ? AND model = ?`, string(turnsJSON), hash, qid, model)
			return err
		})
}
