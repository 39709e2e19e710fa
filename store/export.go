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
	"sort"
	"strconv"
	"time"

	"concord/store/outcome"
)

// exportVote is a human vote in the Hugging Face mt_bench_human_judgments
// shape, which FastChat's compute_agreement.py reads, plus Concord's fields.
type exportVote struct {
	QuestionID QuestionKey `json:"question_id"`
	ModelA     string      `json:"model_a"`
	ModelB     string      `json:"model_b"`
	Winner     string      `json:"winner"`
	Judge      string      `json:"judge"`
	ConvA      []message   `json:"conversation_a,omitempty"`
	ConvB      []message   `json:"conversation_b,omitempty"`
	Turn       int         `json:"turn"`
	VoteID     string      `json:"vote_id"`
	Group      string      `json:"group"`
	Category   string      `json:"category,omitempty"`
	Left       string      `json:"left_model,omitempty"`
	TimeMS     int64       `json:"time_ms,omitempty"`
	Rationale  string      `json:"rationale,omitempty"`
	CreatedAt  string      `json:"created_at"`
}

// hfWinner maps a stored vote winner to the HF label; "both bad" is
// Chatbot Arena's "tie (bothbad)", which compute_agreement.py reads as a tie.
func hfWinner(w string) string {
	if won, err := outcome.ParseVote(w); err == nil {
		return won.HFVote()
	}
	return w
}

// ExportVotes writes the current human votes of a group ("" for all) as JSONL
// with conversations, or as the label-only CSV (format "csv").
func (s *Store) ExportVotes(ctx context.Context, w io.Writer, format, group string) error {
	votes, err := s.Votes(ctx, group)
	if err != nil {
		return err
	}
	keys, err := s.questionKeys(ctx)
	if err != nil {
		return err
	}
	// Units in order, so that two databases with the same votes export the
	// same file whatever order the votes arrived in.
	sort.SliceStable(votes, func(i, j int) bool {
		a, b := votes[i], votes[j]
		if a.QuestionID != b.QuestionID {
			return a.QuestionID < b.QuestionID
		}
		if a.ModelA != b.ModelA {
			return a.ModelA < b.ModelA
		}
		if a.ModelB != b.ModelB {
			return a.ModelB < b.ModelB
		}
		if a.Turn != b.Turn {
			return a.Turn < b.Turn
		}
		if a.Annotator != b.Annotator {
			return a.Annotator < b.Annotator
		}
		return a.UID < b.UID
	})
	bw := bufio.NewWriter(w)
	switch format {
	case "csv":
		cw := csv.NewWriter(bw)
		cw.Write([]string{"question_id", "model_a", "model_b", "winner", "judge", "turn"})
		for _, v := range votes {
			cw.Write([]string{keyOrID(keys, v.QuestionID), v.ModelA, v.ModelB, hfWinner(v.Winner), v.Annotator, strconv.Itoa(v.Turn)})
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("export votes: %w", err)
		}
	case "jsonl", "json", "":
		qs, err := s.Questions(ctx)
		if err != nil {
			return err
		}
		answers, err := s.Answers(ctx)
		if err != nil {
			return err
		}
		questions := map[int]Question{}
		for _, q := range qs {
			questions[q.ID] = q
		}
		byKey := map[string][]string{}
		for _, a := range answers {
			byKey[fmt.Sprint(a.QuestionID, "\x00", a.Model)] = a.Turns
		}
		records := newRecordWriter(bw, format == "json")
		for _, v := range votes {
			q := questions[v.QuestionID]
			e := exportVote{QuestionID: QuestionKey(keyOrID(keys, v.QuestionID)), ModelA: v.ModelA, ModelB: v.ModelB, Winner: hfWinner(v.Winner),
				Judge: v.Annotator, Turn: v.Turn, VoteID: v.UID, Group: v.Group, Category: q.Category, Left: v.Left,
				TimeMS: v.TimeMS, Rationale: v.Rationale, CreatedAt: v.CreatedAt.UTC().Format(time.RFC3339Nano),
				ConvA: conversation(q.Turns, byKey[fmt.Sprint(v.QuestionID, "\x00", v.ModelA)], v.Turn),
				ConvB: conversation(q.Turns, byKey[fmt.Sprint(v.QuestionID, "\x00", v.ModelB)], v.Turn)}
			if err := records.write(e); err != nil {
				return fmt.Errorf("export votes: %w", err)
			}
		}
		if err := records.close(); err != nil {
			return fmt.Errorf("export votes: %w", err)
		}
	default:
		return fmt.Errorf("export votes: unknown format %q (want jsonl, json or csv)", format)
	}
	return bw.Flush()
}

// recordWriter writes JSON records one per line (JSONL) or, for tools that
// read a whole file with json.load such as FastChat's compute_agreement.py,
// as one JSON array with a record per line.
type recordWriter struct {
	w     io.Writer
	array bool
	n     int
}

func newRecordWriter(w io.Writer, array bool) *recordWriter { return &recordWriter{w: w, array: array} }

func (r *recordWriter) write(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	sep := ""
	if r.array {
		sep = ",\n"
		if r.n == 0 {
			sep = "[\n"
		}
	}
	r.n++
	if _, err := io.WriteString(r.w, sep); err != nil {
		return err
	}
	if !r.array {
		b = buf.Bytes() // keep the newline
	}
	_, err := r.w.Write(b)
	return err
}

func (r *recordWriter) close() error {
	if !r.array {
		return nil
	}
	end := "\n]\n"
	if r.n == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(r.w, end)
	return err
}

// conversation interleaves questions and answers up to turn.
func conversation(questions, answers []string, turn int) []message {
	var out []message
	for i := 0; i < turn && i < len(questions) && i < len(answers); i++ {
		out = append(out, message{Role: "user", Content: questions[i]}, message{Role: "assistant", Content: answers[i]})
	}
	return out
}

// exportVerdict is FastChat's model_judgment/*_pair.jsonl record.
type exportVerdict struct {
	QuestionID   QuestionKey `json:"question_id"`
	Model1       string      `json:"model_1"`
	Model2       string      `json:"model_2"`
	G1Winner     string      `json:"g1_winner,omitempty"`
	G2Winner     string      `json:"g2_winner,omitempty"`
	Judge        []string    `json:"judge"`
	G1UserPrompt string      `json:"g1_user_prompt,omitempty"`
	G1Judgment   string      `json:"g1_judgment,omitempty"`
	G2UserPrompt string      `json:"g2_user_prompt,omitempty"`
	G2Judgment   string      `json:"g2_judgment,omitempty"`
	Turn         int         `json:"turn"`
	// Winner carries a combined-only verdict (no per-order games) in the HF
	// label terms: model_a = model_1, model_b = model_2.
	Winner string `json:"winner,omitempty"`
	ModelA string `json:"model_a,omitempty"`
	ModelB string `json:"model_b,omitempty"`
}

// ExportVerdicts writes a judge's verdicts ("" for all judges) in FastChat's
// pair format: g1 shows model_1 first, winners are in model terms. Verdicts
// that only have a combined winner are written with "winner" instead.
func (s *Store) ExportVerdicts(ctx context.Context, w io.Writer, judge string) error {
	vs, err := s.Verdicts(ctx, judge)
	if err != nil {
		return err
	}
	keys, err := s.questionKeys(ctx)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, v := range vs {
		e := exportVerdict{QuestionID: QuestionKey(keyOrID(keys, v.QuestionID)), Model1: v.Model1, Model2: v.Model2, Judge: []string{v.Judge, v.Prompt}, Turn: v.Turn}
		if v.G1 != nil && v.G2 != nil {
			e.G1Winner, e.G1Judgment, e.G1UserPrompt = v.G1.Winner, v.G1.Judgment, v.G1.UserPrompt
			e.G2Winner, e.G2Judgment, e.G2UserPrompt = v.G2.Winner, v.G2.Judgment, v.G2.UserPrompt
		} else if v.Combined != "" {
			e.ModelA, e.ModelB = v.Model1, v.Model2
			if w, err := outcome.ParseGame(v.Combined); err == nil {
				e.Winner = w.HFVerdict()
			}
		} else {
			continue // a judge run still waiting for a game
		}
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("export verdicts: %w", err)
		}
	}
	return bw.Flush()
}

// hfVerdict is a combined judge verdict in the Hugging Face
// mt_bench_human_judgments gpt4_pair shape.
type hfVerdict struct {
	QuestionID QuestionKey `json:"question_id"`
	ModelA     string      `json:"model_a"`
	ModelB     string      `json:"model_b"`
	Winner     string      `json:"winner"`
	Judge      []string    `json:"judge"`
	Turn       int         `json:"turn"`
}

// unknownPairPrompt stands for the prompt of a verdict imported without one
// (the HF label-only split): FastChat's compute_agreement.py recognises a
// pairwise judge by a prompt name starting with "pair".
const unknownPairPrompt = "pair"

// ExportVerdictsHF writes a judge's combined verdicts ("" for all judges) as
// a JSON array in the Hugging Face gpt4_pair shape that FastChat's
// compute_agreement.py reads: winner model_a, model_b, tie or
// "tie (inconsistent)". Verdicts that are errors or still missing a game are
// left out, as they are from agreement.
func (s *Store) ExportVerdictsHF(ctx context.Context, w io.Writer, judge string) error {
	vs, err := s.Verdicts(ctx, judge)
	if err != nil {
		return err
	}
	keys, err := s.questionKeys(ctx)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	records := newRecordWriter(bw, true)
	for _, v := range vs {
		w, err := outcome.ParseGame(v.Combined)
		if err != nil || w == outcome.Error {
			continue
		}
		winner := w.HFVerdict()
		prompt := v.Prompt
		if prompt == "" {
			prompt = unknownPairPrompt
		}
		if err := records.write(hfVerdict{QuestionID: QuestionKey(keyOrID(keys, v.QuestionID)), ModelA: v.Model1, ModelB: v.Model2, Winner: winner,
			Judge: []string{v.Judge, prompt}, Turn: v.Turn}); err != nil {
			return fmt.Errorf("export verdicts: %w", err)
		}
	}
	if err := records.close(); err != nil {
		return fmt.Errorf("export verdicts: %w", err)
	}
	return bw.Flush()
}

// ExportBundle writes everything in FastChat's layout under dir: importing the
// folder into an empty database gives back the same data.
func (s *Store) ExportBundle(ctx context.Context, dir string) error {
	for _, d := range []string{"model_answer", "reference_answer", "model_judgment"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return fmt.Errorf("export bundle: %w", err)
		}
	}
	writeFile := func(name string, fill func(*json.Encoder) error) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("export bundle: %w", err)
		}
		bw := bufio.NewWriter(f)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		if err := fill(enc); err != nil {
			f.Close()
			return fmt.Errorf("export bundle %s: %w", name, err)
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	qs, err := s.Questions(ctx)
	if err != nil {
		return err
	}
	if err := writeFile("question.jsonl", func(enc *json.Encoder) error {
		for _, q := range qs {
			if err := enc.Encode(questionRecOut{QuestionKey(q.Key), q.Category, q.Turns, q.Reference}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	keys := make(map[int]string, len(qs))
	for _, q := range qs {
		keys[q.ID] = q.Key
	}
	// Answers and reference answers: one file per model in FastChat's layout.
	type modelTurns struct {
		qid   int
		turns []string
	}
	writeByModel := func(sub string, byModel map[string][]modelTurns) error {
		for m, rows := range byModel {
			if err := writeFile(filepath.Join(sub, m+".jsonl"), func(enc *json.Encoder) error {
				for _, r := range rows {
					if err := enc.Encode(answerRecOut{QuestionKey(keyOrID(keys, r.qid)), m, []choiceOut{{0, r.turns}}}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	}
	answers, err := s.Answers(ctx)
	if err != nil {
		return err
	}
	byModel := map[string][]modelTurns{}
	for _, a := range answers {
		byModel[a.Model] = append(byModel[a.Model], modelTurns{a.QuestionID, a.Turns})
	}
	if err := writeByModel("model_answer", byModel); err != nil {
		return err
	}
	refs, err := s.References(ctx)
	if err != nil {
		return err
	}
	byRef := map[string][]modelTurns{}
	for _, r := range refs {
		byRef[r.Model] = append(byRef[r.Model], modelTurns{r.QuestionID, r.Turns})
	}
	if err := writeByModel("reference_answer", byRef); err != nil {
		return err
	}
	prompts, err := s.Prompts(ctx)
	if err != nil {
		return err
	}
	if len(prompts) > 0 {
		if err := writeFile("judge_prompts.jsonl", func(enc *json.Encoder) error {
			for _, p := range prompts {
				if err := enc.Encode(p); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	judges, err := s.Judges(ctx)
	if err != nil {
		return err
	}
	for _, j := range judges {
		if err := s.exportJudgeBundle(ctx, dir, j); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(dir, "human_judgments.jsonl"))
	if err != nil {
		return fmt.Errorf("export bundle: %w", err)
	}
	err = s.ExportVotes(ctx, f, "jsonl", "")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

type questionRecOut struct {
	QuestionID QuestionKey `json:"question_id"`
	Category   string      `json:"category"`
	Turns      []string    `json:"turns"`
	Reference  []string    `json:"reference,omitempty"`
}

type choiceOut struct {
	Index int      `json:"index"`
	Turns []string `json:"turns"`
}

type answerRecOut struct {
	QuestionID QuestionKey `json:"question_id"`
	ModelID    string      `json:"model_id"`
	Choices    []choiceOut `json:"choices"`
}
