package app

import (
	"context"
	"fmt"
	"slices"

	"concord/judge/audit"
	"concord/store"
)

// studyAnnotator names an annotator within a study.
type studyAnnotator struct {
	study     int64
	annotator string
}

// annotatorScope is what the report's annotator audit needs beyond the
// votes: the annotators the lead excluded (per study) and the gold answers
// returned in study packages.
type annotatorScope struct {
	studyName map[int64]string
	excluded  map[studyAnnotator]bool
	dropped   map[studyAnnotator]int // votes left out, per excluded annotator
	goldVotes []audit.HumanVote
	gold      []audit.GoldItem
}

// loadAnnotatorScope reads every study's excluded annotators and the gold
// answers of its packages (excluded annotators' left out).
func loadAnnotatorScope(ctx context.Context, s *store.Store) (*annotatorScope, error) {
	studies, err := s.Studies(ctx)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	sc := &annotatorScope{studyName: map[int64]string{}, excluded: map[studyAnnotator]bool{}, dropped: map[studyAnnotator]int{}}
	for _, st := range studies {
		sc.studyName[st.ID] = st.Name
		ex, err := s.ExcludedAnnotators(ctx, st.ID)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		for a := range ex {
			sc.excluded[studyAnnotator{st.ID, a}] = true
			sc.dropped[studyAnnotator{st.ID, a}] += 0
		}
		gold, err := s.StudyGoldVotes(ctx, st.ID)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		for _, g := range gold {
			if ex[g.Annotator] {
				continue
			}
			v, item := goldAudit(g)
			sc.goldVotes = append(sc.goldVotes, v)
			sc.gold = append(sc.gold, item)
		}
	}
	return sc, nil
}

// goldAudit turns a choice on a gold item into the audit's terms: a vote
// with the intact answer as model A (good → A, bad → B, else a tie) and the
// gold item it answers.
func goldAudit(g store.GoldVote) (audit.HumanVote, audit.GoldItem) {
	l := audit.Tie
	switch g.Choice {
	case "good":
		l = audit.A
	case "bad":
		l = audit.B
	}
	return audit.HumanVote{Question: g.QuestionID, ModelA: g.Good, ModelB: g.Bad, Turn: g.Turn, Choice: l, Annotator: g.Annotator, TimeMS: g.TimeMS},
		audit.GoldItem{Question: g.QuestionID, ModelA: g.Good, ModelB: g.Bad, Turn: g.Turn, Better: g.Good}
}

// keep reports whether a vote enters the report, counting those of
// excluded annotators.
func (sc *annotatorScope) keep(v *store.Vote) bool {
	if sc == nil || v.StudyID == 0 {
		return true
	}
	k := studyAnnotator{v.StudyID, v.Annotator}
	if sc.excluded[k] {
		sc.dropped[k]++
		return false
	}
	return true
}

// excludedList lists the excluded annotators for the report's scope.
func (sc *annotatorScope) excludedList() []*audit.ExcludedAnnotator {
	out := []*audit.ExcludedAnnotator{}
	for k, n := range sc.dropped {
		out = append(out, &audit.ExcludedAnnotator{Study: sc.studyName[k.study], Annotator: k.annotator, Votes: n})
	}
	slices.SortFunc(out, func(a, b *audit.ExcludedAnnotator) int {
		if a.Study != b.Study {
			if a.Study < b.Study {
				return -1
			}
			return 1
		}
		if a.Annotator < b.Annotator {
			return -1
		}
		if a.Annotator > b.Annotator {
			return 1
		}
		return 0
	})
	return out
}

// addAnnotatorAudit adds the annotator audit to r: the kept votes and the
// gold answers, gold units kept out of agreement.
func addAnnotatorAudit(r *audit.Report, in *auditInput, sc *annotatorScope, opt audit.Options) error {
	group := map[string]string{}
	for _, v := range in.votes {
		group[v.Annotator] = v.Group
	}
	votes := slices.Clone(in.votes)
	for _, g := range sc.goldVotes {
		g.Group = group[g.Annotator]
		votes = append(votes, g)
	}
	if err := audit.AddAnnotatorAudit(r, votes, dedupeGold(sc.gold), sc.excludedList(), audit.Thresholds{}, opt); err != nil {
		return fmt.Errorf("report: annotators: %w", err)
	}
	return nil
}
