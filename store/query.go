package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Question is one benchmark question with one prompt per turn.
type Question struct {
	ID int `json:"question_id"`
	// Key is the question's id as its file spelled it (MT-Bench's "81",
	// "writing_1", a hex uid): what the user sees and types.
	Key       string   `json:"question_key"`
	Category  string   `json:"category"`
	Turns     []string `json:"turns"`
	Reference []string `json:"reference,omitempty"`
	Source    string   `json:"source,omitempty"`
}

// Answer is one model's answers to every turn of a question.
type Answer struct {
	QuestionID int      `json:"question_id"`
	Model      string   `json:"model"`
	Turns      []string `json:"turns"`
}

// Reference is a reference answer (for math, reasoning and coding) by a named model.
type Reference struct {
	QuestionID int      `json:"question_id"`
	Model      string   `json:"model"`
	Turns      []string `json:"turns"`
}

// Prompt is a judge prompt in FastChat's judge_prompts.jsonl shape.
type Prompt struct {
	Name           string `json:"name"`
	Type           string `json:"type"`
	SystemPrompt   string `json:"system_prompt"`
	PromptTemplate string `json:"prompt_template"`
	Description    string `json:"description"`
	Category       string `json:"category"`
	OutputFormat   string `json:"output_format"`
	Hash           string `json:"-"`
}

// Vote is a current human vote (not withdrawn and not a skip). ModelA sorts
// before ModelB and Winner is in those terms: "model_a", "model_b", "tie" or
// "both_bad" (a tie for agreement purposes).
type Vote struct {
	ID         int64     `json:"id"`
	UID        string    `json:"vote_id"`
	Annotator  string    `json:"annotator"`
	Group      string    `json:"group"`
	QuestionID int       `json:"question_id"`
	ModelA     string    `json:"model_a"`
	ModelB     string    `json:"model_b"`
	Turn       int       `json:"turn"`
	Winner     string    `json:"winner"`
	Left       string    `json:"left_model,omitempty"` // model shown on the left; "" when unknown
	StudyID    int64     `json:"study_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	TimeMS     int64     `json:"time_ms,omitempty"` // focused time on task; 0 when unknown
	Rationale  string    `json:"rationale,omitempty"`
	Source     string    `json:"source,omitempty"`
}

// Game is one presentation order of a judge verdict. Winner is in model terms:
// "model_1", "model_2", "tie" or "error".
type Game struct {
	Winner     string `json:"winner"`
	Judgment   string `json:"judgment"`
	UserPrompt string `json:"user_prompt,omitempty"`
	TokensIn   int    `json:"tokens_in,omitempty"`
	TokensOut  int    `json:"tokens_out,omitempty"`
	LatencyMS  int64  `json:"latency_ms,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Verdict is one judge's verdict on one unit (question, Model1 < Model2, turn).
// G1 shows Model1 first (as "A"), G2 shows Model2 first; either is nil when
// that game is absent. Combined is "model_1", "model_2", "tie",
// "inconsistent" or "error".
type Verdict struct {
	ID         int64  `json:"id"`
	Judge      string `json:"judge"`
	JudgeModel string `json:"judge_model"`
	Prompt     string `json:"prompt"`
	PromptHash string `json:"prompt_hash,omitempty"`
	QuestionID int    `json:"question_id"`
	// QuestionKey is the question's key as the user knows it (read, not written).
	QuestionKey string `json:"question_key,omitempty"`
	Model1      string `json:"model_1"`
	Model2      string `json:"model_2"`
	Turn        int    `json:"turn"`
	G1          *Game  `json:"g1,omitempty"`
	G2          *Game  `json:"g2,omitempty"`
	Combined    string `json:"combined"`
}

// Questions returns every question ordered by id.
func (s *Store) Questions(ctx context.Context) ([]Question, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT question_id, key, category, turns, reference, source FROM questions ORDER BY question_id`)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	defer rows.Close()
	var out []Question
	for rows.Next() {
		var q Question
		var turns string
		var ref sql.NullString
		if err := rows.Scan(&q.ID, &q.Key, &q.Category, &turns, &ref, &q.Source); err != nil {
			return nil, fmt.Errorf("questions: %w", err)
		}
		if err := json.Unmarshal([]byte(turns), &q.Turns); err != nil {
			return nil, fmt.Errorf("questions: question %s turns: %w", q.Key, err)
		}
		if ref.Valid && ref.String != "" {
			_ = json.Unmarshal([]byte(ref.String), &q.Reference)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// Answers returns every model answer ordered by question and model.
func (s *Store) Answers(ctx context.Context) ([]Answer, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT a.question_id, m.name, a.turns FROM answers a JOIN models m ON m.id = a.model_id ORDER BY a.question_id, m.name`)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	defer rows.Close()
	var out []Answer
	for rows.Next() {
		var a Answer
		var turns string
		if err := rows.Scan(&a.QuestionID, &a.Model, &turns); err != nil {
			return nil, fmt.Errorf("answers: %w", err)
		}
		if err := json.Unmarshal([]byte(turns), &a.Turns); err != nil {
			return nil, fmt.Errorf("answers: question %d model %s: %w", a.QuestionID, a.Model, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// References returns every reference answer.
func (s *Store) References(ctx context.Context) ([]Reference, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT question_id, model, turns FROM reference_answers ORDER BY question_id, model`)
	if err != nil {
		return nil, fmt.Errorf("references: %w", err)
	}
	defer rows.Close()
	var out []Reference
	for rows.Next() {
		var r Reference
		var turns string
		if err := rows.Scan(&r.QuestionID, &r.Model, &turns); err != nil {
			return nil, fmt.Errorf("references: %w", err)
		}
		if err := json.Unmarshal([]byte(turns), &r.Turns); err != nil {
			return nil, fmt.Errorf("references: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Prompts returns every imported judge prompt.
func (s *Store) Prompts(ctx context.Context) ([]Prompt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name, type, system_prompt, prompt_template, description, category, output_format, hash FROM prompts ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("prompts: %w", err)
	}
	defer rows.Close()
	var out []Prompt
	for rows.Next() {
		var p Prompt
		if err := rows.Scan(&p.Name, &p.Type, &p.SystemPrompt, &p.PromptTemplate, &p.Description, &p.Category, &p.OutputFormat, &p.Hash); err != nil {
			return nil, fmt.Errorf("prompts: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// voteSelect reads votes with their annotators; scanVotes reads its rows.
const voteSelect = `SELECT v.id, v.uid, a.name, a.grp, v.question_id, v.model_a, v.model_b, v.turn, v.winner,
	coalesce(v.left_model, ''), coalesce(v.study_id, 0), v.created_at, v.time_ms, v.rationale, v.source
	FROM votes v JOIN annotators a ON a.id = v.annotator_id`

func scanVotes(rows *sql.Rows) ([]Vote, error) {
	defer rows.Close()
	out := []Vote{}
	for rows.Next() {
		var v Vote
		var created string
		if err := rows.Scan(&v.ID, &v.UID, &v.Annotator, &v.Group, &v.QuestionID, &v.ModelA, &v.ModelB, &v.Turn, &v.Winner,
			&v.Left, &v.StudyID, &created, &v.TimeMS, &v.Rationale, &v.Source); err != nil {
			return nil, err
		}
		v.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Votes returns the current human votes (not withdrawn, not skips) of an
// annotator group ("" for all), oldest first.
func (s *Store) Votes(ctx context.Context, group string) ([]Vote, error) {
	rows, err := s.read.QueryContext(ctx, voteSelect+`
		WHERE v.withdrawn_at IS NULL AND v.winner != 'skip' AND (? = '' OR a.grp = ?)
		ORDER BY v.id`, group, group)
	if err != nil {
		return nil, fmt.Errorf("votes: %w", err)
	}
	out, err := scanVotes(rows)
	if err != nil {
		return nil, fmt.Errorf("votes: %w", err)
	}
	return out, nil
}

// Judges returns the names of judges that have verdicts or configurations.
func (s *Store) Judges(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name FROM judges ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("judges: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// verdictSelect reads verdicts with their judges; scanVerdicts reads its rows.
const verdictSelect = `SELECT v.id, j.name, j.model, v.prompt, v.prompt_hash, v.question_id, v.model_1, v.model_2, v.turn, coalesce(v.combined, ''),
	v.g1_winner, v.g1_judgment, v.g1_user_prompt, v.g1_tokens_in, v.g1_tokens_out, v.g1_latency_ms, v.g1_error,
	v.g2_winner, v.g2_judgment, v.g2_user_prompt, v.g2_tokens_in, v.g2_tokens_out, v.g2_latency_ms, v.g2_error,
	coalesce(q.key, CAST(v.question_id AS TEXT))
	FROM verdicts v JOIN judges j ON j.id = v.judge_id LEFT JOIN questions q ON q.question_id = v.question_id`

func scanVerdicts(rows *sql.Rows) ([]Verdict, error) {
	defer rows.Close()
	out := []Verdict{}
	for rows.Next() {
		var v Verdict
		var g [2]struct {
			winner, judgment, prompt, errText sql.NullString
			in, outTok, lat                   sql.NullInt64
		}
		if err := rows.Scan(&v.ID, &v.Judge, &v.JudgeModel, &v.Prompt, &v.PromptHash, &v.QuestionID, &v.Model1, &v.Model2, &v.Turn, &v.Combined,
			&g[0].winner, &g[0].judgment, &g[0].prompt, &g[0].in, &g[0].outTok, &g[0].lat, &g[0].errText,
			&g[1].winner, &g[1].judgment, &g[1].prompt, &g[1].in, &g[1].outTok, &g[1].lat, &g[1].errText, &v.QuestionKey); err != nil {
			return nil, err
		}
		for i := range g {
			if !g[i].winner.Valid {
				continue
			}
			game := &Game{Winner: g[i].winner.String, Judgment: g[i].judgment.String, UserPrompt: g[i].prompt.String,
				TokensIn: int(g[i].in.Int64), TokensOut: int(g[i].outTok.Int64), LatencyMS: g[i].lat.Int64, Error: g[i].errText.String}
			if i == 0 {
				v.G1 = game
			} else {
				v.G2 = game
			}
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Verdicts returns the verdicts of a judge ("" for every judge).
func (s *Store) Verdicts(ctx context.Context, judge string) ([]Verdict, error) {
	rows, err := s.read.QueryContext(ctx, verdictSelect+`
		WHERE (? = '' OR j.name = ?)
		ORDER BY j.name, v.question_id, v.model_1, v.model_2, v.turn, v.prompt`, judge, judge)
	if err != nil {
		return nil, fmt.Errorf("verdicts: %w", err)
	}
	out, err := scanVerdicts(rows)
	if err != nil {
		return nil, fmt.Errorf("verdicts: %w", err)
	}
	return out, nil
}
