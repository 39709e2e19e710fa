package app

import (
	"context"
	"fmt"
	"strings"

	"concord/judge/audit"
	"concord/store"
)

// compareJudges reads ReportOptions.Compare: "A,B" compares judges A and B,
// a single name compares the report's judge with it; "" compares nothing.
func compareJudges(compare, judge string) (x, y string, err error) {
	compare = strings.TrimSpace(compare)
	if compare == "" {
		return "", "", nil
	}
	x, y, two := strings.Cut(compare, ",")
	x, y = strings.TrimSpace(x), strings.TrimSpace(y)
	if !two {
		x, y = judge, x
	}
	if x == "" || y == "" {
		return "", "", fmt.Errorf("compare %q: want two judges, JUDGE_A,JUDGE_B (or one to compare with the report's judge)", compare)
	}
	if x == y {
		return "", "", fmt.Errorf("compare %q: both judges are %q", compare, x)
	}
	return x, y, nil
}

// addReportExtras adds what the audit engine does not compute from votes and
// verdicts alone: the judge comparison and the judge's experiments.
func addReportExtras(ctx context.Context, s *store.Store, r *audit.Report, judge, group string, opts ReportOptions, ao audit.Options) error {
	if err := addComparison(ctx, s, r, judge, group, opts, ao); err != nil {
		return err
	}
	r.Experiments = []*audit.Experiment{}
	if judge == "" {
		return nil
	}
	all, err := judgeExperiments(ctx, s, "", ao.Confidence)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, e := range all { // the judge's probes, or the probe whose verdicts these are
		if e.Judge == judge || e.ProbeJudge == judge {
			r.Experiments = append(r.Experiments, e)
		}
	}
	return nil
}

// addComparison fills r.Comparison when opts.Compare names two judges.
func addComparison(ctx context.Context, s *store.Store, r *audit.Report, judge, group string, opts ReportOptions, ao audit.Options) error {
	x, y, err := compareJudges(opts.Compare, judge)
	if err != nil || x == "" {
		return err
	}
	var votes []audit.HumanVote
	var verdicts []audit.JudgeVerdict
	// The same annotators as the report: excluded ones take no part.
	sc, err := loadAnnotatorScope(ctx, s)
	if err != nil {
		return err
	}
	for _, name := range []string{x, y} {
		if _, err := resolveJudge(ctx, s, name); err != nil {
			return fmt.Errorf("report --compare: %w", err)
		}
		in, err := loadAuditInput(ctx, s, name, group, sc)
		if err != nil {
			return err
		}
		votes, verdicts = in.votes, append(verdicts, in.verdicts...)
	}
	return audit.AddComparison(r, votes, verdicts, x, y, ao)
}
