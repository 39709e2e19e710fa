package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"concord/store/outcome"
)

type judgmentRec struct {
	QuestionID   keyField        `json:"question_id"`
	Model1       string          `json:"model_1"`
	Model2       string          `json:"model_2"`
	G1Winner     string          `json:"g1_winner"`
	G2Winner     string          `json:"g2_winner"`
	Judge        json.RawMessage `json:"judge"`
	G1UserPrompt string          `json:"g1_user_prompt"`
	G1Judgment   string          `json:"g1_judgment"`
	G2UserPrompt string          `json:"g2_user_prompt"`
	G2Judgment   string          `json:"g2_judgment"`
	Turn         *int            `json:"turn"`
	Winner       string          `json:"winner"`
}

func (im *importer) judgment(line int, raw []byte, source string) (result, error) {
	var r judgmentRec
	if err := decodeRecord(line, raw, &r); err != nil {
		return 0, err
	}
	if r.G1Winner == "" && r.G2Winner == "" && r.Winner != "" {
		return im.vote(line, raw, source) // a combined-only verdict in the HF label shape
	}
	key, err := r.QuestionID.get(line, "question_id")
	if err != nil {
		return 0, err
	}
	turn := 1
	if r.Turn != nil {
		turn = *r.Turn
	}
	judge, prompt, err := parseJudge(line, r.Judge)
	if err != nil {
		return 0, err
	}
	if judge == "" {
		return 0, fieldErr(line, "judge", "want [model, prompt name]")
	}
	g1w, err := outcome.ParseGame(r.G1Winner)
	if err != nil || g1w == outcome.Inconsistent {
		return 0, fieldErr(line, "g1_winner", "want model_1, model_2, tie or error, got %q", r.G1Winner)
	}
	g2w, err := outcome.ParseGame(r.G2Winner)
	if err != nil || g2w == outcome.Inconsistent {
		return 0, fieldErr(line, "g2_winner", "want model_1, model_2, tie or error, got %q", r.G2Winner)
	}
	qid, err := im.questionID(line, "question_id", key)
	if err != nil {
		return 0, err
	}
	if err := im.checkUnit(line, qid, r.Model1, r.Model2, turn, "model_1", "model_2"); err != nil {
		return 0, err
	}
	g1 := Game{Judgment: r.G1Judgment, UserPrompt: r.G1UserPrompt}
	g2 := Game{Judgment: r.G2Judgment, UserPrompt: r.G2UserPrompt}
	m1, m2, swapped := outcome.CanonicalPair(r.Model1, r.Model2)
	if swapped {
		// Canonical order: the game that showed the alphabetically first model first is g1.
		g1, g2 = g2, g1
		g1w, g2w = g2w.Swap(), g1w.Swap()
	}
	g1.Winner, g2.Winner = g1w.Game(), g2w.Game()
	v := Verdict{Judge: judge, JudgeModel: judge, Prompt: prompt, PromptHash: im.prompts[prompt], QuestionID: qid,
		Model1: m1, Model2: m2, Turn: turn, G1: &g1, G2: &g2, Combined: outcome.Combine(g1w, g2w).Game()}
	return im.putVerdict(line, v, source)
}

func (im *importer) putVerdict(line int, v Verdict, source string) (result, error) {
	jid, err := im.judgeID(v.Judge, v.JudgeModel)
	if err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	hash := contentHash(v.Combined, v.G1, v.G2)
	cur, err := im.verdictHash(jid, v)
	if err != nil {
		return 0, &recordError{Line: line, Err: err}
	}
	what := fmt.Sprintf("verdict of %s on question %s, %s vs %s, turn %d", v.Judge, im.keyOf(v.QuestionID), v.Model1, v.Model2, v.Turn)
	game := func(x *Game) (winner, judgment, prompt, at any) {
		if x == nil {
			return nil, nil, nil, nil
		}
		return x.Winner, x.Judgment, x.UserPrompt, im.now
	}
	w1, j1, p1, t1 := game(v.G1)
	w2, j2, p2, t2 := game(v.G2)
	var combined any
	if v.Combined != "" {
		combined = v.Combined
	}
	switch {
	case cur == "":
		_, err := im.exec(`INSERT INTO verdicts(judge_id, prompt, prompt_hash, question_id, model_1, model_2, turn, combined,
			g1_winner, g1_judgment, g1_user_prompt, g1_at, g2_winner, g2_judgment, g2_user_prompt, g2_at, source)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			jid, v.Prompt, v.PromptHash, v.QuestionID, v.Model1, v.Model2, v.Turn, combined, w1, j1, p1, t1, w2, j2, p2, t2, source)
		if err != nil {
			return 0, &recordError{Line: line, Err: fmt.Errorf("write %s: %w", what, err)}
		}
		return added, nil
	case cur == hash:
		return unchanged, nil
	case !im.replace:
		return 0, &recordError{Line: line, Err: fmt.Errorf("%s already exists with different content (use --replace to overwrite)", what)}
	}
	_, err = im.exec(`UPDATE verdicts SET combined = ?, g1_winner = ?, g1_judgment = ?, g1_user_prompt = ?, g1_at = ?,
		g2_winner = ?, g2_judgment = ?, g2_user_prompt = ?, g2_at = ?, prompt_hash = ?, source = ?
		WHERE judge_id = ? AND prompt = ? AND question_id = ? AND model_1 = ? AND model_2 = ? AND turn = ?`,
		combined, w1, j1, p1, t1, w2, j2, p2, t2, v.PromptHash, source, jid, v.Prompt, v.QuestionID, v.Model1, v.Model2, v.Turn)
	if err != nil {
		return 0, &recordError{Line: line, Err: fmt.Errorf("replace %s: %w", what, err)}
	}
	return replaced, nil
}

// verdictHash is the content hash of a stored verdict, or "" if there is none.
func (im *importer) verdictHash(jid int64, v Verdict) (string, error) {
	var combined sql.NullString
	var w [2]sql.NullString
	var j [2]sql.NullString
	var p [2]sql.NullString
	err := im.queryRow(`SELECT combined, g1_winner, g1_judgment, g1_user_prompt, g2_winner, g2_judgment, g2_user_prompt
		FROM verdicts WHERE judge_id = ? AND prompt = ? AND question_id = ? AND model_1 = ? AND model_2 = ? AND turn = ?`,
		jid, v.Prompt, v.QuestionID, v.Model1, v.Model2, v.Turn).Scan(&combined, &w[0], &j[0], &p[0], &w[1], &j[1], &p[1])
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var g [2]*Game
	for i := range g {
		if w[i].Valid {
			g[i] = &Game{Winner: w[i].String, Judgment: j[i].String, UserPrompt: p[i].String}
		}
	}
	return contentHash(combined.String, g[0], g[1]), nil
}
