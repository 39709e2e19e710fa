package audit

// AddAnnotatorAudit sets r.AnnotatorAudit from AuditAnnotators over votes
// (the gold answers among them, on the units of gold) with thresholds th and
// options opt, and appends its warnings to r.Warnings. The caller has left
// the excluded annotators' votes out of votes; excluded lists them for the
// report's scope.
func AddAnnotatorAudit(r *Report, votes []HumanVote, gold []GoldItem, excluded []*ExcludedAnnotator, th Thresholds, opt Options) error {
	th = th.withDefaults()
	aud, err := AuditAnnotators(votes, gold, th, opt)
	if err != nil {
		return err
	}
	sec := &AnnotatorAuditSection{Annotators: []*AnnotatorFigures{}, Flagged: []*FlaggedAnnotator{}, Excluded: excluded}
	if sec.Excluded == nil {
		sec.Excluded = []*ExcludedAnnotator{}
	}
	answered := map[pairUnit]bool{}
	for i := range votes {
		if !keepVote(&votes[i], opt.withDefaults()) {
			continue
		}
		if k, _, ok := canonVote(&votes[i]); ok {
			answered[k] = true
		}
	}
	for _, g := range gold {
		if k, _, ok := canonVote(&HumanVote{Question: g.Question, ModelA: g.ModelA, ModelB: g.ModelB, Turn: g.Turn, Choice: A}); ok && answered[k] {
			sec.GoldItems++
		}
	}
	for _, a := range aud.Annotators {
		agree, agreeNT := a.Agreement, a.AgreementNT
		f := &AnnotatorFigures{Name: a.Annotator, Votes: a.Votes, MedianTimeMS: a.MedianTimeMS, Agreement: &agree, AgreementNT: &agreeNT,
			Gold: a.Gold, Left: a.Left, Flags: a.Flags}
		if f.Flags == nil {
			f.Flags = []string{}
		}
		sec.Annotators = append(sec.Annotators, f)
		if len(a.Flags) > 0 {
			sec.Flagged = append(sec.Flagged, &FlaggedAnnotator{Name: a.Annotator, Reasons: a.Flags})
		}
	}
	sec.Kappa = &PairwiseKappa{Annotators: aud.Kappa.Annotators, Shared: aud.Kappa.Shared, Kappa: aud.Kappa.Kappa, MinShared: th.MinKappaUnits}
	if sec.Kappa.Annotators == nil {
		sec.Kappa.Annotators, sec.Kappa.Shared, sec.Kappa.Kappa = []string{}, [][]int{}, [][]Num{}
	}
	r.AnnotatorAudit = sec
	r.Warnings = append(r.Warnings, aud.Warnings...)
	return nil
}
