package store

// Question keys: a question is known to the user by its key as its file spells
// it (MT-Bench's 81, Arena-Hard's hex uid, "writing_1", a URL) and to the
// tables by an integer question_id. A key that is an integer in canonical form
// is its own question_id; any other key gets one from the reserved range.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ReservedQuestionIDs is the first question_id given to a key that is not a
// canonical integer; integer keys from it on are refused.
const ReservedQuestionIDs = 1 << 40

// Uncategorised is the category of a question that comes without one.
const Uncategorised = "uncategorised"

// IntKey reports whether key is an integer in canonical form ("81", not
// "081", "+81" or " 81") and returns it.
func IntKey(key string) (int, bool) {
	n, err := strconv.Atoi(key)
	if err != nil || strconv.Itoa(n) != key {
		return 0, false
	}
	return n, true
}

// QuestionKey is a question's key as exports write it: a JSON number when it
// is a canonical integer (so FastChat's tools, which expect MT-Bench's
// integers, keep working), else a JSON string.
type QuestionKey string

// MarshalJSON writes the key as a number or a string.
func (k QuestionKey) MarshalJSON() ([]byte, error) {
	if _, ok := IntKey(string(k)); ok {
		return []byte(k), nil
	}
	return json.Marshal(string(k))
}

// keyField reads a question_id field: a JSON integer or a string (CSV cells
// are strings); surrounding spaces of a string are dropped.
type keyField struct {
	Set bool
	Key string
	Bad string
}

func (f *keyField) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*f = keyField{}
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		f.setString(s)
	default:
		f.Set = true
		if _, ok := IntKey(string(b)); !ok {
			f.Bad = string(b)
			return nil
		}
		f.Key = string(b)
	}
	return nil
}

func (f *keyField) setString(s string) {
	f.Set = true
	f.Key = strings.TrimSpace(s)
	if f.Key == "" {
		f.Bad = `""`
	}
}

// get returns the key, or a field error when it is missing or not a key.
func (f keyField) get(line int, field string) (string, error) {
	switch {
	case !f.Set:
		return "", fieldErr(line, field, "missing")
	case f.Bad != "":
		return "", fieldErr(line, field, "want an integer or a non-empty string, got %s", f.Bad)
	}
	return f.Key, nil
}

// newQuestionID returns the question_id for a new question's key: the key
// itself when it is a canonical integer below the reserved range, else the
// next free id of that range.
func (im *importer) newQuestionID(line int, field, key string) (int, error) {
	if id, ok := im.keys[key]; ok {
		return id, nil
	}
	if n, ok := IntKey(key); ok {
		if n >= ReservedQuestionIDs {
			return 0, fieldErr(line, field, "integer key %d is too large: ids from %d on are kept for keys that are not integers (write it as a string with a leading zero or a prefix)", n, ReservedQuestionIDs)
		}
		return n, nil
	}
	if im.nextReserved < ReservedQuestionIDs {
		im.nextReserved = ReservedQuestionIDs
	}
	id := im.nextReserved
	im.nextReserved++
	return id, nil
}

// questionID returns the question_id of a known question's key.
func (im *importer) questionID(line int, field, key string) (int, error) {
	if id, ok := im.keys[key]; ok {
		return id, nil
	}
	return 0, fieldErr(line, field, "unknown question %s (import its question.jsonl first, or in the same command)", key)
}

// keyOf returns a question's key for messages.
func (im *importer) keyOf(id int) string {
	if k, ok := im.qkeys[id]; ok {
		return k
	}
	return strconv.Itoa(id)
}

// questionKeys maps every question_id to its key, for exports and listings.
func (s *Store) questionKeys(ctx context.Context) (map[int]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT question_id, key FROM questions`)
	if err != nil {
		return nil, fmt.Errorf("question keys: %w", err)
	}
	defer rows.Close()
	keys := map[int]string{}
	for rows.Next() {
		var id int
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			return nil, fmt.Errorf("question keys: %w", err)
		}
		keys[id] = k
	}
	return keys, rows.Err()
}

// keyOrID is a question's key from keys, or its id written as one.
func keyOrID(keys map[int]string, id int) string {
	if k, ok := keys[id]; ok {
		return k
	}
	return strconv.Itoa(id)
}

// QuestionIDsByKey returns the question_id of each key, in order; keys that
// name no question are an error listing them.
func (s *Store) QuestionIDsByKey(ctx context.Context, keys []string) ([]int, error) {
	ids := make([]int, 0, len(keys))
	var unknown []string
	for _, k := range keys {
		var id int
		err := s.read.QueryRowContext(ctx, `SELECT question_id FROM questions WHERE key = ?`, strings.TrimSpace(k)).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			unknown = append(unknown, k)
		case err != nil:
			return nil, fmt.Errorf("question %s: %w", k, err)
		default:
			ids = append(ids, id)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("no question with key %s: %w", strings.Join(unknown, ", "), ErrNoQuestion)
	}
	return ids, nil
}
