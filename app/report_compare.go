package app

import (
	"context"
	"fmt"
	"math"
	"strings"

	"concord/app/settings"
	"concord/judge"
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
	if err := audit.AddComparison(r, votes, verdicts, x, y, ao); err != nil {
		return err
	}
	return addSpend(ctx, s, r.Comparison)
}

// addSpend fills each side's cost and latency per verdict over the units
// both judges judged without error, priced by the price table (the settings
// file, else the defaults).
func addSpend(ctx context.Context, s *store.Store, c *audit.Comparison) error {
	type unit struct {
		q      int
		m1, m2 string
		t      int
	}
	byJudge := map[string]map[unit]store.Verdict{}
	for _, side := range c.Sides {
		vs, err := s.Verdicts(ctx, side.Judge)
		if err != nil {
			return fmt.Errorf("report --compare: %w", err)
		}
		m := map[unit]store.Verdict{}
		for _, v := range vs {
			if v.Combined != "error" && v.Combined != "" {
				m[unit{v.QuestionID, v.Model1, v.Model2, v.Turn}] = v
			}
		}
		byJudge[side.Judge] = m
	}
	prices, _, err := settings.PriceLookup()
	if err != nil {
		prices = judge.DefaultPrices() // an unreadable price file: the report still shows tokens and latency
	}
	x, y := byJudge[c.Sides[0].Judge], byJudge[c.Sides[1].Judge]
	for i, side := range c.Sides {
		other := y
		if i == 1 {
			other = x
		}
		var n, latN int
		var in, out, lat float64
		model := ""
		for k, v := range byJudge[side.Judge] {
			if _, ok := other[k]; !ok {
				continue
			}
			model = v.JudgeModel
			games := []*store.Game{v.G1, v.G2}
			tokens, ms := 0, int64(0)
			for _, g := range games {
				if g != nil {
					in, out, tokens, ms = in+float64(g.TokensIn), out+float64(g.TokensOut), tokens+g.TokensIn+g.TokensOut, ms+g.LatencyMS
				}
			}
			if tokens > 0 {
				n++
			}
			if ms > 0 {
				lat += float64(ms)
				latN++
			}
		}
		sp := &audit.Spend{Model: model, Verdicts: n, TokensIn: audit.Num(math.NaN()), TokensOut: audit.Num(math.NaN()),
			LatencyMS: audit.Num(math.NaN())}
		if n > 0 {
			sp.TokensIn, sp.TokensOut = audit.Num(in/float64(n)), audit.Num(out/float64(n))
			if p, ok := prices.Lookup(model); ok {
				usd := (in*p.InputPerMillion + out*p.OutputPerMillion) / 1e6 / float64(n)
				sp.USD = &usd
			}
		}
		if latN > 0 {
			sp.LatencyMS = audit.Num(lat / float64(latN))
		}
		c.Sides[i].Spend = sp
	}
	return nil
}
