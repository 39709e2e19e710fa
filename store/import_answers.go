package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
)

type answerRec struct {
	QuestionID *int   `json:"question_id"`
	AnswerID   string `json:"answer_id"`
	Choices    []struct {
		Turns []string `json:"turns"`
	} `json:"choices"`
}

func (im *importer) checkQuestion(line int, field string, id int) error {
	if _, ok := im.questions[id]; !ok {
		return fieldErr(line, field, "unknown question %d (import its question.jsonl first, or in the same command)", id)
	}
	return nil
}

func (im *importer) answer(line int, raw []byte, model, source string) (result, error) {
	var r answerRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	if r.QuestionID == nil {
		return 0, fieldErr(line, "question_id", "missing")
	}
	if len(r.Choices) == 0 {
		return 0, fieldErr(line, "choices", "missing or empty")
	}
	return im.putAnswer(line, *r.QuestionID, model, r.Choices[0].Turns, r.AnswerID, source, "choices[0].turns")
}

func (im *importer) putAnswer(line, qid int, model string, turns []string, answerID, source, field string) (result, error) {
	if err := im.checkQuestion(line, "question_id", qid); err != nil {
		return 0, err
	}
	if want := im.questions[qid]; len(turns) < want {
		return 0, fieldErr(line, field, "question %d has %d turns, the answer has %d", qid, want, len(turns))
	}
	mid, err := im.modelID(model, true)
	if err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	turnsJSON, _ := json.Marshal(turns)
	hash := contentHash(turns)
	return im.upsert(line, fmt.Sprintf("answer of %s to question %d", model, qid),
		`SELECT content_hash FROM answers WHERE question_id = ? AND model_id = ?`, []any{qid, mid}, hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO answers(question_id, model_id, turns, answer_id, source, content_hash) VALUES (?, ?, ?, ?, ?, ?)`,
				qid, mid, string(turnsJSON), answerID, source, hash)
		},
		func() error {
			_, err := im.exec(`UPDATE answers SET turns = ?, answer_id = ?, source = ?, content_hash = ? WHERE question_id = ? AND model_id = ?`,
				string(turnsJSON), answerID, source, hash, qid, mid)
			return err
		})
}

func (im *importer) modelID(name string, create bool) (int64, error) {
	if id, ok := im.models[name]; ok {
		return id, nil
	}
	if !create {
		return 0, fmt.Errorf("unknown model %q (import its model_answer file first, or in the same command)", name)
	}
	res, err := im.exec(`INSERT INTO models(name) VALUES (?)`, name)
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	im.models[name] = id
	return id, nil
}
