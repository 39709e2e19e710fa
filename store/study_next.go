package store

import "context"

// NextTurns returns up to n of the annotator's next unvoted turns in queue
// order, each with the current progress: the first is what NextItem returns,
// the ones after it are what will follow if it is voted (whatever the
// verdict, skips included), so a window can prepare them while the annotator reads.
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
