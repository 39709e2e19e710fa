package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"concord/store/outcome"
)

// LocalGroup is the group of an annotator first seen in the app.
const LocalGroup = "local"

// StudySpec is what a study owner chooses when creating a study.
type StudySpec struct {
	Name         string `json:"name"`
	Instructions string `json:"instructions"`
	// Models are compared in every pair; ignored when Pairs is set.
	Models []string `json:"models"`
	// Pairs lists explicit model pairs.
	Pairs [][2]string `json:"pairs"`
	// Categories limits the questions; empty means all.
	Categories []string `json:"categories"`
	// Turns to vote (1, 2); empty means every turn.
	Turns []int `json:"turns"`
	// Sample is the number of items to draw, stratified by category; 0 means all.
	Sample int `json:"sample"`
	// Seed drives sampling and every annotator's order and placement.
	Seed int64 `json:"seed"`
	// ShowReference allows reference answers for math, reasoning and coding.
	ShowReference bool `json:"show_reference"`
	// Units lists the exact units to vote (for "annotate more" from a
	// report); when set, Models, Pairs, Categories, Turns and Sample are
	// ignored (see study_units.go).
	Units []StudyUnit `json:"units,omitempty"`
}

// Study is a stored study.
type Study struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Instructions  string    `json:"instructions"`
	Spec          StudySpec `json:"spec"`
	Seed          int64     `json:"seed"`
	ShowReference bool      `json:"show_reference"`
	CreatedAt     time.Time `json:"created_at"`
	// Items is the number of (question, pair) items; Units counts their turns.
	Items int `json:"items"`
	Units int `json:"units"`
}

// StudyItem is one question and model pair, with the turns to vote.
type StudyItem struct {
	Pos        int    `json:"pos"`
	QuestionID int    `json:"question_id"`
	ModelA     string `json:"model_a"`
	ModelB     string `json:"model_b"`
	Turns      []int  `json:"turns"`
}

// CreateStudy draws a study's items from the imported questions and answers:
// every (question, pair) in the chosen categories where both models answered,
// with the chosen turns the question and both answers have; with Sample > 0,
// that many items drawn with the seed, allotted to categories in proportion
// to their size (largest remainder).
func (s *Store) CreateStudy(ctx context.Context, spec StudySpec) (*Study, error) {
	spec.Name = strings.TrimSpace(spec.Name)
	if spec.Name == "" {
		return nil, errors.New("create study: a name is needed")
	}
	for _, t := range spec.Turns {
		if t < 1 {
			return nil, fmt.Errorf("create study: turn %d: turns start at 1", t)
		}
	}
	if spec.Sample < 0 {
		return nil, errors.New("create study: sample must be 0 (all) or positive")
	}
	if len(spec.Units) > 0 {
		return s.createUnitStudy(ctx, spec)
	}
	pairs, err := studyPairs(spec)
	if err != nil {
		return nil, fmt.Errorf("create study: %w", err)
	}
	qs, err := s.Questions(ctx)
	if err != nil {
		return nil, fmt.Errorf("create study: %w", err)
	}
	answers, err := s.Answers(ctx)
	if err != nil {
		return nil, fmt.Errorf("create study: %w", err)
	}
	nTurns := map[string]int{}
	known := map[string]bool{}
	for _, a := range answers {
		nTurns[fmt.Sprint(a.QuestionID, "\x00", a.Model)] = len(a.Turns)
		known[a.Model] = true
	}
	for _, p := range pairs {
		for _, m := range p {
			if !known[m] {
				return nil, fmt.Errorf("create study: no answers from model %q", m)
			}
		}
	}
	cats := map[string]bool{}
	for _, c := range spec.Categories {
		cats[c] = true
	}
	wantTurn := func(t int) bool {
		if len(spec.Turns) == 0 {
			return true
		}
		for _, w := range spec.Turns {
			if w == t {
				return true
			}
		}
		return false
	}
	byCat := map[string][]StudyItem{}
	for _, q := range qs {
		if len(cats) > 0 && !cats[q.Category] {
			continue
		}
		for _, p := range pairs {
			n := min(len(q.Turns), nTurns[fmt.Sprint(q.ID, "\x00", p[0])], nTurns[fmt.Sprint(q.ID, "\x00", p[1])])
			var turns []int
			for t := 1; t <= n; t++ {
				if wantTurn(t) {
					turns = append(turns, t)
				}
			}
			if len(turns) > 0 {
				byCat[q.Category] = append(byCat[q.Category], StudyItem{QuestionID: q.ID, ModelA: p[0], ModelB: p[1], Turns: turns})
			}
		}
	}
	items := sampleStratified(byCat, spec.Sample, mrand.New(mrand.NewPCG(uint64(spec.Seed), 0x5eed)))
	if len(items) == 0 {
		return nil, errors.New("create study: no question has answers from both models of any pair in the chosen categories and turns")
	}
	for i := range items {
		items[i].Pos = i
	}
	return s.insertStudy(ctx, spec, items)
}

// insertStudy stores a study and its items (each at its Pos) in one transaction.
func (s *Store) insertStudy(ctx context.Context, spec StudySpec, items []StudyItem) (*Study, error) {
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("create study: %w", err)
	}
	now := s.Now().UTC()
	st := &Study{Name: spec.Name, Instructions: spec.Instructions, Spec: spec, Seed: spec.Seed, ShowReference: spec.ShowReference, CreatedAt: now, Items: len(items)}
	err = s.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO studies(name, instructions, spec, seed, show_reference, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			spec.Name, spec.Instructions, string(specJSON), spec.Seed, spec.ShowReference, now.Format(time.RFC3339Nano))
		if err != nil {
			if strings.Contains(err.Error(), "UNIQUE") {
				return fmt.Errorf("a study named %q exists", spec.Name)
			}
			return err
		}
		st.ID, _ = res.LastInsertId()
		ins, err := tx.PrepareContext(ctx, `INSERT INTO study_items(study_id, pos, question_id, model_a, model_b, turns) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, it := range items {
			if _, err := ins.ExecContext(ctx, st.ID, it.Pos, it.QuestionID, it.ModelA, it.ModelB, joinInts(it.Turns)); err != nil {
				return err
			}
			st.Units += len(it.Turns)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create study: %w", err)
	}
	return st, nil
}

// studyPairs returns the spec's pairs in canonical order (a < b), deduplicated.
func studyPairs(spec StudySpec) ([][2]string, error) {
	var raw [][2]string
	if len(spec.Pairs) > 0 {
		raw = spec.Pairs
	} else {
		if len(spec.Models) < 2 {
			return nil, errors.New("choose at least two models or one pair")
		}
		for i := range spec.Models {
			for j := i + 1; j < len(spec.Models); j++ {
				raw = append(raw, [2]string{spec.Models[i], spec.Models[j]})
			}
		}
	}
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, p := range raw {
		a, b := strings.TrimSpace(p[0]), strings.TrimSpace(p[1])
		if a == "" || b == "" || a == b {
			return nil, fmt.Errorf("pair %q vs %q: a pair needs two different models", a, b)
		}
		a, b, _ = outcome.CanonicalPair(a, b)
		if k := [2]string{a, b}; !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// sampleStratified draws n items (all when n is 0 or at least the total),
// allotting each category round(n * size / total) by largest remainder, and
// returns them in canonical order (question, model_a, model_b).
func sampleStratified(byCat map[string][]StudyItem, n int, rng *mrand.Rand) []StudyItem {
	cats := make([]string, 0, len(byCat))
	total := 0
	for c, its := range byCat {
		cats = append(cats, c)
		total += len(its)
	}
	sort.Strings(cats)
	var out []StudyItem
	if n <= 0 || n >= total {
		for _, c := range cats {
			out = append(out, byCat[c]...)
		}
	} else {
		quota := make([]int, len(cats))
		type rem struct {
			i int
			r float64
		}
		var rems []rem
		given := 0
		for i, c := range cats {
			exact := float64(n) * float64(len(byCat[c])) / float64(total)
			quota[i] = int(exact)
			given += quota[i]
			rems = append(rems, rem{i, exact - float64(quota[i])})
		}
		sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
		for k := 0; given < n; k++ {
			quota[rems[k%len(rems)].i]++
			given++
		}
		for i, c := range cats {
			its := append([]StudyItem(nil), byCat[c]...)
			rng.Shuffle(len(its), func(a, b int) { its[a], its[b] = its[b], its[a] })
			out = append(out, its[:quota[i]]...)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.QuestionID != y.QuestionID {
			return x.QuestionID < y.QuestionID
		}
		if x.ModelA != y.ModelA {
			return x.ModelA < y.ModelA
		}
		return x.ModelB < y.ModelB
	})
	for i := range out {
		out[i].Pos = i
	}
	return out
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ",")
}

func splitInts(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

const studyCols = `s.id, s.name, s.instructions, s.spec, s.seed, s.show_reference, s.created_at,
	(SELECT count(*) FROM study_items i WHERE i.study_id = s.id),
	(SELECT coalesce(sum(length(i.turns) - length(replace(i.turns, ',', '')) + 1), 0) FROM study_items i WHERE i.study_id = s.id)`

func scanStudy(row interface{ Scan(...any) error }) (*Study, error) {
	var st Study
	var spec, created string
	if err := row.Scan(&st.ID, &st.Name, &st.Instructions, &spec, &st.Seed, &st.ShowReference, &created, &st.Items, &st.Units); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(spec), &st.Spec)
	// A spec stores its unset lists as null; readers get empty ones.
	for _, l := range []*[]string{&st.Spec.Models, &st.Spec.Categories} {
		if *l == nil {
			*l = []string{}
		}
	}
	if st.Spec.Pairs == nil {
		st.Spec.Pairs = [][2]string{}
	}
	if st.Spec.Turns == nil {
		st.Spec.Turns = []int{}
	}
	st.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	return &st, nil
}

// Studies returns every study, newest first.
func (s *Store) Studies(ctx context.Context) ([]Study, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+studyCols+` FROM studies s ORDER BY s.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("studies: %w", err)
	}
	defer rows.Close()
	out := []Study{}
	for rows.Next() {
		st, err := scanStudy(rows)
		if err != nil {
			return nil, fmt.Errorf("studies: %w", err)
		}
		out = append(out, *st)
	}
	return out, rows.Err()
}

// Study returns one study.
func (s *Store) Study(ctx context.Context, id int64) (*Study, error) {
	st, err := scanStudy(s.read.QueryRowContext(ctx, `SELECT `+studyCols+` FROM studies s WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("study %d: no such study", id)
	}
	if err != nil {
		return nil, fmt.Errorf("study %d: %w", id, err)
	}
	return st, nil
}

// CachedStudy is Study remembered for the life of the Store: a study never
// changes once created (its counts included). The caller must not modify
// the result.
func (s *Store) CachedStudy(ctx context.Context, id int64) (*Study, error) {
	s.cache.mu.Lock()
	st, ok := s.cache.studies[id]
	s.cache.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := s.Study(ctx, id)
	if err != nil {
		return nil, err
	}
	s.cache.mu.Lock()
	if s.cache.studies == nil {
		s.cache.studies = map[int64]*Study{}
	}
	s.cache.studies[id] = st
	s.cache.mu.Unlock()
	return st, nil
}

// StudyItems returns a study's items in canonical order.
func (s *Store) StudyItems(ctx context.Context, studyID int64) ([]StudyItem, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT pos, question_id, model_a, model_b, turns FROM study_items WHERE study_id = ? ORDER BY pos`, studyID)
	if err != nil {
		return nil, fmt.Errorf("study %d items: %w", studyID, err)
	}
	defer rows.Close()
	var out []StudyItem
	for rows.Next() {
		var it StudyItem
		var turns string
		if err := rows.Scan(&it.Pos, &it.QuestionID, &it.ModelA, &it.ModelB, &turns); err != nil {
			return nil, fmt.Errorf("study %d items: %w", studyID, err)
		}
		it.Turns = splitInts(turns)
		out = append(out, it)
	}
	return out, rows.Err()
}

// LocalAnnotator returns the annotator name chosen on this database ("" when none).
func (s *Store) LocalAnnotator(ctx context.Context) (string, error) {
	var name string
	err := s.read.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'annotator'`).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("annotator: %w", err)
	}
	return name, nil
}

// SetLocalAnnotator remembers the annotator name and makes sure the annotator exists.
func (s *Store) SetLocalAnnotator(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("set annotator: the name is empty")
	}
	return s.Write(ctx, func(tx *sql.Tx) error {
		if _, _, err := ensureAnnotator(ctx, tx, name); err != nil {
			return fmt.Errorf("set annotator: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('annotator', ?)`, name)
		return err
	})
}

// ItemContent is what an annotator reads for one item: the question's turns,
// both models' answers and, when wanted, a reference answer.
type ItemContent struct {
	Key       string // the question's key, as the user knows it
	Category  string
	Questions []string
	Answers   map[string][]string
	Reference []string
}

// referenceCategories are the categories whose reference answers may be shown.
var referenceCategories = map[string]bool{"math": true, "reasoning": true, "coding": true}

// StudyItemContent loads the text of one item; the reference is included
// only when withReference is set and the category is math, reasoning or coding.
func (s *Store) StudyItemContent(ctx context.Context, e QueueEntry, withReference bool) (*ItemContent, error) {
	var c ItemContent
	var turns string
	var ref, ansA, ansB sql.NullString
	// One query: the question and both answers (NULL when a model has none).
	const answer = `(SELECT a.turns FROM answers a JOIN models m ON m.id = a.model_id WHERE a.question_id = q.question_id AND m.name = ?)`
	err := s.read.QueryRowContext(ctx, `SELECT q.key, q.category, q.turns, q.reference, `+answer+`, `+answer+`
		FROM questions q WHERE q.question_id = ?`, e.ModelA, e.ModelB, e.QuestionID).Scan(&c.Key, &c.Category, &turns, &ref, &ansA, &ansB)
	if err != nil {
		return nil, fmt.Errorf("question %d: %w", e.QuestionID, err)
	}
	if err := json.Unmarshal([]byte(turns), &c.Questions); err != nil {
		return nil, fmt.Errorf("question %d: %w", e.QuestionID, err)
	}
	c.Answers = map[string][]string{}
	for _, a := range []struct {
		model string
		turns sql.NullString
	}{{e.ModelA, ansA}, {e.ModelB, ansB}} {
		if !a.turns.Valid {
			return nil, fmt.Errorf("question %d answer: %s has none: %w", e.QuestionID, a.model, sql.ErrNoRows)
		}
		var ts []string
		if err := json.Unmarshal([]byte(a.turns.String), &ts); err != nil {
			return nil, fmt.Errorf("question %d answer: %w", e.QuestionID, err)
		}
		c.Answers[a.model] = ts
	}
	if withReference && referenceCategories[c.Category] {
		var t string
		err := s.read.QueryRowContext(ctx, `SELECT turns FROM reference_answers WHERE question_id = ? ORDER BY model = 'gpt-4' DESC, model LIMIT 1`, e.QuestionID).Scan(&t)
		switch {
		case err == nil:
			_ = json.Unmarshal([]byte(t), &c.Reference)
		case ref.Valid && ref.String != "":
			_ = json.Unmarshal([]byte(ref.String), &c.Reference)
		}
	}
	return &c, nil
}

// StudyActivity counts a study's current votes (skips excluded) and the
// annotators who cast them.
type StudyActivity struct {
	Votes      int `json:"votes"`
	Annotators int `json:"annotators"`
}

// StudiesActivity returns the activity of every study that has votes.
func (s *Store) StudiesActivity(ctx context.Context) (map[int64]StudyActivity, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT study_id, count(*), count(DISTINCT annotator_id) FROM votes
		WHERE study_id IS NOT NULL AND withdrawn_at IS NULL AND winner != 'skip' GROUP BY study_id`)
	if err != nil {
		return nil, fmt.Errorf("studies activity: %w", err)
	}
	defer rows.Close()
	out := map[int64]StudyActivity{}
	for rows.Next() {
		var id int64
		var a StudyActivity
		if err := rows.Scan(&id, &a.Votes, &a.Annotators); err != nil {
			return nil, fmt.Errorf("studies activity: %w", err)
		}
		out[id] = a
	}
	return out, rows.Err()
}
