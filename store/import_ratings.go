package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// fastChatScoreError is the score FastChat's single-answer files hold when
// the judge's rating could not be read.
const fastChatScoreError = -1

// errFastChatScore is the error text of a rating imported with FastChat's -1.
const errFastChatScore = "FastChat score -1: the judge's reply held no rating FastChat could read"

// ratingRec is FastChat's model_judgment/*_single.jsonl record, with the
// error text Concord's export adds to its -1 rows.
type ratingRec struct {
	QuestionID keyField        `json:"question_id"`
	Model      string          `json:"model"`
	Judge      json.RawMessage `json:"judge"`
	UserPrompt string          `json:"user_prompt"`
	Judgment   string          `json:"judgment"`
	Score      *float64        `json:"score"`
	Turn       *int            `json:"turn"`
	Tstamp     *float64        `json:"tstamp"`
	Error      string          `json:"error"`
}

// rating imports one single-answer rating. The judge ["gpt-4", "single-v1"]
// becomes the judge gpt-4, the same judge as its pairwise verdicts, with the
// prompt name kept on the rating; a score of -1 becomes an error.
func (im *importer) rating(line int, raw []byte, source string) (result, error) {
	var r ratingRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	key, err := r.QuestionID.get(line, "question_id")
	if err != nil {
		return 0, err
	}
	qid, err := im.questionID(line, "question_id", key)
	if err != nil {
		return 0, err
	}
	if r.Model == "" {
		return 0, fieldErr(line, "model", "missing")
	}
	if _, err := im.modelID(r.Model, false); err != nil {
		return 0, fieldErr(line, "model", "%v", err)
	}
	judge, prompt, err := parseJudge(line, r.Judge)
	if err != nil {
		return 0, err
	}
	if judge == "" {
		return 0, fieldErr(line, "judge", "want [model, prompt name]")
	}
	turn := 1
	if r.Turn != nil {
		turn = *r.Turn
	}
	if n := im.questions[qid]; turn < 1 || turn > n {
		return 0, fieldErr(line, "turn", "question %s has %d turn(s), got turn %d", key, n, turn)
	}
	rt := Rating{Judge: judge, JudgeModel: judge, Prompt: prompt, PromptHash: im.prompts[prompt], QuestionID: qid,
		Model: r.Model, Turn: turn, Judgment: r.Judgment, UserPrompt: r.UserPrompt}
	switch {
	case r.Score == nil:
		return 0, fieldErr(line, "score", "missing")
	case *r.Score == fastChatScoreError:
		rt.Error = r.Error
		if rt.Error == "" {
			rt.Error = errFastChatScore
		}
	case *r.Score < MinScore || *r.Score > MaxScore:
		return 0, fieldErr(line, "score", "want a rating from 1 to 10, or -1 for one that could not be read; got %v", *r.Score)
	default:
		rt.Score = *r.Score
	}
	at := im.now
	if r.Tstamp != nil {
		if *r.Tstamp < 0 || math.IsInf(*r.Tstamp, 0) || *r.Tstamp > 1e11 {
			return 0, fieldErr(line, "tstamp", "want seconds since 1970, got %v", *r.Tstamp)
		}
		sec, frac := math.Modf(*r.Tstamp)
		at = time.Unix(int64(sec), int64(frac*1e9)).UTC().Format(time.RFC3339Nano)
	}
	return im.putRating(line, rt, at, source)
}

// ratingHash is what makes two imports of a rating the same: its prompt,
// outcome and texts, not its time or source.
func ratingHash(prompt string, score sql.NullFloat64, errText sql.NullString, judgment, userPrompt string) string {
	var s any
	if score.Valid {
		s = score.Float64
	}
	return contentHash(prompt, s, errText.String, judgment, userPrompt)
}

func (im *importer) putRating(line int, r Rating, at, source string) (result, error) {
	jid, err := im.judgeID(r.Judge, r.JudgeModel)
	if err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	score, errText := ratingValues(r)
	hash := ratingHash(r.Prompt, sql.NullFloat64{Float64: r.Score, Valid: r.Error == ""},
		sql.NullString{String: r.Error, Valid: r.Error != ""}, r.Judgment, r.UserPrompt)
	what := fmt.Sprintf("rating of %s on question %s, %s, turn %d", r.Judge, im.keyOf(r.QuestionID), r.Model, r.Turn)
	var prompt, judgment, userPrompt string
	var oldScore sql.NullFloat64
	var oldErr sql.NullString
	err = im.queryRow(`SELECT prompt, score, error, judgment, user_prompt FROM ratings
		WHERE judge_id = ? AND question_id = ? AND model = ? AND turn = ?`, jid, r.QuestionID, r.Model, r.Turn).
		Scan(&prompt, &oldScore, &oldErr, &judgment, &userPrompt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := im.exec(`INSERT INTO ratings(judge_id, prompt, prompt_hash, question_id, model, turn, score, error,
			judgment, user_prompt, created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			jid, r.Prompt, r.PromptHash, r.QuestionID, r.Model, r.Turn, score, errText, r.Judgment, r.UserPrompt, at, source); err != nil {
			return 0, &recordError{Line: line, Err: fmt.Errorf("write %s: %w", what, err)}
		}
		return added, nil
	case err != nil:
		return 0, &recordError{Line: line, Err: err}
	case ratingHash(prompt, oldScore, oldErr, judgment, userPrompt) == hash:
		return unchanged, nil
	case !im.replace:
		return 0, &recordError{Line: line, Err: fmt.Errorf("%s already exists with different content (use --replace to overwrite)", what)}
	}
	if _, err := im.exec(`UPDATE ratings SET prompt = ?, prompt_hash = ?, score = ?, error = ?, judgment = ?, user_prompt = ?,
		tokens_in = NULL, tokens_out = NULL, latency_ms = NULL, created_at = ?, source = ?
		WHERE judge_id = ? AND question_id = ? AND model = ? AND turn = ?`,
		r.Prompt, r.PromptHash, score, errText, r.Judgment, r.UserPrompt, at, source, jid, r.QuestionID, r.Model, r.Turn); err != nil {
		return 0, &recordError{Line: line, Err: fmt.Errorf("replace %s: %w", what, err)}
	}
	return replaced, nil
}
