package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"concord/store"
	"concord/store/storetest"
)

var packModels = []string{"alpha-7b", "bravo-13b", "charlie-70b"}

// packFixture writes questions and answers (with answer ids and source
// files named after the models) and returns a store holding them and a
// study over every pair and both turns.
func packFixture(t testing.TB, nq int) (*store.Store, *store.Study) {
	t.Helper()
	dir := t.TempDir()
	var qs, refs bytes.Buffer
	for q := 1; q <= nq; q++ {
		cat := []string{"writing", "math"}[q%2]
		json.NewEncoder(&qs).Encode(map[string]any{"question_id": q, "category": cat,
			"turns": []string{fmt.Sprintf("Question %d, first turn?", q), fmt.Sprintf("Question %d, second turn?", q)}})
		json.NewEncoder(&refs).Encode(map[string]any{"question_id": q, "model_id": "gpt-4",
			"choices": []map[string]any{{"turns": []string{"Ref one.", "Ref two."}}}})
	}
	os.MkdirAll(filepath.Join(dir, "model_answer"), 0o755)
	os.MkdirAll(filepath.Join(dir, "reference_answer"), 0o755)
	os.WriteFile(filepath.Join(dir, "question.jsonl"), qs.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "reference_answer", "gpt-4.jsonl"), refs.Bytes(), 0o644)
	for _, m := range packModels {
		var b bytes.Buffer
		for q := 1; q <= nq; q++ {
			json.NewEncoder(&b).Encode(map[string]any{"question_id": q, "model_id": m, "answer_id": fmt.Sprintf("ANSID%s%03d", m[:2], q),
				"choices": []map[string]any{{"turns": []string{
					fmt.Sprintf("Answer to %d by one. It has a second sentence. And a third.", q),
					fmt.Sprintf("Follow-up %d here. More words follow.", q)}}}})
		}
		os.WriteFile(filepath.Join(dir, "model_answer", m+".jsonl"), b.Bytes(), 0o644)
	}
	s := storetest.MustOpen(t)
	ctx := context.Background()
	if _, err := s.Import(ctx, []string{dir}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := s.CreateStudy(ctx, store.StudySpec{Name: "pilot study", Models: packModels, Seed: 7, ShowReference: true, Instructions: "Pick the better answer."})
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

func pack(t *testing.T, s *store.Store, st *store.Study, opts store.PackOptions) *store.PackResult {
	t.Helper()
	if opts.OutDir == "" {
		opts.OutDir = t.TempDir()
	}
	res, err := s.PackStudy(context.Background(), st.ID, opts)
	if err != nil {
		t.Fatalf("PackStudy(%+v): %v", opts, err)
	}
	return res
}

func TestPackIsBlind(t *testing.T) {
	s, st := packFixture(t, 10)
	res := pack(t, s, st, store.PackOptions{Annotators: []string{"alice", "bob"}, Overlap: 1, Gold: 2, Seed: 3})
	if len(res.Packages) != 2 {
		t.Fatalf("packages = %d, want 2", len(res.Packages))
	}
	secrets := append([]string(nil), packModels...)
	secrets = append(secrets, "gpt-4", "model_answer", "ANSID") // sources are model_answer/MODEL.jsonl
	for _, p := range res.Packages {
		if want := "pilot_study-" + p.Annotator + ".concord"; filepath.Base(p.Path) != want {
			t.Errorf("package file %s, want %s", filepath.Base(p.Path), want)
		}
		b, err := os.ReadFile(p.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range secrets {
			if i := bytes.Index(b, []byte(sec)); i >= 0 {
				t.Errorf("%s holds %q at byte %d", p.Path, sec, i)
			}
		}
		if !bytes.Contains(b, []byte("Pick the better answer.")) || !bytes.Contains(b, []byte("Ref one.")) {
			t.Errorf("%s lacks the instructions or the reference answers", p.Path)
		}
		for _, ext := range []string{"-wal", "-journal", "-shm", ".part"} {
			if _, err := os.Stat(p.Path + ext); err == nil {
				t.Errorf("%s%s left beside the package", p.Path, ext)
			}
		}
	}
}

// packageItems reads, through the lead's aliases, the real units of a package.
func packageItems(t *testing.T, s *store.Store, p store.PackedPackage) (real map[string]bool, gold int) {
	t.Helper()
	ctx := context.Background()
	alias := map[string]string{}
	rows, err := s.Read().QueryContext(ctx, `SELECT alias, model FROM study_package_aliases WHERE package_id = ? AND gold = 0`, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, m string
		rows.Scan(&a, &m)
		alias[a] = m
	}
	rows.Close()
	pk := storetest.MustOpenAt(t, p.Path)
	items, err := pk.StudyItems(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	real = map[string]bool{}
	for _, it := range items {
		a, okA := alias[it.ModelA]
		b, okB := alias[it.ModelB]
		if !okA || !okB {
			gold++
			continue
		}
		if a > b {
			a, b = b, a
		}
		real[fmt.Sprint(it.QuestionID, a, b)] = true
	}
	return real, gold
}

func TestPackOverlapBalancesAndCoversPairs(t *testing.T) {
	s, st := packFixture(t, 10) // 30 items
	tests := []struct {
		annotators []string
		overlap    int
	}{
		{[]string{"a", "b", "c"}, 1},
		{[]string{"a", "b", "c"}, 2},
		{[]string{"a", "b", "c", "d", "e"}, 2},
		{[]string{"a", "b", "c", "d"}, 3},
		{[]string{"a", "b"}, 0},
	}
	for i, tc := range tests {
		st := st
		if i > 0 { // a study per case: an annotator has one package per study
			var err error
			st, err = s.CreateStudy(context.Background(), store.StudySpec{Name: fmt.Sprint("case ", i), Models: packModels, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
		}
		res := pack(t, s, st, store.PackOptions{Annotators: tc.annotators, Overlap: tc.overlap, Seed: int64(i)})
		k := tc.overlap
		if k == 0 {
			k = len(tc.annotators)
		}
		count := map[string]int{}
		sets := make([]map[string]bool, len(res.Packages))
		lo, hi := 1<<30, 0
		for j, p := range res.Packages {
			sets[j], _ = packageItems(t, s, p)
			if len(sets[j]) != p.Items {
				t.Errorf("%v k=%d: %s has %d items, reported %d", tc.annotators, k, p.Annotator, len(sets[j]), p.Items)
			}
			for u := range sets[j] {
				count[u]++
			}
			lo, hi = min(lo, len(sets[j])), max(hi, len(sets[j]))
		}
		if len(count) != st.Items {
			t.Errorf("%v k=%d: %d items packed, study has %d", tc.annotators, k, len(count), st.Items)
		}
		for u, n := range count {
			if n != k {
				t.Errorf("%v k=%d: item %s went to %d annotators", tc.annotators, k, u, n)
			}
		}
		if hi-lo > 1 {
			t.Errorf("%v k=%d: loads from %d to %d, want a difference of at most 1", tc.annotators, k, lo, hi)
		}
		if k >= 2 {
			for a := range sets {
				for b := a + 1; b < len(sets); b++ {
					shared := 0
					for u := range sets[a] {
						if sets[b][u] {
							shared++
						}
					}
					if shared == 0 {
						t.Errorf("%v k=%d: %s and %s share no item", tc.annotators, k, tc.annotators[a], tc.annotators[b])
					}
				}
			}
		}
	}
}

func TestPackIsDeterministicForASeed(t *testing.T) {
	layout := func(seed int64) string {
		s, st := packFixture(t, 10)
		res := pack(t, s, st, store.PackOptions{Annotators: []string{"a", "b", "c"}, Overlap: 2, Seed: seed})
		var out []string
		for _, p := range res.Packages {
			items, _ := packageItems(t, s, p)
			out = append(out, fmt.Sprint(p.Annotator, len(items), items))
		}
		return strings.Join(out, "\n")
	}
	if a, b := layout(5), layout(5); a != b {
		t.Errorf("seed 5 packed twice differs:\n%s\n---\n%s", a, b)
	}
	if a, b := layout(5), layout(6); a == b {
		t.Errorf("seeds 5 and 6 pack the same items")
	}
}

// voteIn opens a package as the annotator's app would and votes n turns,
// the left answer each time.
func voteIn(t *testing.T, path string, n int, choice string) {
	t.Helper()
	pk, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer pk.Close()
	voteWith(t, pk, n, choice)
}

// voteWith votes n turns in an open package, the left answer each time.
func voteWith(t *testing.T, pk *store.Store, n int, choice string) {
	t.Helper()
	ctx := context.Background()
	who, err := pk.LocalAnnotator(ctx)
	if err != nil || who == "" {
		t.Fatalf("package annotator = %q, %v", who, err)
	}
	for range n {
		next, err := pk.NextItem(ctx, 1, who)
		if err != nil || next == nil {
			t.Fatalf("NextItem = %v, %v", next, err)
		}
		if _, err := pk.RecordVote(ctx, store.VoteRequest{StudyID: 1, Annotator: who, Pos: next.Entry.Pos, Turn: next.Turn, Choice: choice, TimeMS: 4000}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPackageVotesLiveInTheFileAlone votes in a package and, before the
// window closes it (as when it is killed), copies the .concord file alone,
// as an annotator sends it back: every acknowledged vote is in that copy and
// imports back.
func TestPackageVotesLiveInTheFileAlone(t *testing.T) {
	ctx := context.Background()
	s, st := packFixture(t, 4)
	p := pack(t, s, st, store.PackOptions{Annotators: []string{"alice"}, Seed: 1}).Packages[0]
	pk, err := store.Open(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pk.Close() }) // not before the copy: the window was killed
	voteWith(t, pk, 3, store.ChoiceA)

	b, err := os.ReadFile(p.Path)
	if err != nil {
		t.Fatal(err)
	}
	sent := filepath.Join(t.TempDir(), filepath.Base(p.Path)) // no -wal, no -shm
	if err := os.WriteFile(sent, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Import(ctx, []string{sent}, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 3 {
		t.Errorf("import of the .concord file alone added %d votes, want the 3 acknowledged", rep.Added)
	}
	votes, err := s.Votes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(votes) != 3 || votes[0].Annotator != "alice" {
		t.Errorf("votes after the import = %d (first %+v), want alice's 3", len(votes), votes)
	}
}

func countVotes(t *testing.T, s *store.Store, where string) int {
	t.Helper()
	var n int
	if err := s.Read().QueryRow(`SELECT count(*) FROM votes WHERE ` + where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportPackageMapsVotesBack(t *testing.T) {
	ctx := context.Background()
	s, st := packFixture(t, 6)
	res := pack(t, s, st, store.PackOptions{Annotators: []string{"alice", "bob"}, Overlap: 2, Seed: 1})
	p := res.Packages[0]
	voteIn(t, p.Path, 5, store.ChoiceA)
	rep, err := s.Import(ctx, []string{p.Path}, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 5 || rep.Files[0].Kind != store.KindPackage {
		t.Fatalf("first import: %+v, want 5 added from a study package", rep)
	}
	votes, err := s.Votes(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	// The lead's own queue for alice is not the package's; check each vote
	// against the study's items and its left answer winning.
	items, _ := s.StudyItems(ctx, st.ID)
	units := map[string]bool{}
	for _, it := range items {
		units[fmt.Sprint(it.QuestionID, it.ModelA, it.ModelB)] = true
	}
	for _, v := range votes {
		if v.Annotator != p.Annotator || v.StudyID != st.ID {
			t.Errorf("vote by %q in study %d, want %q in %d", v.Annotator, v.StudyID, p.Annotator, st.ID)
		}
		if !units[fmt.Sprint(v.QuestionID, v.ModelA, v.ModelB)] {
			t.Errorf("vote on %d %s vs %s: not an item of the study", v.QuestionID, v.ModelA, v.ModelB)
		}
		want := "model_a"
		if v.Left == v.ModelB {
			want = "model_b"
		} else if v.Left != v.ModelA {
			t.Errorf("left model %q is neither %s nor %s", v.Left, v.ModelA, v.ModelB)
		}
		if v.Winner != want {
			t.Errorf("left answer chosen, left %s: winner %s, want %s", v.Left, v.Winner, want)
		}
	}
	if rep, err = s.Import(ctx, []string{p.Path}, store.ImportOptions{}); err != nil || rep.Added != 0 || rep.Unchanged != 5 {
		t.Fatalf("second import of the same file: %+v, %v; want 0 added, 5 unchanged", rep, err)
	}
	// More votes and an undo: only those come in.
	voteIn(t, p.Path, 3, store.ChoiceB)
	pk := storetest.MustOpenAt(t, p.Path)
	if _, err := pk.Undo(ctx, 1, p.Annotator); err != nil {
		t.Fatal(err)
	}
	pk.Close()
	if rep, err = s.Import(ctx, []string{p.Path}, store.ImportOptions{}); err != nil || rep.Added != 3 {
		t.Fatalf("import after 3 more votes and an undo: %+v, %v; want 3 added (2 votes, 1 withdrawn)", rep, err)
	}
	if n := countVotes(t, s, `withdrawn_at IS NULL`); n != 7 {
		t.Errorf("current votes = %d, want 7", n)
	}
	if n := countVotes(t, s, `withdrawn_at IS NOT NULL`); n != 1 {
		t.Errorf("withdrawn votes = %d, want 1", n)
	}
}

func TestImportPackageGoldStaysOutOfVotes(t *testing.T) {
	ctx := context.Background()
	s, st := packFixture(t, 4)
	res := pack(t, s, st, store.PackOptions{Annotators: []string{"alice"}, Gold: 3, Seed: 2})
	p := res.Packages[0]
	_, gold := packageItems(t, s, p)
	if gold != 3 || p.Gold != 3 {
		t.Fatalf("gold items = %d (reported %d), want 3", gold, p.Gold)
	}
	all := p.Items + p.Gold
	voteIn(t, p.Path, 2*all, store.ChoiceA) // every turn of every item
	if _, err := s.Import(ctx, []string{p.Path}, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := countVotes(t, s, `1`); n != 2*p.Items {
		t.Errorf("votes = %d, want %d (gold items kept out)", n, 2*p.Items)
	}
	var g, correct int
	s.Read().QueryRow(`SELECT count(*), coalesce(sum(correct), 0) FROM study_gold_votes`).Scan(&g, &correct)
	if g != 2*3 {
		t.Errorf("gold votes = %d, want 6", g)
	}
	// Left chosen every time: correct exactly when the good answer was on the left.
	pk := storetest.MustOpenAt(t, p.Path)
	var goodLeft int
	rows, _ := s.Read().Query(`SELECT good_alias, bad_alias FROM study_package_gold WHERE package_id = ?`, p.ID)
	for rows.Next() {
		var good, bad string
		rows.Scan(&good, &bad)
		var left, turns string
		pk.Read().QueryRow(`SELECT q.left_model, i.turns FROM study_items i JOIN study_queue q ON q.pos = i.pos
			WHERE (i.model_a = ? AND i.model_b = ?) OR (i.model_a = ? AND i.model_b = ?)`, good, bad, bad, good).Scan(&left, &turns)
		if left == good {
			goodLeft += len(strings.Split(turns, ","))
		}
	}
	rows.Close()
	if correct != goodLeft {
		t.Errorf("correct gold choices = %d, want %d (turns with the good answer on the left)", correct, goodLeft)
	}
}

func TestImportPackageRefusals(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		spoil  func(t *testing.T, path string)
		other  bool // import into another database
		want   string
		wantIs error
	}{
		{name: "another database", other: true, want: `this package belongs to study "pilot study"`},
		{name: "edited item", want: "was edited", spoil: func(t *testing.T, path string) {
			execIn(t, path, `UPDATE study_queue SET left_model = CASE WHEN left_model = (SELECT model_a FROM study_items WHERE pos = 0) THEN (SELECT model_b FROM study_items WHERE pos = 0) ELSE (SELECT model_a FROM study_items WHERE pos = 0) END WHERE ord = 0`)
		}},
		{name: "edited alias", want: "was edited", spoil: func(t *testing.T, path string) {
			execIn(t, path, `UPDATE models SET name = 'm99' WHERE id = 1`)
		}},
		{name: "edited answer", want: "was edited", spoil: func(t *testing.T, path string) {
			execIn(t, path, `UPDATE answers SET turns = '["changed"]' WHERE question_id = (SELECT min(question_id) FROM answers)`)
		}},
		{name: "truncated", want: "truncated", spoil: func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			os.Truncate(path, fi.Size()/2)
		}},
		{name: "newer", wantIs: store.ErrNewerSchema, spoil: func(t *testing.T, path string) {
			execIn(t, path, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, '0999_future.sql', 'x')`)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, st := packFixture(t, 4)
			res := pack(t, s, st, store.PackOptions{Annotators: []string{"alice"}, Seed: 1})
			p := res.Packages[0]
			voteIn(t, p.Path, 2, store.ChoiceA)
			if tc.spoil != nil {
				tc.spoil(t, p.Path)
			}
			into := s
			if tc.other {
				into, _ = packFixture(t, 4)
			}
			before := countVotes(t, into, `1`)
			_, err := into.Import(ctx, []string{p.Path}, store.ImportOptions{})
			if err == nil {
				t.Fatalf("Import(%s package) succeeded, want an error", tc.name)
			}
			if tc.want != "" && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Import(%s package) = %v, want %q", tc.name, err, tc.want)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("Import(%s package) = %v, want %v", tc.name, err, tc.wantIs)
			}
			if !strings.Contains(err.Error(), p.Path) {
				t.Errorf("error %q does not name the file", err)
			}
			if after := countVotes(t, into, `1`); after != before {
				t.Errorf("votes %d -> %d after a refused import", before, after)
			}
		})
	}
}

func execIn(t *testing.T, path, q string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
