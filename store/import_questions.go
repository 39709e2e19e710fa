package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

type questionRec struct {
	QuestionID *int     `json:"question_id"`
	Category   *string  `json:"category"`
	Turns      []string `json:"turns"`
	Reference  []string `json:"reference"`
}

func (im *importer) question(line int, raw []byte, source string) (result, error) {
	var r questionRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	switch {
	case r.QuestionID == nil:
		return 0, fieldErr(line, "question_id", "missing")
	case r.Category == nil:
		return 0, fieldErr(line, "category", "missing")
	case len(r.Turns) == 0:
		return 0, fieldErr(line, "turns", "missing or empty: a question needs at least one turn")
	}
	return im.putQuestion(line, *r.QuestionID, *r.Category, r.Turns, r.Reference, source)
}

func (im *importer) putQuestion(line, id int, category string, turns, ref []string, source string) (result, error) {
	for i, t := range turns {
		if strings.TrimSpace(t) == "" {
			return 0, fieldErr(line, fmt.Sprintf("turns[%d]", i), "empty turn")
		}
	}
	turnsJSON, _ := json.Marshal(turns)
	var refJSON any
	if len(ref) > 0 {
		b, _ := json.Marshal(ref)
		refJSON = string(b)
	}
	hash := contentHash(category, turns, ref)
	res, err := im.upsert(line, fmt.Sprintf("question %d", id), `SELECT content_hash FROM questions WHERE question_id = ?`, []any{id}, hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO questions(question_id, category, turns, reference, source, content_hash) VALUES (?, ?, ?, ?, ?, ?)`,
				id, category, string(turnsJSON), refJSON, source, hash)
		},
		func() error {
			_, err := im.exec(`UPDATE questions SET category = ?, turns = ?, reference = ?, source = ?, content_hash = ? WHERE question_id = ?`,
				category, string(turnsJSON), refJSON, source, hash, id)
			return err
		})
	if err == nil {
		im.questions[id] = len(turns)
	}
	return res, err
}
