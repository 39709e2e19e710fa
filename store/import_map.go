package store

// Column maps and previews: a file whose columns have other names than the
// importers know is read through a map from the names Concord reads to the
// file's own (concord import FILE --map prompt=instruction,answer_a=resp1),
// and a dry run reports what an import would store without writing it.

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// mapRoles are the names a column map may give a file's column, each with
// the field the importers read (answer_a is response_a).
var mapRoles = map[string]string{
	"prompt": "prompt", "question_id": "question_id", "category": "category",
	"answer_a": "response_a", "answer_b": "response_b", "response_a": "response_a", "response_b": "response_b",
	"model_a": "model_a", "model_b": "model_b", "model": "model", "answer": "answer",
	"winner": "winner", "gold": "gold", "annotator": "annotator", "verdict": "verdict", "judge_model": "judge_model",
	"turn": "turn", "judge": "judge",
}

// ParseColumnMap reads a column map, "role=column,role=column", into the
// fields the importers read and the file's columns that fill them.
func ParseColumnMap(s string) (map[string]string, error) {
	m := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, part := range strings.Split(s, ",") {
		role, col, ok := strings.Cut(part, "=")
		role, col = strings.TrimSpace(role), strings.TrimSpace(col)
		if !ok || role == "" || col == "" {
			return nil, fmt.Errorf("column map %q: want role=column", part)
		}
		if err := addRole(m, role, col); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// ColumnMapOf reads a column map given as role -> the file's column (the
// Import screen's choices) into the fields the importers read; roles with
// no column are left out.
func ColumnMapOf(roles map[string]string) (map[string]string, error) {
	m := map[string]string{}
	names := make([]string, 0, len(roles))
	for r := range roles {
		names = append(names, r)
	}
	sort.Strings(names)
	for _, role := range names {
		if col := strings.TrimSpace(roles[role]); col != "" {
			if err := addRole(m, role, col); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func addRole(m map[string]string, role, col string) error {
	field, known := mapRoles[role]
	switch {
	case !known:
		return fmt.Errorf("column map: unknown role %q (want one of %s)", role, strings.Join(MapRoles(), ", "))
	case m[field] != "":
		return fmt.Errorf("column map: %s given twice", role)
	}
	m[field] = col
	return nil
}

// MapRoles lists the roles a column map accepts.
func MapRoles() []string {
	roles := make([]string, 0, len(mapRoles))
	for r := range mapRoles {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	return roles
}

// renameKeys applies a column map to a record's field names; it returns the
// first mapped column the record lacks.
func renameKeys(keys map[string]bool, m map[string]string) (missing string) {
	for _, field := range sortedFields(m) {
		col := m[field]
		if !keys[col] {
			return col
		}
		delete(keys, col)
		keys[field] = true
	}
	return ""
}

// renameRecord applies a column map to one raw record.
func renameRecord(line int, raw []byte, m map[string]string) ([]byte, error) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, &recordError{Line: line, Err: errors.New("want a JSON object per record")}
	}
	for _, field := range sortedFields(m) {
		if v, ok := rec[m[field]]; ok {
			delete(rec, m[field])
			rec[field] = v
		}
	}
	return json.Marshal(rec)
}

func sortedFields(m map[string]string) []string {
	fields := make([]string, 0, len(m))
	for f := range m {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	return fields
}

// PreviewRow is one record as an import stores it, for a preview before
// writing: the question's key and prompt, the models and the labels by
// annotator (or judge).
type PreviewRow struct {
	Line   int               `json:"line"`
	Key    string            `json:"question_key"`
	Prompt string            `json:"prompt"`
	ModelA string            `json:"model_a"`
	ModelB string            `json:"model_b,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

// previewRows is how many rows of a file a report previews.
const previewRows = 3

// addPreview keeps a row for the current file's preview.
func (im *importer) addPreview(row PreviewRow) {
	if im.preview == nil || len(*im.preview) >= previewRows {
		return
	}
	if r := []rune(row.Prompt); len(r) > 80 {
		row.Prompt = string(r[:80]) + "…"
	}
	*im.preview = append(*im.preview, row)
}

// columns says which of the file's columns fill what, by the file's own
// names (before the column map).
func (f inputFile) columns() map[string]string {
	col := func(field string) string {
		if c, ok := f.colMap[field]; ok {
			return c
		}
		return field
	}
	first := func(fields []string) string {
		for _, c := range fields {
			if f.keys[c] {
				if c == "instruction" && f.keys["input"] {
					return col(c) + " + " + col("input")
				}
				return col(c)
			}
		}
		return ""
	}
	m := map[string]string{}
	set := func(what, column string) {
		if column != "" {
			m[what] = column
		}
	}
	switch f.kind {
	case KindPairs:
		pf := f.pairs
		set("question_key", first(keyColumns))
		if f.keys["idx"] && m["question_key"] == "" {
			m["question_key"] = pf.set + ":" + col("idx")
		}
		if m["question_key"] == "" {
			m["question_key"] = "p- and the prompt's SHA-256"
		}
		set("prompt", first(promptColumns))
		set("response_a", col(pf.resp[0]))
		set("response_b", col(pf.resp[1]))
		switch {
		case f.keys["model_a"]:
			m["model_a"], m["model_b"] = col("model_a"), col("model_b")
		case f.keys["cmp_key"]:
			m["model_a"], m["model_b"] = col("cmp_key")+" (first)", col("cmp_key")+" (second)"
		default:
			m["model_a"], m["model_b"] = "(none: "+pf.set+":a)", "(none: "+pf.set+":b)"
		}
		for _, lc := range pf.labels {
			m["label "+col(lc.field)] = lc.annotator + " (group " + lc.group + ")"
		}
	case KindAnswersTable:
		set("question_key", col("question_id"))
		set("prompt", first(promptColumns))
		set("model", first(modelColumns))
		set("answer", first(answerColumns))
	}
	return m
}

// errDryRun ends a dry run's transaction, which rolls it back.
var errDryRun = errors.New("dry run")
