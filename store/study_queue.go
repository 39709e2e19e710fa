package store

import (
	"context"
	"fmt"
	"hash/fnv"
	mrand "math/rand/v2"
	"sort"
	"sync"
)

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

// Queue returns the study's items in the annotator's order with their
// left/right placement, both derived only from (seed, annotator name), so
// the same annotator always gets the same queue. Study items never change,
// so queues are cached.
func (s *Store) Queue(ctx context.Context, studyID int64, annotator string) ([]QueueEntry, error) {
	k := queueKey{studyID, annotator}
	s.cache.mu.Lock()
	q, ok := s.cache.queues[k]
	s.cache.mu.Unlock()
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
	if q, err = s.fixedQueue(ctx, studyID, items); err != nil {
		return nil, err
	}
	if q == nil {
		q = BuildQueue(items, st.Seed, annotator)
	}
	s.cache.mu.Lock()
	if s.cache.queues == nil || len(s.cache.queues) >= 64 {
		s.cache.queues = map[queueKey][]QueueEntry{}
	}
	s.cache.queues[k] = q
	s.cache.mu.Unlock()
	return q, nil
}

// studyCache keeps, for the life of a Store, what never changes once a
// study is created: the stored studies and the annotators' queues derived
// from them (pure functions of immutable rows; at most 64 queues).
type studyCache struct {
	mu      sync.Mutex
	studies map[int64]*Study
	queues  map[queueKey][]QueueEntry
}

type queueKey struct {
	study     int64
	annotator string
}

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

// NextTurns returns up to n of the annotator's next unvoted turns in queue
// order, each with the current progress: the first is what NextItem returns,
// the ones after it are what will follow if it is voted (whatever the
// choice, skips included), so a window can prepare them while the annotator reads.
func (s *Store) NextTurns(ctx context.Context, studyID int64, annotator string, n int) ([]Next, error) {
	q, err := s.Queue(ctx, studyID, annotator)
	if err != nil {
		return nil, err
	}
	done, ms, err := s.doneTurns(ctx, studyID, annotator, q)
	if err != nil {
		return nil, err
	}
	p := progressOf(q, done, ms)
	var out []Next
	for _, e := range q {
		for _, t := range e.Turns {
			if len(out) == n {
				return out, nil
			}
			if !done[[2]int{e.Pos, t}] {
				out = append(out, Next{Entry: e, Turn: t, Progress: p})
			}
		}
	}
	return out, nil
}

// NextSkipped returns the first turn of the annotator's queue whose current
// vote is a skip and which has been skipped only once, with the number of
// such turns; nil and 0 when there are none. NextItem comes first: callers
// ask for a skipped turn only when NextItem has nothing left.
func (s *Store) NextSkipped(ctx context.Context, studyID int64, annotator string) (*Next, int, error) {
	q, err := s.Queue(ctx, studyID, annotator)
	if err != nil {
		return nil, 0, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT question_id, model_a, model_b, turn,
			coalesce(max(CASE WHEN withdrawn_at IS NULL THEN winner END), ''), sum(winner = 'skip')
		FROM votes WHERE study_id = ? AND annotator_id = (SELECT id FROM annotators WHERE name = ?)
		GROUP BY question_id, model_a, model_b, turn`, studyID, annotator)
	if err != nil {
		return nil, 0, fmt.Errorf("study %d skipped turns: %w", studyID, err)
	}
	defer rows.Close()
	type unit struct {
		qid  int
		a, b string
		turn int
	}
	again := map[unit]bool{}
	for rows.Next() {
		var u unit
		var cur string
		var skips int
		if err := rows.Scan(&u.qid, &u.a, &u.b, &u.turn, &cur, &skips); err != nil {
			return nil, 0, fmt.Errorf("study %d skipped turns: %w", studyID, err)
		}
		if cur == ChoiceSkip && skips == 1 {
			again[u] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("study %d skipped turns: %w", studyID, err)
	}
	if len(again) == 0 {
		return nil, 0, nil
	}
	var first *Next
	for _, e := range q {
		for _, t := range e.Turns {
			if again[unit{e.QuestionID, e.ModelA, e.ModelB, t}] && first == nil {
				first = &Next{Entry: e, Turn: t}
			}
		}
	}
	if first == nil {
		return nil, 0, nil
	}
	if first.Progress, err = s.Progress(ctx, studyID, annotator); err != nil {
		return nil, 0, err
	}
	return first, len(again), nil
}

// fixedQueue is the queue a study package stores (study_queue: its order
// and left model per item, the same for whoever opens the package), or nil
// for a study without one.
func (s *Store) fixedQueue(ctx context.Context, studyID int64, items []StudyItem) ([]QueueEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT pos, left_model FROM study_queue WHERE study_id = ? ORDER BY ord`, studyID)
	if err != nil {
		return nil, fmt.Errorf("study %d queue: %w", studyID, err)
	}
	defer rows.Close()
	byPos := make(map[int]StudyItem, len(items))
	for _, it := range items {
		byPos[it.Pos] = it
	}
	var q []QueueEntry
	for rows.Next() {
		var pos int
		var left string
		if err := rows.Scan(&pos, &left); err != nil {
			return nil, fmt.Errorf("study %d queue: %w", studyID, err)
		}
		it, ok := byPos[pos]
		if !ok || (left != it.ModelA && left != it.ModelB) {
			return nil, fmt.Errorf("study %d queue: item %d is not in the study or %q is not one of its models", studyID, pos, left)
		}
		q = append(q, QueueEntry{StudyItem: it, Left: left})
	}
	return q, rows.Err()
}
