package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for every importer's record decoder. Each runs one record
// (or, for CSV votes and the readers, one small file) through the importer
// on a store holding testdata/mini, in a transaction that is rolled back,
// and checks what holds for any input: no panic, an error names the record's
// line (file:line:field), and a record that was added reads as unchanged
// when applied again. The seed corpora are in testdata/fuzz/<FuzzName>/ and
// run with every `go test`; build/fuzz.sh (make fuzz) explores beyond them.

// fuzzEnv is a store with MT-Bench-shaped data to refer to: questions 1
// and 2 (two turns each), models alpha and beta, judge-x's verdicts.
type fuzzEnv struct {
	s   *Store
	ctx context.Context
}

var errRollback = errors.New("rolled back")

func newFuzzEnv(f *testing.F) *fuzzEnv {
	f.Helper()
	s, err := Open(filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if _, err := s.Import(ctx, []string{filepath.Join("testdata", "mini")}, ImportOptions{}); err != nil {
		f.Fatal(err)
	}
	return &fuzzEnv{s: s, ctx: ctx}
}

// apply runs records through a fresh importer whose votes are written as
// an import writes them, then rolls everything back.
func (e *fuzzEnv) apply(t *testing.T, run func(im *importer, votes *voteWriter) error) {
	t.Helper()
	err := e.s.writeBulk(e.ctx, func(tx *sql.Tx) error {
		im, err := newImporter(e.ctx, tx, time.Unix(1_700_000_000, 0), false)
		if err != nil {
			return err
		}
		defer im.close()
		if err := im.queryRow(`SELECT coalesce(max(id), 0) FROM votes`).Scan(&im.fileStart); err != nil {
			return err
		}
		votes := im.startVoteWriter()
		defer votes.finish()
		if err := run(im, votes); err != nil {
			return err
		}
		return errRollback
	})
	if err != nil && !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// flush writes the votes a record left pending and returns the writer's error.
func (im *importer) flush(votes *voteWriter) error {
	err := votes.send(im.pending)
	im.pending = nil
	if err != nil {
		return err
	}
	return votes.finish()
}

// checkRecordErr fails unless err names the record's line.
func checkRecordErr(t *testing.T, what string, line int, raw []byte, err error) {
	t.Helper()
	var re *recordError
	if !errors.As(err, &re) {
		t.Fatalf("%s(%q): error %v names no line", what, raw, err)
	}
	if re.Line != line {
		t.Fatalf("%s(%q): error %v names line %d, want %d", what, raw, err, re.Line, line)
	}
}

// fuzzRecord checks one record decoder: run decodes and applies a record at
// line 3; with idempotent, an added record applied again is unchanged.
func fuzzRecord(f *testing.F, name string, idempotent bool, run func(im *importer, line int, raw []byte) (result, error)) {
	env := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		env.apply(t, func(im *importer, votes *voteWriter) error {
			res, err := run(im, 3, raw)
			if err == nil {
				err = im.flush(votes)
			}
			if err != nil {
				checkRecordErr(t, name, 3, raw, err)
				return nil
			}
			if idempotent && res == added {
				again, err := run(im, 4, raw)
				if err != nil || again != unchanged {
					t.Fatalf("%s(%q) added it, then again = %v, %v; want unchanged", name, raw, again, err)
				}
			}
			return nil
		})
	})
}

func FuzzQuestionRecord(f *testing.F) {
	fuzzRecord(f, "question", true, func(im *importer, line int, raw []byte) (result, error) {
		return im.question(line, raw, "fuzz/question.jsonl")
	})
}

func FuzzPromptRecord(f *testing.F) {
	fuzzRecord(f, "prompt", true, func(im *importer, line int, raw []byte) (result, error) {
		return im.prompt(line, raw)
	})
}

func FuzzAnswerRecord(f *testing.F) {
	fuzzRecord(f, "answer", true, func(im *importer, line int, raw []byte) (result, error) {
		return im.answer(line, raw, "gamma", "model_answer/gamma.jsonl")
	})
}

func FuzzReferenceRecord(f *testing.F) {
	fuzzRecord(f, "reference", true, func(im *importer, line int, raw []byte) (result, error) {
		return im.reference(line, raw, "gpt-4")
	})
}

func FuzzJudgmentRecord(f *testing.F) {
	fuzzRecord(f, "judgment", false, func(im *importer, line int, raw []byte) (result, error) {
		return im.judgment(line, raw, "model_judgment/fuzz_pair.jsonl")
	})
}

func FuzzVoteRecord(f *testing.F) {
	fuzzRecord(f, "vote", false, func(im *importer, line int, raw []byte) (result, error) {
		return im.vote(line, raw, "fuzz/votes.jsonl")
	})
}

func FuzzAnswersTableRecord(f *testing.F) {
	fuzzRecord(f, "answerRow", true, func(im *importer, line int, raw []byte) (result, error) {
		return im.answerRow(line, raw, "fuzz/outputs.jsonl")
	})
}

// FuzzPairRecord reads a record as the first of a pairs file: its own
// fields decide the file's layout (as classify does), and records that are
// not of the pairs shape are skipped.
func FuzzPairRecord(f *testing.F) {
	fuzzRecord(f, "pair", false, func(im *importer, line int, raw []byte) (result, error) {
		pf, ok := fuzzPairsFile(raw)
		if !ok {
			return unchanged, nil
		}
		return im.pair(line, raw, &pf, "fuzz/pairs.jsonl")
	})
}

func fuzzPairsFile(raw []byte) (pairsFile, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return pairsFile{}, false
	}
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	if !isPairsShape(keys) {
		return pairsFile{}, false
	}
	return newPairsFile("fuzz/pairs.jsonl", keys), true
}

// FuzzRowVerdictRecord reads a judge's verdict by row index after a pairs
// file's rows 0 and 1 were read in the same import.
func FuzzRowVerdictRecord(f *testing.F) {
	rows := []string{
		`{"idx": 0, "cmp_key": "m1_m2", "instruction": "Say hi.", "input": "", "response1": "hi", "response2": "hello", "annotator1": 1, "annotator2": 1, "annotator3": 2}`,
		`{"idx": 1, "cmp_key": "m1_m2", "instruction": "Say bye.", "input": "", "response1": "bye", "response2": "ciao", "annotator1": 0, "annotator2": 0, "annotator3": 0}`,
	}
	fuzzRecord(f, "rowVerdict", false, func(im *importer, line int, raw []byte) (result, error) {
		if len(im.pairRows) == 0 {
			pf, _ := fuzzPairsFile([]byte(rows[0]))
			for i, r := range rows {
				if _, err := im.pair(i+1, []byte(r), &pf, "pandalm/testset-v1.json"); err != nil {
					return 0, err
				}
			}
		}
		return im.rowVerdict(line, raw, "gpt-3.5-turbo", "pandalm/gpt-3.5-turbo-testset-v1.json")
	})
}

// FuzzVoteCSV reads a whole CSV of votes through the CSV reader and the
// column setters an import uses for one (csvVoteColumns).
func FuzzVoteCSV(f *testing.F) {
	env := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, text []byte) {
		cr, err := newCSVReader(strings.NewReader(string(text)))
		if err != nil {
			checkRecordErr(t, "newCSVReader", 1, text, err)
			return
		}
		set, ok := csvVoteColumns(cr.header)
		if !ok {
			return
		}
		env.apply(t, func(im *importer, votes *voteWriter) error {
			last := 1
			for {
				line, cells, err := cr.row()
				if err == io.EOF {
					break
				}
				if err != nil {
					var re *recordError
					if !errors.As(err, &re) || re.Line <= last {
						t.Fatalf("csv %q: error %v names no line after %d", text, err, last)
					}
					return nil
				}
				if line <= last {
					t.Fatalf("csv %q: row at line %d after line %d", text, line, last)
				}
				last = line
				var r voteRec
				for i, v := range cells {
					if i < len(set) && set[i] != nil {
						set[i](&r, v)
					}
				}
				if _, err := im.putVote(line, &r, "fuzz/votes.csv"); err != nil {
					checkRecordErr(t, "putVote", line, text, err)
					return nil
				}
			}
			if err := im.flush(votes); err != nil {
				var re *recordError
				if !errors.As(err, &re) {
					t.Fatalf("csv %q: write error %v names no line", text, err)
				}
			}
			return nil
		})
	})
}

// FuzzRecordReader reads any bytes as JSONL, a JSON array and CSV: no
// panic, each record is a JSON object's text or an error naming a line,
// and lines only move forward.
func FuzzRecordReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, text []byte) {
		for _, format := range []string{"jsonl", "json", "csv"} {
			rr, err := openReader(strings.NewReader(string(text)), format)
			if err != nil {
				checkRecordErr(t, format, 1, text, err)
				continue
			}
			last := 0
			for n := 0; ; n++ {
				line, raw, err := rr.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					var re *recordError
					if !errors.As(err, &re) || re.Line < last {
						t.Fatalf("%s %q: error %v names no line at or after %d", format, text, err, last)
					}
					break
				}
				if line < last || line < 1 {
					t.Fatalf("%s %q: record at line %d after line %d", format, text, line, last)
				}
				if format == "csv" && !json.Valid(raw) {
					t.Fatalf("csv %q: row at line %d made invalid JSON %q", text, line, raw)
				}
				last = line
			}
		}
	})
}

func FuzzRatingRecord(f *testing.F) {
	fuzzRecord(f, "rating", true, func(im *importer, line int, raw []byte) (result, error) {
		return im.rating(line, raw, "model_judgment/fuzz_single.jsonl")
	})
}
