package store_test

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"concord/judge/audit"
	"concord/store"
	"concord/store/storetest"
)

// pairsCounts is what a database holds after importing pairs files.
type pairsCounts struct {
	questions, answers, votes, verdicts int
	models, annotators                  []string
}

func countPairs(tb testing.TB, s *store.Store) pairsCounts {
	tb.Helper()
	ctx := context.Background()
	var c pairsCounts
	qs, err := s.Questions(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	as, _ := s.Answers(ctx)
	vs, _ := s.Votes(ctx, "")
	ds, _ := s.Verdicts(ctx, "")
	c.questions, c.answers, c.votes, c.verdicts = len(qs), len(as), len(vs), len(ds)
	models, anns := map[string]bool{}, map[string]bool{}
	for _, a := range as {
		models[a.Model] = true
	}
	for _, v := range vs {
		anns[v.Annotator+"/"+v.Group] = true
	}
	for m := range models {
		c.models = append(c.models, m)
	}
	for a := range anns {
		c.annotators = append(c.annotators, a)
	}
	sort.Strings(c.models)
	sort.Strings(c.annotators)
	return c
}

func TestImportPairsShapes(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                pairsCounts
		winners             []string // the votes' winners in canonical terms, sorted
	}{
		{"jsonl response_a/b with models and winner", "arena.jsonl",
			`{"prompt": "Say hi.", "response_a": "hi", "response_b": "hello", "model_a": "m1", "model_b": "m2", "winner": "model_b"}` + "\n" +
				`{"prompt": "Say bye.", "response_a": "bye", "response_b": "ciao", "model_a": "m2", "model_b": "m1", "winner": "model_a"}` + "\n",
			pairsCounts{2, 4, 2, 0, []string{"m1", "m2"}, []string{"arena:winner/human"}}, []string{"model_b", "model_b"}},
		{"json array output_1/2 with a gold label and no models", "llmbar.json",
			`[{"input": "Pick one.", "output_1": "one", "output_2": "two", "label": 2},
			  {"input": "Pick again.", "output_1": "x", "output_2": "y", "label": 1}]`,
			pairsCounts{2, 4, 2, 0, []string{"llmbar:a", "llmbar:b"}, []string{"llmbar:gold/gold"}}, []string{"model_a", "model_b"}},
		{"csv with annotators, BOM and CRLF", "team.csv",
			"\uFEFFid,prompt,response_a,response_b,annotator1,annotator2\r\n" +
				"writing_1,Write.,A text,B text,a,tie\r\n" +
				"writing_2,\"Write, again.\",\"A, two\",B two,2,\r\n",
			pairsCounts{2, 4, 3, 0, []string{"team:a", "team:b"}, []string{"team:annotator1/team", "team:annotator2/team"}}, []string{"model_a", "model_b", "tie"}},
		{"conversations of two turns", "conv.jsonl",
			`{"question_id": "c1", "model_a": "x", "model_b": "y", "winner": "tie", ` +
				`"conversation_a": [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "xa1"}, {"role": "user", "content": "Q2"}, {"role": "assistant", "content": "xa2"}], ` +
				`"conversation_b": [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "ya1"}, {"role": "user", "content": "Q2"}, {"role": "assistant", "content": "ya2"}]}` + "\n",
			pairsCounts{1, 2, 1, 0, []string{"x", "y"}, []string{"conv:winner/human"}}, []string{"tie"}},
		{"a judge's verdict beside a human label", "judged.jsonl",
			`{"prompt": "P", "response_a": "x", "response_b": "y", "model_a": "m2", "model_b": "m1", "winner": "b", "verdict": "a", "judge_model": "gpt-4o"}` + "\n",
			pairsCounts{1, 2, 1, 1, []string{"m1", "m2"}, []string{"judged:winner/human"}}, []string{"model_a"}},
		{"chosen/rejected", "prefs.jsonl",
			`{"prompt": "Be kind.", "chosen": "Sure.", "rejected": "No."}` + "\n",
			pairsCounts{1, 2, 1, 0, []string{"prefs:a", "prefs:b"}, []string{"prefs:chosen/gold"}}, []string{"model_a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{tt.file: tt.content})
			s := storetest.MustOpen(t)
			rep := mustImport(t, s, filepath.Join(dir, tt.file))
			if len(rep.Files) != 1 || rep.Files[0].Kind != store.KindPairs {
				t.Fatalf("import report = %+v, want one pairs file", rep)
			}
			got := countPairs(t, s)
			if !sameJSON(t, got, tt.want) {
				t.Errorf("imported %+v, want %+v", got, tt.want)
			}
			vs, _ := s.Votes(context.Background(), "")
			var ws []string
			for _, v := range vs {
				ws = append(ws, v.Winner)
			}
			sort.Strings(ws)
			if strings.Join(ws, ",") != strings.Join(tt.winners, ",") {
				t.Errorf("winners = %v, want %v", ws, tt.winners)
			}
			again := mustImport(t, s, filepath.Join(dir, tt.file))
			if again.Added != 0 || again.Replaced != 0 {
				t.Errorf("re-import added %d, replaced %d; want nothing", again.Added, again.Replaced)
			}
			if got := countPairs(t, s); !sameJSON(t, got, tt.want) {
				t.Errorf("after re-import %+v, want %+v", got, tt.want)
			}
		})
	}
}

// A prompt without an id gets the same key in every file and every import.
func TestPairsPromptKeyIsStable(t *testing.T) {
	f := map[string]string{"a.jsonl": `{"prompt": "Same prompt.", "response_a": "1", "response_b": "2"}` + "\n",
		"b.jsonl": `{"prompt": "Same prompt.", "response_a": "3", "response_b": "4"}` + "\n"}
	dir := writeFiles(t, f)
	s := storetest.MustOpen(t)
	mustImport(t, s, dir)
	qs, _ := s.Questions(context.Background())
	if len(qs) != 1 || !strings.HasPrefix(qs[0].Key, "p-") || len(qs[0].Key) != 14 {
		t.Fatalf("questions = %+v, want one keyed p- and 12 hex digits", qs)
	}
	s2 := storetest.MustOpen(t)
	mustImport(t, s2, filepath.Join(dir, "b.jsonl"))
	qs2, _ := s2.Questions(context.Background())
	if len(qs2) != 1 || qs2[0].Key != qs[0].Key {
		t.Errorf("key in another database = %+v, want %s", qs2, qs[0].Key)
	}
}

func TestImportPairsBad(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []string
	}{
		{"no prompt", "p.jsonl", `{"response_a": "x", "response_b": "y"}` + "\n", []string{"p.jsonl", "line 1", `field "prompt"`, "missing"}},
		{"missing response", "p.jsonl", `{"prompt": "q", "response_a": "x", "response_b": "y"}` + "\n" + `{"prompt": "q2", "response_a": "x"}` + "\n",
			[]string{"line 2", `field "response_b"`, "missing"}},
		{"label outside the allowed values", "p.jsonl", `{"prompt": "q", "response_a": "x", "response_b": "y", "winner": "model_c"}` + "\n",
			[]string{"line 1", `field "winner"`, `"model_c"`}},
		{"annotator label outside the allowed values in CSV", "p.csv", "prompt,response_a,response_b,annotator1\nq,x,y,1\nq2,x,y,3\n",
			[]string{"p.csv", "line 3", `field "annotator1"`, `"3"`}},
		{"mismatched conversation lengths", "p.jsonl",
			`{"conversation_a": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "a"}], "conversation_b": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "Q2"}, {"role": "assistant", "content": "b2"}]}` + "\n",
			[]string{"line 1", `field "conversation_b"`, "2 turns, but conversation_a has 1"}},
		{"conversation with more answers than questions", "p.jsonl",
			`{"conversation_a": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "a"}, {"role": "assistant", "content": "a2"}], "conversation_b": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "b"}]}` + "\n",
			[]string{"line 1", `field "conversation_a"`, "1 user messages but 2 assistant messages"}},
		{"verdict outside the allowed values", "p.jsonl", `{"prompt": "q", "response_a": "x", "response_b": "y", "verdict": "maybe"}` + "\n",
			[]string{"line 1", `field "verdict"`, `"maybe"`}},
		{"same model twice", "p.jsonl", `{"prompt": "q", "response_a": "x", "response_b": "y", "model_a": "m", "model_b": "m"}` + "\n",
			[]string{"line 1", `field "model_b"`, "same model"}},
		{"response as an object", "p.jsonl", `{"prompt": "q", "response_a": {"text": "x"}, "response_b": "y"}` + "\n",
			[]string{"line 1", `field "response_a"`, "got an object"}},
		{"row verdicts without their pairs", "gpt-testset-v1.json", `[{"idx": 0, "gpt_result": "1"}]`,
			[]string{"line 1", `field "idx"`, "no row 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{tt.file: tt.content})
			s := storetest.MustOpen(t)
			_, err := s.Import(context.Background(), []string{filepath.Join(dir, tt.file)}, store.ImportOptions{})
			if err == nil {
				t.Fatalf("Import succeeded, want an error with %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if c := countPairs(t, s); c.questions+c.answers+c.votes+c.verdicts != 0 {
				t.Errorf("a failed import wrote %+v", c)
			}
		})
	}
}

// A pairs file imported again with a changed response is refused without
// --replace, and replaces with it.
func TestImportPairsChangedContent(t *testing.T) {
	ctx := context.Background()
	s := storetest.MustOpen(t)
	dir := writeFiles(t, map[string]string{"p.jsonl": `{"id": "k1", "prompt": "q", "response_a": "x", "response_b": "y", "winner": "a"}` + "\n"})
	mustImport(t, s, dir)
	changed := writeFiles(t, map[string]string{"p.jsonl": `{"id": "k1", "prompt": "q", "response_a": "x2", "response_b": "y", "winner": "a"}` + "\n"})
	_, err := s.Import(ctx, []string{changed}, store.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "already exists with different content") || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("changed import: %v, want a refusal naming --replace", err)
	}
	rep, err := s.Import(ctx, []string{changed}, store.ImportOptions{Replace: true})
	if err != nil || rep.Replaced != 1 {
		t.Fatalf("Import with Replace = %+v, %v; want one replaced", rep, err)
	}
	as, _ := s.Answers(ctx)
	if len(as) != 2 || as[0].Turns[0] != "x2" {
		t.Errorf("answers after replace = %+v", as)
	}
}

// PandaLM's test set as published: 999 rows, three annotators, and
// gpt-3.5-turbo's verdicts by row; the annotators' pairwise Cohen's kappas are
// PandaLM's README's 0.85 / 0.88 / 0.86.
func TestImportPandaLM(t *testing.T) {
	data := sharedData(t)
	ctx := context.Background()
	s := storetest.MustOpen(t)
	paths := []string{filepath.Join(data, "pandalm", "testset-v1.json"), filepath.Join(data, "pandalm", "gpt-3.5-turbo-testset-v1.json")}
	mustImport(t, s, paths...)
	c := countPairs(t, s)
	want := pairsCounts{999, 1998, 2997, 999, []string{"bloom-7b", "cerebras-gpt-6.7B", "llama-7b", "opt-7b", "pythia-6.9b"},
		[]string{"pandalm:annotator1/pandalm", "pandalm:annotator2/pandalm", "pandalm:annotator3/pandalm"}}
	if !sameJSON(t, c, want) {
		t.Errorf("PandaLM imported %+v, want %+v", c, want)
	}
	ds, _ := s.Verdicts(ctx, "gpt-3.5-turbo")
	byCombined := map[string]int{}
	for _, d := range ds {
		byCombined[d.Combined]++
	}
	// gpt_result: 476 "2", 460 "1", 38 "Tie", 25 "garbage" (an error).
	if byCombined["error"] != 25 || byCombined["tie"] != 38 || byCombined["model_1"]+byCombined["model_2"] != 936 {
		t.Errorf("gpt-3.5-turbo verdicts = %v", byCombined)
	}
	if rep := mustImport(t, s, paths...); rep.Added != 0 || rep.Replaced != 0 {
		t.Errorf("re-import = %+v, want nothing added or replaced", rep)
	}
	// PandaLM-7B's verdicts come in their own column (pandalm_result: 1, 2, 0 for a tie).
	mustImport(t, s, paths[0], filepath.Join(data, "pandalm", "pandalm-7b-testset-v1.json"))
	ps, _ := s.Verdicts(ctx, "pandalm-7b")
	byCombined = map[string]int{}
	for _, d := range ps {
		byCombined[d.Combined]++
	}
	if len(ps) != 999 || byCombined["tie"] != 107 || byCombined["error"] != 0 || byCombined["model_1"]+byCombined["model_2"] != 892 {
		t.Errorf("pandalm-7b verdicts = %d, %v; want 999: 107 ties, 892 decisive", len(ps), byCombined)
	}
	vs, err := s.Votes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var hv []audit.HumanVote
	for _, v := range vs {
		l, err := audit.ParseLabel(v.Winner)
		if err != nil {
			t.Fatal(err)
		}
		hv = append(hv, audit.HumanVote{Question: v.QuestionID, ModelA: v.ModelA, ModelB: v.ModelB, Turn: v.Turn, Choice: l, Annotator: v.Annotator, Group: v.Group})
	}
	aa, err := audit.AuditAnnotators(hv, nil, audit.DefaultThresholds(), audit.Options{Bootstrap: -1})
	if err != nil {
		t.Fatal(err)
	}
	k := aa.Kappa
	for _, tc := range []struct {
		i, j int
		want float64
	}{{0, 1, 0.85}, {0, 2, 0.88}, {1, 2, 0.86}} {
		if got := float64(k.Kappa[tc.i][tc.j]); math.Round(got*100)/100 != tc.want || k.Shared[tc.i][tc.j] != 999 {
			t.Errorf("kappa(%s, %s) = %.4f over %d units, want %.2f over 999", k.Annotators[tc.i], k.Annotators[tc.j], got, k.Shared[tc.i][tc.j], tc.want)
		}
	}
}

// LLMBar's Natural set: 100 pairs without model names, the gold label as the
// annotator group gold (42 for output_1, 58 for output_2).
func TestImportLLMBarNatural(t *testing.T) {
	data := sharedData(t)
	path := filepath.Join(data, "llmbar", "Dataset", "LLMBar", "Natural", "dataset.json")
	s := storetest.MustOpen(t)
	mustImport(t, s, path)
	c := countPairs(t, s)
	want := pairsCounts{100, 200, 100, 0, []string{"Natural:a", "Natural:b"}, []string{"Natural:gold/gold"}}
	if !sameJSON(t, c, want) {
		t.Errorf("LLMBar Natural imported %+v, want %+v", c, want)
	}
	var csvOut bytes.Buffer
	if err := s.ExportVotes(context.Background(), &csvOut, "csv", "gold"); err != nil {
		t.Fatal(err)
	}
	a, b := strings.Count(csvOut.String(), ",model_a,Natural:gold,"), strings.Count(csvOut.String(), ",model_b,Natural:gold,")
	if a != 42 || b != 58 {
		t.Errorf("gold labels: %d for output_1, %d for output_2; want 42 and 58", a, b)
	}
}

// Rows on one prompt in a row (the usual layout of a pairs file) repeat
// its question and answers: repeats are unchanged, a repeat that differs is
// refused at its line, in CSV and JSONL alike.
func TestImportPairsRepeatedRows(t *testing.T) {
	tests := []struct {
		name, file, content string
		wantErr             []string
		want                pairsCounts
	}{
		{"csv repeats", "r.csv", "prompt,model_a,model_b,response_a,response_b,winner\n" +
			"q,m1,m2,x,y,model_a\nq,m1,m2,x,y,tie\nq,m1,m3,x,z,model_b\n", nil,
			pairsCounts{1, 3, 3, 0, []string{"m1", "m2", "m3"}, []string{"r:winner/human"}}},
		{"csv repeat that differs", "r.csv", "prompt,model_a,model_b,response_a,response_b,winner\n" +
			"q,m1,m2,x,y,model_a\nq,m1,m3,x2,z,tie\n", []string{"r.csv: line 3", `answer of m1 to question p-`, "already exists with different content"}, pairsCounts{}},
		{"jsonl repeat that differs", "r.jsonl", `{"prompt": "q", "model_a": "m1", "model_b": "m2", "response_a": "x", "response_b": "y"}` + "\n" +
			`{"prompt": "q", "model_a": "m2", "model_b": "m1", "response_a": "y2", "response_b": "x"}` + "\n",
			[]string{"r.jsonl: line 2", "answer of m2", "already exists with different content"}, pairsCounts{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.MustOpen(t)
			dir := writeFiles(t, map[string]string{tt.file: tt.content})
			rep, err := s.Import(context.Background(), []string{filepath.Join(dir, tt.file)}, store.ImportOptions{})
			if tt.wantErr != nil {
				for _, w := range tt.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("error %v, want %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := countPairs(t, s); !sameJSON(t, got, tt.want) {
				t.Errorf("imported %+v, want %+v", got, tt.want)
			}
			// Rows 1 and 3 add a question or an answer, row 2 repeats them; and 3 votes.
			if rep.Added != 2+3 || rep.Unchanged != 1 {
				t.Errorf("report added %d, unchanged %d; want 5 and 1", rep.Added, rep.Unchanged)
			}
		})
	}
}
