package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

type questionRec struct {
	QuestionID keyField `json:"question_id"`
	Category   *string  `json:"category"`
	Turns      []string `json:"turns"`
	Reference  []string `json:"reference"`
}

func (im *importer) question(line int, raw []byte, source string) (result, error) {
	var r questionRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	key, err := r.QuestionID.get(line, "question_id")
	if err != nil {
		return 0, err
	}
	if len(r.Turns) == 0 {
		return 0, fieldErr(line, "turns", "missing or empty: a question needs at least one turn")
	}
	category := Uncategorised
	if r.Category != nil && strings.TrimSpace(*r.Category) != "" {
		category = *r.Category
	}
	return im.putQuestion(line, key, category, r.Turns, r.Reference, source)
}

// putQuestion writes a question under its key (see newQuestionID).
func (im *importer) putQuestion(line int, key, category string, turns, ref []string, source string) (result, error) {
	id, err := im.newQuestionID(line, "question_id", key)
	if err != nil {
		return 0, err
	}
	for i, t := range turns {
		if strings.TrimSpace(t) == "" {
			return 0, fieldErr(line, fmt.Sprintf("turns[%d]", i), "empty turn")
		}
	}
	if len(ref) == 0 && im.lastQ.is(id, category, turns) {
		return unchanged, nil
	}
	turnsJSON, _ := json.Marshal(turns)
	var refJSON any
	refBytes := []byte("null")
	if len(ref) > 0 {
		refBytes, _ = json.Marshal(ref)
		refJSON = string(refBytes)
	}
	catJSON, _ := json.Marshal(category)
	hash := jsonHash(catJSON, turnsJSON, refBytes)
	res, err := im.upsert(line, fmt.Sprintf("question %s", key), `SELECT CASE WHEN source = 'conversation' AND ? != 'conversation' THEN 'conversation' ELSE content_hash END FROM questions WHERE question_id = ?`, []any{source, id}, hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO questions(question_id, key, category, turns, reference, source, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				id, key, category, string(turnsJSON), refJSON, source, hash)
		},
		func() error {
			_, err := im.exec(`UPDATE questions SET category = ?, turns = ?, reference = ?, source = ?, content_hash = ? WHERE question_id = ?`,
				category, string(turnsJSON), refJSON, source, hash, id)
			return err
		})
	if err == nil {
		im.questions[id] = len(turns)
		im.keys[key] = id
		im.qkeys[id] = key
		if len(ref) == 0 {
			im.lastQ = lastQuestion{id: id, category: category, turns: turns}
		}
	}
	return res, err
}

// lastQuestion is a question as the import last wrote it.
type lastQuestion struct {
	id       int
	category string
	turns    []string
}

func (q lastQuestion) is(id int, category string, turns []string) bool {
	return q.turns != nil && q.id == id && q.category == category && slices.Equal(q.turns, turns)
}
