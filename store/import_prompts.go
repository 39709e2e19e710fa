package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
)

func (im *importer) prompt(line int, raw []byte) (result, error) {
	var p Prompt
	if err := decodeRecord(line, raw, &p); err != nil {
		return 0, err
	}
	switch {
	case p.Name == "":
		return 0, fieldErr(line, "name", "missing")
	case p.PromptTemplate == "":
		return 0, fieldErr(line, "prompt_template", "missing")
	case p.Type == "":
		return 0, fieldErr(line, "type", "missing")
	}
	p.Hash = PromptHash(p.SystemPrompt, p.PromptTemplate)
	res, err := im.upsert(line, fmt.Sprintf("prompt %q", p.Name), `SELECT hash FROM prompts WHERE name = ?`, []any{p.Name},
		p.Hash,
		func() (sql.Result, error) {
			return im.exec(`INSERT OR IGNORE INTO prompts(name, type, system_prompt, prompt_template, description, category, output_format, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				p.Name, p.Type, p.SystemPrompt, p.PromptTemplate, p.Description, p.Category, p.OutputFormat, p.Hash)
		},
		func() error {
			_, err := im.exec(`UPDATE prompts SET type = ?, system_prompt = ?, prompt_template = ?, description = ?, category = ?, output_format = ?, hash = ? WHERE name = ?`,
				p.Type, p.SystemPrompt, p.PromptTemplate, p.Description, p.Category, p.OutputFormat, p.Hash, p.Name)
			return err
		})
	if err == nil {
		im.prompts[p.Name] = p.Hash
	}
	return res, err
}

// PromptHash identifies a prompt's text: the first 16 hex digits of the
// SHA-256 of its system prompt and template.
func PromptHash(system, template string) string {
	h := sha256.Sum256([]byte(system + "\x00" + template))
	return hex.EncodeToString(h[:8])
}

func (im *importer) judgeID(name, model string) (int64, error) {
	if id, ok := im.judges[name]; ok {
		return id, nil
	}
	res, err := im.exec(`INSERT INTO judges(name, model) VALUES (?, ?)`, name, model)
	if err != nil {
		return 0, err
	}
	id, _ := res.LastInsertId()
	im.judges[name] = id
	return id, nil
}
