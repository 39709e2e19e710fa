package app

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"concord/judge/audit"
	"concord/store"
)

// AnnotatorProgress is one annotator's work on a study, for the lead.
type AnnotatorProgress struct {
	Annotator string `json:"annotator"`
	Package   string `json:"package"` // package id; "" for an annotator who voted in this database
	Packed    int    `json:"packed"`  // study items packed for them
	Gold      int    `json:"gold"`    // gold items packed
	Returned  bool   `json:"returned"`
	Votes     int    `json:"votes"`   // current votes, gold and skips left out
	TimeMS    int64  `json:"time_ms"` // time on task over those votes
	// MedianMS is the median time per vote; a median under the pace
	// threshold (audit.Thresholds.MinMedianTimeMS) makes a pace outlier.
	MedianMS     audit.Num `json:"median_ms"`
	PaceOutlier  bool      `json:"pace_outlier"`
	GoldAnswered int       `json:"gold_answered"`
	GoldAccuracy audit.Num `json:"gold_accuracy"` // NaN (null) without gold answers
	Agreement    audit.Num `json:"agreement"`     // leave-one-out agreement with the others, ties counted
	Shared       int       `json:"shared"`        // units compared for it
	LeftRate     audit.Num `json:"left_rate"`
	Flags        []string  `json:"flags"`
	Excluded     bool      `json:"excluded"`
}

// StudyProgress is the lead's view of a study's annotators.
type StudyProgress struct {
	StudyID    int64               `json:"study_id"`
	Study      string              `json:"study"`
	Annotators []AnnotatorProgress `json:"annotators"`
	Kappa      audit.KappaMatrix   `json:"kappa"`
}

// studyProgress assembles the progress of every annotator of a study who
// has a package or a vote in it: counts from the store, agreement, gold
// accuracy, left rate and flags from audit.AuditAnnotators (gold choices
// enter it as units of their own, so they touch no other statistic).
func studyProgress(ctx context.Context, s *store.Store, studyID int64) (*StudyProgress, error) {
	st, err := s.Study(ctx, studyID)
	if err != nil {
		return nil, err
	}
	pkgs, err := s.StudyPackages(ctx, studyID)
	if err != nil {
		return nil, err
	}
	votes, err := s.StudyVotes(ctx, studyID)
	if err != nil {
		return nil, err
	}
	gold, err := s.StudyGoldVotes(ctx, studyID)
	if err != nil {
		return nil, err
	}
	excluded, err := s.ExcludedAnnotators(ctx, studyID)
	if err != nil {
		return nil, err
	}
	byName := map[string]*AnnotatorProgress{}
	var order []string
	get := func(name string) *AnnotatorProgress {
		if p, ok := byName[name]; ok {
			return p
		}
		p := &AnnotatorProgress{Annotator: name, Excluded: excluded[name], Flags: []string{}}
		byName[name] = p
		order = append(order, name)
		return p
	}
	for _, pk := range pkgs {
		p := get(pk.Annotator)
		p.Package, p.Packed, p.Gold, p.Returned = pk.ID, pk.Items, pk.Gold, pk.ReturnedAt != nil
	}
	var hv []audit.HumanVote
	for _, v := range votes {
		l, err := audit.ParseLabel(v.Winner)
		if err != nil {
			continue
		}
		p := get(v.Annotator)
		p.Votes++
		p.TimeMS += v.TimeMS
		hv = append(hv, audit.HumanVote{Question: v.QuestionID, ModelA: v.ModelA, ModelB: v.ModelB, Turn: v.Turn, Choice: l,
			Annotator: v.Annotator, Left: v.Left, TimeMS: v.TimeMS})
	}
	var gi []audit.GoldItem
	for _, g := range gold {
		get(g.Annotator)
		v, item := goldAudit(g)
		hv = append(hv, v)
		gi = append(gi, item)
	}
	slices.Sort(order)
	out := &StudyProgress{StudyID: st.ID, Study: st.Name, Annotators: []AnnotatorProgress{},
		Kappa: audit.KappaMatrix{Annotators: []string{}, Shared: [][]int{}, Kappa: [][]audit.Num{}}}
	th := audit.DefaultThresholds()
	var aud *audit.AnnotatorAudit
	if len(hv) > 0 {
		if aud, err = audit.AuditAnnotators(hv, dedupeGold(gi), th, audit.Options{Bootstrap: -1}); err != nil {
			return nil, fmt.Errorf("study %d progress: %w", studyID, err)
		}
		out.Kappa = aud.Kappa
	}
	for _, name := range order {
		p := byName[name]
		p.MedianMS, p.GoldAccuracy, p.Agreement, p.LeftRate = audit.Num(math.NaN()), audit.Num(math.NaN()), audit.Num(math.NaN()), audit.Num(math.NaN())
		if aud != nil {
			for _, a := range aud.Annotators {
				if a.Annotator != name {
					continue
				}
				p.MedianMS = a.MedianTimeMS
				p.PaceOutlier = !math.IsNaN(float64(a.MedianTimeMS)) && int64(a.MedianTimeMS) < th.MinMedianTimeMS
				p.Agreement, p.Shared = a.Agreement.Rate, a.Agreement.N
				if a.Gold != nil {
					p.GoldAnswered, p.GoldAccuracy = a.Gold.N, a.Gold.Rate
				}
				if a.Left != nil {
					p.LeftRate = a.Left.Rate
				}
				p.Flags = append(p.Flags, a.Flags...)
			}
		}
		out.Annotators = append(out.Annotators, *p)
	}
	return out, nil
}

// dedupeGold keeps one gold item per unit (two annotators' packages may
// carry the same question, each with gold pseudo-models of its own).
func dedupeGold(gi []audit.GoldItem) []audit.GoldItem {
	seen := map[string]bool{}
	var out []audit.GoldItem
	for _, g := range gi {
		k := strconv.Itoa(g.Question) + g.ModelA + g.ModelB + strconv.Itoa(g.Turn)
		if !seen[k] {
			seen[k] = true
			out = append(out, g)
		}
	}
	return out
}

// StudyProgress returns the lead's view of a study's annotators.
func (a *App) StudyProgress(studyID int64) (*StudyProgress, error) {
	return studyProgress(a.ctx, a.store, studyID)
}

// SetAnnotatorExcluded leaves an annotator out of a study's report, or takes them back.
func (a *App) SetAnnotatorExcluded(studyID int64, annotator string, excluded bool) error {
	return a.store.SetAnnotatorExcluded(a.ctx, studyID, annotator, excluded)
}
