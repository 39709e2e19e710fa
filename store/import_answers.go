package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
)

type answerRec struct {
	QuestionID keyField `json:"question_id"`
	AnswerID   string   `json:"answer_id"`
	Choices    []struct {
		Turns []string `json:"turns"`
	} `json:"choices"`
}

func (im *importer) answer(line int, raw []byte, model, source string) (result, error) {
	var r answerRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	key, err := r.QuestionID.get(line, "question_id")
	if err != nil {
		return 0, err
	}
	if len(r.Choices) == 0 {
		return 0, fieldErr(line, "choices", "missing or empty")
	}
	qid, err := im.questionID(line, "question_id", key)
	if err != nil {
		return 0, err
	}
	return im.putAnswer(line, qid, model, r.Choices[0].Turns, r.AnswerID, source, "choices[0].turns")
}

func (im *importer) putAnswer(line, qid int, model string, turns []string, answerID, source, field string) (result, error) {
	if want := im.questions[qid]; len(turns) < want {
		return 0, fieldErr(line, field, "question %s has %d turns, the answer has %d", im.keyOf(qid), want, len(turns))
	}
	mid, err := im.modelID(model, true)
	if err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	if im.lastQ.id != qid || im.lastAnswers == nil {
		im.lastAnswers = map[int64][]string{}
	} else if prev, ok := im.lastAnswers[mid]; ok && slices.Equal(prev, turns) {
		return unchanged, nil
	}
	turnsJSON, _ := json.Marshal(turns)
	hash := jsonHash(turnsJSON)
	res, err := im.upsert(line, fmt.Sprintf("answer of %s to question %s", model, im.keyOf(qid)),
		`SELECT CASE WHEN source = 'conversation' AND ? != 'conversation' THEN 'conversation' ELSE content_hash END FROM answers WHERE question_id = ? AND model_id = ?`, []any{source, qid, mid}, hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO answers(question_id, model_id, turns, answer_id, source, content_hash) VALUES (?, ?, ?, ?, ?, ?)`,
				qid, mid, string(turnsJSON), answerID, source, hash)
		},
		func() error {
			_, err := im.exec(`UPDATE answers SET turns = ?, answer_id = ?, source = ?, content_hash = ? WHERE question_id = ? AND model_id = ?`,
				string(turnsJSON), answerID, source, hash, qid, mid)
			return err
		})
	if err == nil && im.lastQ.id == qid {
		im.lastAnswers[mid] = turns
	}
	return res, err
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
