package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"concord/store/outcome"
)

// JudgeSpec is a judge's stored configuration. ConfigHash identifies what
// makes its verdicts comparable (model, sampling settings, prompt set); the
// API key is never part of it.
type JudgeSpec struct {
	Name       string `json:"name"`
	Model      string `json:"model"`
	BaseURL    string `json:"base_url"`
	ConfigJSON string `json:"config_json"`
	ConfigHash string `json:"config_hash"`
}

// GameKey identifies one game of a judge: with the judge, it is the identity
// that lets a resumed run skip finished work.
type GameKey struct {
	Prompt     string `json:"prompt"`
	PromptHash string `json:"prompt_hash"`
	QuestionID int    `json:"question_id"`
	Model1     string `json:"model_1"`
	Model2     string `json:"model_2"`
	Turn       int    `json:"turn"`
	Game       int    `json:"game"` // 1: Model1 shown first; 2: Model2 shown first
}

// GameState is a stored game's key and winner ("model_1", "model_2", "tie" or "error").
type GameState struct {
	GameKey
	Winner string `json:"winner"`
}

// Errors of judge bookkeeping.
var (
	ErrJudgeConfig   = errors.New("judge exists with a different configuration")
	ErrPromptChanged = errors.New("verdict exists with a different prompt text under the same prompt name")
)

// JudgeSpecByName returns the stored configuration of a judge.
func (s *Store) JudgeSpecByName(ctx context.Context, name string) (JudgeSpec, bool, error) {
	var j JudgeSpec
	err := s.read.QueryRowContext(ctx, `SELECT name, model, base_url, config_json, config_hash FROM judges WHERE name = ?`, name).
		Scan(&j.Name, &j.Model, &j.BaseURL, &j.ConfigJSON, &j.ConfigHash)
	if errors.Is(err, sql.ErrNoRows) {
		return JudgeSpec{}, false, nil
	}
	if err != nil {
		return JudgeSpec{}, false, fmt.Errorf("judge %s: %w", name, err)
	}
	return j, true, nil
}

// EnsureJudge returns the id of the judge named spec.Name, creating it. A
// judge of that name with another configuration (including one whose verdicts
// were imported) is refused with ErrJudgeConfig, so verdicts under one name
// always come from one configuration. The base URL is updated (it does not
// change what a verdict means).
func (s *Store) EnsureJudge(ctx context.Context, spec JudgeSpec) (int64, error) {
	var id int64
	err := s.Write(ctx, func(tx *sql.Tx) error {
		var hash string
		err := tx.QueryRowContext(ctx, `SELECT id, config_hash FROM judges WHERE name = ?`, spec.Name).Scan(&id, &hash)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.ExecContext(ctx, `INSERT INTO judges(name, model, base_url, config_json, config_hash) VALUES (?, ?, ?, ?, ?)`,
				spec.Name, spec.Model, spec.BaseURL, spec.ConfigJSON, spec.ConfigHash)
			if err != nil {
				return err
			}
			id, err = res.LastInsertId()
			return err
		case err != nil:
			return err
		case hash != spec.ConfigHash:
			return fmt.Errorf("%w: %s (choose another name)", ErrJudgeConfig, spec.Name)
		}
		_, err = tx.ExecContext(ctx, `UPDATE judges SET base_url = ? WHERE id = ?`, spec.BaseURL, id)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("judge %s: %w", spec.Name, err)
	}
	return id, nil
}

// JudgeGames lists every stored game of a judge, finished or errored.
func (s *Store) JudgeGames(ctx context.Context, judge string) ([]GameState, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT v.prompt, v.prompt_hash, v.question_id, v.model_1, v.model_2, v.turn, v.g1_winner, v.g2_winner
		FROM verdicts v JOIN judges j ON j.id = v.judge_id WHERE j.name = ?`, judge)
	if err != nil {
		return nil, fmt.Errorf("judge games %s: %w", judge, err)
	}
	defer rows.Close()
	var out []GameState
	for rows.Next() {
		var k GameKey
		var w [2]sql.NullString
		if err := rows.Scan(&k.Prompt, &k.PromptHash, &k.QuestionID, &k.Model1, &k.Model2, &k.Turn, &w[0], &w[1]); err != nil {
			return nil, fmt.Errorf("judge games %s: %w", judge, err)
		}
		for i := range w {
			if w[i].Valid {
				k.Game = i + 1
				out = append(out, GameState{GameKey: k, Winner: w[i].String})
			}
		}
	}
	return out, rows.Err()
}

// SaveGame commits one game of a judge's verdict, creating the unit's row
// when needed and setting the combined verdict once both games are there.
// A finished game is never replaced (a second result for it is dropped), an
// errored game is replaced by any new result, and a game whose prompt text
// differs from the row's is refused with ErrPromptChanged.
func (s *Store) SaveGame(ctx context.Context, judgeID int64, k GameKey, g Game) error {
	if k.Game != 1 && k.Game != 2 {
		return fmt.Errorf("save game: game %d is not 1 or 2", k.Game)
	}
	if k.Model1 >= k.Model2 {
		return fmt.Errorf("save game: models %q, %q not in canonical order", k.Model1, k.Model2)
	}
	err := s.Write(ctx, func(tx *sql.Tx) error {
		_, err := s.saveGameTx(ctx, tx, judgeID, k, g)
		return err
	})
	if err != nil {
		return fmt.Errorf("save game q%d %s/%s turn %d game %d: %w", k.QuestionID, k.Model1, k.Model2, k.Turn, k.Game, err)
	}
	return nil
}

// saveGameTx is SaveGame's write inside tx (see SaveGame for the rules).
func (s *Store) saveGameTx(ctx context.Context, tx *sql.Tx, judgeID int64, k GameKey, g Game) (stored bool, err error) {
	where := ` WHERE judge_id = ? AND prompt = ? AND question_id = ? AND model_1 = ? AND model_2 = ? AND turn = ?`
	keyArgs := []any{judgeID, k.Prompt, k.QuestionID, k.Model1, k.Model2, k.Turn}
	if _, err := tx.ExecContext(ctx, `INSERT INTO verdicts(judge_id, prompt, prompt_hash, question_id, model_1, model_2, turn, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'concord judge')
		ON CONFLICT(judge_id, prompt, question_id, model_1, model_2, turn) DO NOTHING`,
		judgeID, k.Prompt, k.PromptHash, k.QuestionID, k.Model1, k.Model2, k.Turn); err != nil {
		return false, err
	}
	var hash string
	var w [2]sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT prompt_hash, g1_winner, g2_winner FROM verdicts`+where, keyArgs...).
		Scan(&hash, &w[0], &w[1]); err != nil {
		return false, err
	}
	if hash != k.PromptHash {
		return false, ErrPromptChanged
	}
	mine, other := w[k.Game-1], w[2-k.Game]
	if mine.Valid && mine.String != "error" {
		return false, nil // finished already: keep the first result
	}
	combined := sql.NullString{}
	if other.Valid {
		g1, g2 := judgingGames(k.Game, g.Winner, other.String)
		w1, err := outcome.ParseGame(g1)
		if err != nil {
			return false, err
		}
		w2, err := outcome.ParseGame(g2)
		if err != nil {
			return false, err
		}
		combined = sql.NullString{String: outcome.Combine(w1, w2).Game(), Valid: true}
	}
	p := fmt.Sprintf("g%d_", k.Game)
	_, err = tx.ExecContext(ctx, `UPDATE verdicts SET `+p+`winner = ?, `+p+`judgment = ?, `+p+`user_prompt = ?, `+
		p+`tokens_in = ?, `+p+`tokens_out = ?, `+p+`latency_ms = ?, `+p+`error = ?, `+p+`at = ?, combined = ?`+where,
		append([]any{g.Winner, g.Judgment, g.UserPrompt, g.TokensIn, g.TokensOut, g.LatencyMS, judgingNullString(g.Error),
			s.Now().UTC().Format(time.RFC3339Nano), combined}, keyArgs...)...)
	return err == nil, err
}

// judgingGames orders a new game's winner and the other game's as (g1, g2).
func judgingGames(game int, mine, other string) (string, string) {
	if game == 1 {
		return mine, other
	}
	return other, mine
}

func judgingNullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
