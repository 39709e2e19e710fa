package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	mrand "math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"concord/store/outcome"
)

// LocalGroup is the group of an annotator first seen in the app.
const LocalGroup = "local"

// MaxVoteTimeMS caps the time on task stored with one vote (one hour): a
// longer figure means the clock was left running, not work.
const MaxVoteTimeMS = 3600_000

// Verdicts an annotator can give, in screen terms (A is the left answer).
const (
	VerdictA       = "A"
	VerdictB       = "B"
	VerdictTie     = "tie"
	VerdictBothBad = "both_bad"
	VerdictSkip    = "skip"
)

// ErrNothingToUndo is returned by Undo when the annotator has no current vote in the study.
var ErrNothingToUndo = errors.New("nothing to undo")

// ErrAlreadyVoted is returned by RecordVote when the item's turn already has a current vote.
var ErrAlreadyVoted = errors.New("this turn already has a vote; undo it first")

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
	// ignored (see studies_units.go).
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

// QueueEntry is an item as one annotator sees it: Left is the model shown on the left.
type QueueEntry struct {
	StudyItem
	Left string `json:"left"`
}

// Right is the model shown on the right.
func (e QueueEntry) Right() string {
	if e.Left == e.ModelA {
		return e.ModelB
	}
	return e.ModelA
}

// Progress is an annotator's progress in a study. PaceMS is the mean focused
// time per vote (skips included): TimeMS / Done, 0 when nothing is done.
type Progress struct {
	Done   int   `json:"done"`
	Total  int   `json:"total"`
	TimeMS int64 `json:"time_ms"`
	PaceMS int64 `json:"pace_ms"`
}

// Next is the next unvoted turn of an annotator's queue.
type Next struct {
	Entry    QueueEntry `json:"entry"`
	Turn     int        `json:"turn"`
	Progress Progress   `json:"progress"`
}

// VoteRequest is one verdict on the turn of a study item.
type VoteRequest struct {
	StudyID   int64  `json:"study_id"`
	Annotator string `json:"annotator"`
	Pos       int    `json:"pos"`
	Turn      int    `json:"turn"`
	// Verdict is "A" (left better), "B" (right better), "tie", "both_bad" or "skip".
	Verdict   string `json:"verdict"`
	TimeMS    int64  `json:"time_ms"`
	Rationale string `json:"rationale"`
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

// Queue returns the study's items in the annotator's order with their
// left/right placement, both derived only from (seed, annotator name), so
// the same annotator always gets the same queue. Study items never change,
// so queues are cached.
func (s *Store) Queue(ctx context.Context, studyID int64, annotator string) ([]QueueEntry, error) {
	k := queueKey{s, studyID, annotator}
	queues.mu.Lock()
	q, ok := queues.m[k]
	queues.mu.Unlock()
	if ok {
		return q, nil
	}
	st, err := s.Study(ctx, studyID)
	if err != nil {
		return nil, err
	}
	items, err := s.StudyItems(ctx, studyID)
	if err != nil {
		return nil, err
	}
	q = BuildQueue(items, st.Seed, annotator)
	queues.mu.Lock()
	if len(queues.m) >= 64 {
		clear(queues.m)
	}
	queues.m[k] = q
	queues.mu.Unlock()
	return q, nil
}

type queueKey struct {
	s         *Store
	study     int64
	annotator string
}

// queues caches derived queues; entries are pure functions of immutable rows.
var queues = struct {
	mu sync.Mutex
	m  map[queueKey][]QueueEntry
}{m: map[queueKey][]QueueEntry{}}

// BuildQueue orders items for one annotator and places each pair's models
// left and right, counterbalanced: within each model pair, half its items
// (in a random choice) show model_a on the left and half model_b; the one
// item left over in pairs with an odd count is oriented along walks of an
// Euler-style orientation of the leftover graph, so each model's
// left-minus-right count is at most 1 in size for the annotator.
func BuildQueue(items []StudyItem, seed int64, annotator string) []QueueEntry {
	h := fnv.New64a()
	h.Write([]byte(annotator))
	rng := mrand.New(mrand.NewPCG(uint64(seed), h.Sum64()))
	q := make([]QueueEntry, len(items))
	for i, it := range items {
		q[i] = QueueEntry{StudyItem: it}
	}
	rng.Shuffle(len(q), func(a, b int) { q[a], q[b] = q[b], q[a] })

	byPair := map[[2]string][]int{}
	var pairs [][2]string
	for i, e := range q {
		k := [2]string{e.ModelA, e.ModelB}
		if _, ok := byPair[k]; !ok {
			pairs = append(pairs, k)
		}
		byPair[k] = append(byPair[k], i)
	}
	var leftover []int // one queue index per odd-sized pair
	for _, k := range pairs {
		idx := append([]int(nil), byPair[k]...)
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		half := len(idx) / 2
		for j, i := range idx {
			switch {
			case j < half:
				q[i].Left = q[i].ModelA
			case j < 2*half:
				q[i].Left = q[i].ModelB
			default:
				leftover = append(leftover, i)
			}
		}
	}
	orientLeftovers(q, leftover, rng)
	return q
}

// orientLeftovers sets Left on the leftover items (edges between models) so
// that every model's out-degree (times on the left) and in-degree differ by
// at most one: walks start at odd-degree vertices first, and each walk
// leaves its start, balances every vertex it passes, and ends where it gets stuck.
func orientLeftovers(q []QueueEntry, edges []int, rng *mrand.Rand) {
	adj := map[string][]int{} // model -> edge numbers
	var verts []string
	for n, i := range edges {
		for _, m := range []string{q[i].ModelA, q[i].ModelB} {
			if _, ok := adj[m]; !ok {
				verts = append(verts, m)
			}
			adj[m] = append(adj[m], n)
		}
	}
	sort.Strings(verts)
	rng.Shuffle(len(verts), func(a, b int) { verts[a], verts[b] = verts[b], verts[a] })
	used := make([]bool, len(edges))
	remaining := func(v string) int {
		c := 0
		for _, n := range adj[v] {
			if !used[n] {
				c++
			}
		}
		return c
	}
	for {
		start := ""
		for _, v := range verts {
			if r := remaining(v); r%2 == 1 {
				start = v
				break
			}
		}
		if start == "" {
			for _, v := range verts {
				if remaining(v) > 0 {
					start = v
					break
				}
			}
		}
		if start == "" {
			return
		}
		for v := start; ; {
			next := -1
			for _, n := range adj[v] {
				if !used[n] {
					next = n
					break
				}
			}
			if next < 0 {
				break
			}
			used[next] = true
			e := &q[edges[next]]
			e.Left = v
			v = e.Right()
		}
	}
}

// doneTurns returns the set of (pos, turn) with a current vote (skips
// included) of the annotator in the study, and the summed time on task.
func (s *Store) doneTurns(ctx context.Context, studyID int64, annotator string, q []QueueEntry) (map[[2]int]bool, int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT v.question_id, v.model_a, v.model_b, v.turn, v.time_ms FROM votes v
		WHERE v.study_id = ? AND v.annotator_id = (SELECT id FROM annotators WHERE name = ?) AND v.withdrawn_at IS NULL`, studyID, annotator)
	if err != nil {
		return nil, 0, fmt.Errorf("study %d progress: %w", studyID, err)
	}
	defer rows.Close()
	type unit struct {
		qid  int
		a, b string
	}
	pos := make(map[unit]int, len(q))
	for _, e := range q {
		pos[unit{e.QuestionID, e.ModelA, e.ModelB}] = e.Pos
	}
	done := map[[2]int]bool{}
	var total int64
	for rows.Next() {
		var u unit
		var turn int
		var ms int64
		if err := rows.Scan(&u.qid, &u.a, &u.b, &turn, &ms); err != nil {
			return nil, 0, err
		}
		if p, ok := pos[u]; ok {
			done[[2]int{p, turn}] = true
			total += ms
		}
	}
	return done, total, rows.Err()
}

func progressOf(q []QueueEntry, done map[[2]int]bool, timeMS int64) Progress {
	p := Progress{TimeMS: timeMS}
	for _, e := range q {
		for _, t := range e.Turns {
			p.Total++
			if done[[2]int{e.Pos, t}] {
				p.Done++
			}
		}
	}
	if p.Done > 0 {
		p.PaceMS = timeMS / int64(p.Done)
	}
	return p
}

// Progress returns the annotator's progress in a study.
func (s *Store) Progress(ctx context.Context, studyID int64, annotator string) (Progress, error) {
	q, err := s.Queue(ctx, studyID, annotator)
	if err != nil {
		return Progress{}, err
	}
	done, ms, err := s.doneTurns(ctx, studyID, annotator, q)
	if err != nil {
		return Progress{}, err
	}
	return progressOf(q, done, ms), nil
}

// NextItem returns the first turn in the annotator's queue without a current
// vote (turn 1 of an item before its turn 2), or nil when all are done.
func (s *Store) NextItem(ctx context.Context, studyID int64, annotator string) (*Next, error) {
	next, err := s.NextTurns(ctx, studyID, annotator, 1)
	if err != nil || len(next) == 0 {
		return nil, err
	}
	return &next[0], nil
}

// canonicalWinner maps a screen verdict to the stored winner given the left
// model: the screen's pair is (left, right), the table's (ModelA, ModelB).
func canonicalWinner(verdict string, e QueueEntry) (string, error) {
	w, err := outcome.ParseScreen(verdict)
	if err != nil {
		return "", fmt.Errorf("unknown verdict %q (want A, B, tie, both_bad or skip)", verdict)
	}
	if e.Left != e.ModelA {
		w = w.Swap()
	}
	return w.Vote(), nil
}

func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RecordVote stores one verdict as a new row of the votes log, in one
// transaction that has committed when it returns. The left model comes from
// the annotator's queue, never from the caller. An annotator not yet known
// is created in group "local".
func (s *Store) RecordVote(ctx context.Context, req VoteRequest) (*Vote, error) {
	req.Annotator = strings.TrimSpace(req.Annotator)
	if req.Annotator == "" {
		return nil, errors.New("vote: identify yourself first (annotator name is empty)")
	}
	q, err := s.Queue(ctx, req.StudyID, req.Annotator)
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	var entry QueueEntry
	found := false
	for _, e := range q {
		if e.Pos == req.Pos {
			entry, found = e, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("vote: study %d has no item %d", req.StudyID, req.Pos)
	}
	if !slices.Contains(entry.Turns, req.Turn) {
		return nil, fmt.Errorf("vote: item %d of study %d has no turn %d to vote", req.Pos, req.StudyID, req.Turn)
	}
	it := entry.StudyItem
	winner, err := canonicalWinner(req.Verdict, entry)
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	ms := min(max(req.TimeMS, 0), MaxVoteTimeMS)
	now := s.Now().UTC()
	v := &Vote{UID: newUID(), Annotator: req.Annotator, QuestionID: it.QuestionID, ModelA: it.ModelA, ModelB: it.ModelB,
		Turn: req.Turn, Winner: winner, Left: entry.Left, StudyID: req.StudyID, CreatedAt: now, TimeMS: ms,
		Rationale: strings.TrimSpace(req.Rationale), Source: "concord"}
	err = s.Write(ctx, func(tx *sql.Tx) error {
		aid, grp, err := ensureAnnotator(ctx, tx, req.Annotator)
		if err != nil {
			return err
		}
		v.Group = grp
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM votes WHERE annotator_id = ? AND study_id = ? AND question_id = ? AND model_a = ? AND model_b = ? AND turn = ? AND withdrawn_at IS NULL`,
			aid, req.StudyID, it.QuestionID, it.ModelA, it.ModelB, req.Turn).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadyVoted
		}
		return insertVote(ctx, tx, v, aid, now)
	})
	if err != nil {
		return nil, fmt.Errorf("vote: %w", err)
	}
	return v, nil
}

// insertVote appends a vote made in the app to the log and sets its ID.
func insertVote(ctx context.Context, tx *sql.Tx, v *Vote, annotatorID int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO votes(uid, annotator_id, question_id, model_a, model_b, turn, winner, left_model, study_id, created_at, time_ms, rationale, source)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.UID, annotatorID, v.QuestionID, v.ModelA, v.ModelB, v.Turn, v.Winner, v.Left, v.StudyID, now.Format(time.RFC3339Nano), v.TimeMS, v.Rationale, v.Source)
	if err != nil {
		return err
	}
	v.ID, _ = res.LastInsertId()
	return nil
}

func ensureAnnotator(ctx context.Context, tx *sql.Tx, name string) (int64, string, error) {
	var id int64
	var grp string
	err := tx.QueryRowContext(ctx, `SELECT id, grp FROM annotators WHERE name = ?`, name).Scan(&id, &grp)
	if err == nil {
		return id, grp, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, "", err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO annotators(name, grp) VALUES (?, ?)`, name, LocalGroup)
	if err != nil {
		return 0, "", err
	}
	id, _ = res.LastInsertId()
	return id, LocalGroup, nil
}

// Undo withdraws the annotator's latest current vote in the study (the row
// stays in the log with withdrawn_at set) and returns it.
func (s *Store) Undo(ctx context.Context, studyID int64, annotator string) (*Vote, error) {
	var v Vote
	err := s.Write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT v.id, v.uid, v.question_id, v.model_a, v.model_b, v.turn, v.winner, coalesce(v.left_model, '')
			FROM votes v JOIN annotators a ON a.id = v.annotator_id
			WHERE v.study_id = ? AND a.name = ? AND v.withdrawn_at IS NULL ORDER BY v.id DESC LIMIT 1`, studyID, annotator).
			Scan(&v.ID, &v.UID, &v.QuestionID, &v.ModelA, &v.ModelB, &v.Turn, &v.Winner, &v.Left)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNothingToUndo
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE votes SET withdrawn_at = ? WHERE id = ?`, s.Now().UTC().Format(time.RFC3339Nano), v.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("undo: %w", err)
	}
	v.Annotator, v.StudyID = annotator, studyID
	return &v, nil
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
	var ref sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT category, turns, reference FROM questions WHERE question_id = ?`, e.QuestionID).Scan(&c.Category, &turns, &ref)
	if err != nil {
		return nil, fmt.Errorf("question %d: %w", e.QuestionID, err)
	}
	if err := json.Unmarshal([]byte(turns), &c.Questions); err != nil {
		return nil, fmt.Errorf("question %d: %w", e.QuestionID, err)
	}
	c.Answers = map[string][]string{}
	for _, m := range []string{e.ModelA, e.ModelB} {
		var t string
		err := s.read.QueryRowContext(ctx, `SELECT a.turns FROM answers a JOIN models m ON m.id = a.model_id WHERE a.question_id = ? AND m.name = ?`, e.QuestionID, m).Scan(&t)
		if err != nil {
			return nil, fmt.Errorf("question %d answer: %w", e.QuestionID, err)
		}
		var ts []string
		if err := json.Unmarshal([]byte(t), &ts); err != nil {
			return nil, fmt.Errorf("question %d answer: %w", e.QuestionID, err)
		}
		c.Answers[m] = ts
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
