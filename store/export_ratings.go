package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// exportRating is FastChat's model_judgment/*_single.jsonl record, which
// FastChat's show_result.py reads, plus the error text of a rating that is
// an error (written, as FastChat does, with the score -1).
type exportRating struct {
	QuestionID int      `json:"question_id"`
	Model      string   `json:"model"`
	Judge      []string `json:"judge"`
	UserPrompt string   `json:"user_prompt"`
	Judgment   string   `json:"judgment"`
	Score      float64  `json:"score"`
	Turn       int      `json:"turn"`
	Tstamp     float64  `json:"tstamp"`
	Error      string   `json:"error,omitempty"`
}

// Rating export formats.
const (
	RatingFormatSingle = "single"
	RatingFormatCSV    = "csv"
)

// ExportRatings writes a judge's ratings ("" for every judge) in FastChat's
// single format (RatingFormatSingle: one JSON record per line, errors with
// score -1, which show_result.py leaves out) or as CSV (RatingFormatCSV: one
// row per rating, the score empty for an error), ordered by judge, model,
// question and turn.
func (s *Store) ExportRatings(ctx context.Context, w io.Writer, judge, format string) error {
	if format != RatingFormatSingle && format != RatingFormatCSV {
		return fmt.Errorf("export ratings: unknown format %q (want single or csv)", format)
	}
	rs, err := s.Ratings(ctx, judge)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if format == RatingFormatCSV {
		err = writeRatingsCSV(bw, rs)
	} else {
		err = writeRatingsSingle(bw, rs)
	}
	if err != nil {
		return fmt.Errorf("export ratings: %w", err)
	}
	return bw.Flush()
}

func writeRatingsSingle(w io.Writer, rs []Rating) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, r := range rs {
		e := exportRating{QuestionID: r.QuestionID, Model: r.Model, Judge: []string{r.Judge, r.Prompt}, UserPrompt: r.UserPrompt,
			Judgment: r.Judgment, Score: r.Score, Turn: r.Turn, Tstamp: float64(r.CreatedAt.UnixNano()) / 1e9, Error: r.Error}
		if r.IsError() {
			e.Score = fastChatScoreError
		}
		buf.Reset()
		if err := enc.Encode(e); err != nil {
			return err
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func writeRatingsCSV(w io.Writer, rs []Rating) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"judge", "prompt", "question_id", "model", "turn", "score", "error", "tokens_in", "tokens_out", "latency_ms", "created_at"}); err != nil {
		return err
	}
	num := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	for _, r := range rs {
		score := ""
		if !r.IsError() {
			score = strconv.FormatFloat(r.Score, 'f', -1, 64)
		}
		if err := cw.Write([]string{r.Judge, r.Prompt, strconv.Itoa(r.QuestionID), r.Model, strconv.Itoa(r.Turn), score, r.Error,
			num(int64(r.TokensIn)), num(int64(r.TokensOut)), num(r.LatencyMS), r.CreatedAt.UTC().Format(time.RFC3339Nano)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// exportJudgeBundle writes a judge's files into a bundle's model_judgment
// folder: <judge>_pair.jsonl with its verdicts and <judge>_single.jsonl
// with its ratings, each only when the judge has some (an empty file would
// not import).
func (s *Store) exportJudgeBundle(ctx context.Context, dir, judge string) error {
	var verdicts, ratings int
	if err := s.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM verdicts v JOIN judges j ON j.id = v.judge_id WHERE j.name = ?),
		(SELECT count(*) FROM ratings r JOIN judges j ON j.id = r.judge_id WHERE j.name = ?)`, judge, judge).Scan(&verdicts, &ratings); err != nil {
		return fmt.Errorf("export bundle: %w", err)
	}
	write := func(name string, fn func(io.Writer) error) error {
		f, err := os.Create(filepath.Join(dir, "model_judgment", name))
		if err != nil {
			return fmt.Errorf("export bundle: %w", err)
		}
		err = fn(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	if verdicts > 0 {
		if err := write(judge+"_pair.jsonl", func(w io.Writer) error { return s.ExportVerdicts(ctx, w, judge) }); err != nil {
			return err
		}
	}
	if ratings > 0 {
		return write(judge+"_single.jsonl", func(w io.Writer) error { return s.ExportRatings(ctx, w, judge, RatingFormatSingle) })
	}
	return nil
}
