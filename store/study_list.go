package store

import (
	"context"
	"fmt"
)

// StudyListing is a study with everyone's current votes in it, as
// `concord study list` shows it.
type StudyListing struct {
	Study
	Activity StudyActivity `json:"activity"`
}

// StudyList lists the studies, newest first, each with its activity.
func (s *Store) StudyList(ctx context.Context) ([]StudyListing, error) {
	sts, err := s.Studies(ctx)
	if err != nil {
		return nil, err
	}
	activity, err := s.StudiesActivity(ctx)
	if err != nil {
		return nil, fmt.Errorf("study list: %w", err)
	}
	out := make([]StudyListing, 0, len(sts))
	for _, st := range sts {
		out = append(out, StudyListing{Study: st, Activity: activity[st.ID]})
	}
	return out, nil
}
