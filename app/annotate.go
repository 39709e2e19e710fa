package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"concord/store"
)

// StudySummary is a study with the current annotator's progress in it.
type StudySummary struct {
	store.Study
	// Progress is the local annotator's.
	Progress store.Progress `json:"progress"`
	// Activity counts everyone's current votes in the study.
	Activity store.StudyActivity `json:"activity"`
}

// AnnotateItem is one turn to vote, as the annotator sees it: no model
// names, no other votes, no judge verdicts. Questions, Left and Right hold
// the turns up to Turn (for turn 2, both whole conversations). Done is set,
// with only the study fields and Progress, when nothing is left to vote.
// Revisit marks a turn skipped once that comes back after every unvoted turn
// (see store.NextSkipped); SkippedLeft counts those still to look at again.
type AnnotateItem struct {
	StudyID      int64          `json:"study_id"`
	Study        string         `json:"study"`
	Instructions string         `json:"instructions"`
	Done         bool           `json:"done"`
	Pos          int            `json:"pos"`
	Turn         int            `json:"turn"`
	Turns        []int          `json:"turns"`
	QuestionKey  string         `json:"question_key"` // the question's id as its file spelled it, for the header
	Category     string         `json:"category"`
	Questions    []string       `json:"questions"`
	Left         []string       `json:"left"`
	Right        []string       `json:"right"`
	Reference    []string       `json:"reference"`
	Progress     store.Progress `json:"progress"`
	Revisit      bool           `json:"revisit"`
	SkippedLeft  int            `json:"skipped_left"`
	// Upcoming is the turn that follows this one once it is voted (any
	// choice), sent ahead so the window can lay it out while the annotator
	// reads; its Progress is as of now. Nil when none is known.
	Upcoming *AnnotateItem `json:"upcoming,omitempty"`
}

// VoteInput is the annotator's choice from the window; the annotator is the local one and
// the left model is looked up, never sent.
type VoteInput struct {
	StudyID   int64  `json:"study_id"`
	Pos       int    `json:"pos"`
	Turn      int    `json:"turn"`
	Choice    string `json:"choice"` // A, B, tie, both_bad or skip
	TimeMS    int64  `json:"time_ms"`
	Rationale string `json:"rationale"`
}

// CreateStudy creates a study from the imported data.
func (a *App) CreateStudy(spec store.StudySpec) (*store.Study, error) {
	return a.store.CreateStudy(a.ctx, spec)
}

// Studies lists the studies with the local annotator's progress.
func (a *App) Studies() ([]StudySummary, error) {
	sts, err := a.store.Studies(a.ctx)
	if err != nil {
		return nil, err
	}
	who, err := a.store.LocalAnnotator(a.ctx)
	if err != nil {
		return nil, err
	}
	activity, err := a.store.StudiesActivity(a.ctx)
	if err != nil {
		return nil, err
	}
	out := make([]StudySummary, 0, len(sts))
	for _, st := range sts {
		sum := StudySummary{Study: st, Progress: store.Progress{Total: st.Units}, Activity: activity[st.ID]}
		if who != "" {
			if sum.Progress, err = a.store.Progress(a.ctx, st.ID, who); err != nil {
				return nil, err
			}
		}
		out = append(out, sum)
	}
	return out, nil
}

// SetAnnotator remembers who is voting on this machine's database.
func (a *App) SetAnnotator(name string) error {
	return a.store.SetLocalAnnotator(a.ctx, name)
}

// Annotator returns the local annotator's name ("" until one is set).
func (a *App) Annotator() (string, error) {
	return a.store.LocalAnnotator(a.ctx)
}

func (a *App) annotator() (string, error) {
	who, err := a.store.LocalAnnotator(a.ctx)
	if err != nil {
		return "", err
	}
	if who == "" {
		return "", errors.New("identify yourself first: enter your annotator name")
	}
	return who, nil
}

// NextItem returns the local annotator's next unvoted turn in the study.
func (a *App) NextItem(studyID int64) (*AnnotateItem, error) {
	who, err := a.annotator()
	if err != nil {
		return nil, err
	}
	return nextItem(a.ctx, a.store, studyID, who)
}

func nextItem(ctx context.Context, s *store.Store, studyID int64, who string) (*AnnotateItem, error) {
	st, err := s.CachedStudy(ctx, studyID)
	if err != nil {
		return nil, err
	}
	item := &AnnotateItem{StudyID: st.ID, Study: st.Name, Instructions: st.Instructions}
	ns, err := s.NextTurns(ctx, studyID, who, 2)
	if err != nil {
		return nil, err
	}
	var n *store.Next
	if len(ns) > 0 {
		n = &ns[0]
	} else {
		var left int
		if n, left, err = s.NextSkipped(ctx, studyID, who); err != nil {
			return nil, err
		}
		item.Revisit, item.SkippedLeft = n != nil, left
	}
	if n == nil {
		item.Done = true
		item.Progress, err = s.Progress(ctx, studyID, who)
		return item, err
	}
	if err := fillItem(ctx, s, st, item, n); err != nil {
		return nil, err
	}
	if len(ns) > 1 {
		item.Upcoming = &AnnotateItem{StudyID: st.ID, Study: st.Name, Instructions: st.Instructions}
		if err := fillItem(ctx, s, st, item.Upcoming, &ns[1]); err != nil {
			return nil, err
		}
	}
	return item, nil
}

// fillItem puts the text of turn n into item: the turns up to it, the left
// and right answers as placed for the annotator, and the reference if allowed.
func fillItem(ctx context.Context, s *store.Store, st *store.Study, item *AnnotateItem, n *store.Next) error {
	c, err := s.StudyItemContent(ctx, n.Entry, st.ShowReference)
	if err != nil {
		return fmt.Errorf("next item: %w", err)
	}
	item.Pos, item.Turn, item.Turns, item.Progress = n.Entry.Pos, n.Turn, n.Entry.Turns, n.Progress
	item.QuestionKey, item.Category = c.Key, c.Category
	item.Questions = upTo(c.Questions, n.Turn)
	item.Left = upTo(c.Answers[n.Entry.Left], n.Turn)
	item.Right = upTo(c.Answers[n.Entry.Right()], n.Turn)
	item.Reference = upTo(c.Reference, n.Turn)
	return nil
}

// Vote records the annotator's choice (committed before it returns) and
// returns the next item. A choice on a skipped turn shown again replaces the
// skip.
func (a *App) Vote(in VoteInput) (*AnnotateItem, error) {
	if a.trace == nil {
		return a.vote(in)
	}
	t0 := time.Now()
	item, err := a.vote(in)
	a.trace.noteVote(time.Since(t0), item)
	return item, err
}

func (a *App) vote(in VoteInput) (*AnnotateItem, error) {
	who, err := a.annotator()
	if err != nil {
		return nil, err
	}
	req := store.VoteRequest{StudyID: in.StudyID, Annotator: who, Pos: in.Pos, Turn: in.Turn,
		Choice: in.Choice, TimeMS: in.TimeMS, Rationale: in.Rationale}
	if _, err := a.store.CastVote(a.ctx, req); err != nil {
		return nil, err
	}
	return nextItem(a.ctx, a.store, in.StudyID, who)
}

// Undo withdraws the local annotator's last vote in the study and returns
// the item to vote again.
func (a *App) Undo(studyID int64) (*AnnotateItem, error) {
	who, err := a.annotator()
	if err != nil {
		return nil, err
	}
	if _, err := a.store.Undo(a.ctx, studyID, who); err != nil {
		return nil, err
	}
	return nextItem(a.ctx, a.store, studyID, who)
}
