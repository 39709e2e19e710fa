package app

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"concord/judge"
	"concord/judge/audit"
	"concord/store"
)

func (c *cli) probeCmd() *cobra.Command {
	var req ProbeRequest
	var models, turns string
	var timeout time.Duration
	var temp float64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "probe KIND --base-url URL --model NAME [flags]",
		Short: "Run a judge experiment: verbosity, reference, labels or repeat",
		Long: `Run a judge experiment (STATS.md section 10) with the judge's own settings.
verbosity: answers holding a Markdown list against a padded copy that restates the
items before the list (--rewrite-model to rephrase through a model, else a fixed
lead-in), judged in both orders; failure rate = the judge preferred the padded copy.
reference: math, reasoning and coding units with a reference, judged with the
prompt set's reference-guided prompt and with its plain prompt; a failure is a
combined verdict for the answer the reference shows wrong (--truth number: the
reference's final number matches exactly one answer's; --truth humans: a strict
majority of the unit's human votes picks the other); failures with and without
the reference, and both runs' agreement with humans on those units.
labels: a sample of units judged in both orders with the labels A and B and with
two neutral names (--labels, a prompt transformation that renames the labels and
the verdict tokens); the share of decisive games won by the answer shown first in
each run, and its difference, the preference for the label A itself (stored as
kind "position").
repeat: a sample of units the judge already judged, judged again; self-agreement and
flip rate. Verdicts are stored under JUDGE@KIND-ID; running the same command again
resumes the experiment. Results show in concord report.`,
		Example: `  concord probe verbosity --base-url https://api.openai.com/v1 --model gpt-4o
  concord probe repeat --base-url http://localhost:11434/v1 --model llama3 --sample 100`,
		GroupID:   "audit",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{store.ExperimentVerbosity, store.ExperimentReference, "labels", store.ExperimentRepeat},
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			req.Kind = args[0]
			if req.Kind == "labels" {
				req.Kind = store.ExperimentPosition // stored under the position kind
			}
			if !slices.Contains([]string{store.ExperimentVerbosity, store.ExperimentReference, store.ExperimentPosition, store.ExperimentRepeat}, req.Kind) {
				return usagef("probe %q: want verbosity, reference, labels or repeat", req.Kind)
			}
			if req.BaseURL == "" || req.Model == "" {
				return usagef("probe: --base-url and --model are required (the judge's own settings)")
			}
			var err error
			req.Temperature, req.TimeoutSec = float32(temp), timeout.Seconds()
			req.Models = splitList(models)
			if req.Turns, err = parseInts(turns); err != nil {
				return usagef("--turns: %v", err)
			}
			st, err := c.env.OpenStore()
			if err != nil {
				return err
			}
			defer st.Close()
			var mu sync.Mutex
			p := c.progress(!asJSON)
			onProgress := func(pr judge.Progress) {
				mu.Lock()
				defer mu.Unlock()
				p.show("%s", progressBar(pr))
			}
			log := func(s string) {
				mu.Lock()
				defer mu.Unlock()
				p.clear()
				fmt.Fprintln(c.env.Stderr, s)
			}
			res, pp, err := runProbe(ctx, st, req, c.env.getenv, onProgress, log)
			p.clear()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.env.Stdout, res)
			}
			verb := "resumed"
			if pp.created {
				verb = "created"
			}
			fmt.Fprintf(c.env.Stdout, "experiment %d (%s, %s), verdicts stored as %s\n", res.ID, res.Kind, verb, res.ProbeJudge)
			fmt.Fprintln(c.env.Stdout, probeSummary(res))
			return nil
		}),
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.StringVar(&req.BaseURL, "base-url", "", "the judge's OpenAI-compatible API base URL")
	f.StringVar(&req.Model, "model", "", "the judge's model")
	f.StringVar(&req.Name, "name", "", "the judge's name (default: the model); repeat re-runs its verdicts")
	f.StringVar(&req.Prompt, "prompt", "concord", "prompt set (concord, fastchat) or one prompt's name")
	f.Float64Var(&temp, "temperature", 0, "sampling temperature (repeat at another temperature to see its effect)")
	f.IntVar(&req.MaxTokens, "max-tokens", judge.DefaultMaxTokens, "maximum tokens per judgment")
	f.IntVar(&req.Sample, "sample", 0, "items to draw (default: 23 for verbosity and 20 for reference, as the MT-Bench paper; 50 for labels and repeat)")
	f.Uint64Var(&req.Seed, "seed", 1, "which items are drawn")
	f.StringVar(&models, "models", "", "verbosity: only these models' answers (default: all)")
	f.StringVar(&turns, "turns", "1", "verbosity: turns whose answers may be padded; reference: turns to judge")
	f.StringVar(&req.Truth, "truth", TruthNumber, "reference: which answer is wrong: number (the reference's final number) or humans (a strict human majority)")
	f.StringVar(&req.RewriteModel, "rewrite-model", "", "verbosity: rephrase the list through this model (default: the offline rewriter)")
	f.StringVar(&req.RewriteBaseURL, "rewrite-base-url", "", "verbosity: the rewriting model's base URL (default: --base-url)")
	f.IntVar(&req.Concurrency, "concurrency", judge.DefaultConcurrency, "concurrent requests")
	f.IntVar(&req.RPM, "rpm", 0, "requests per minute limit (0: none)")
	f.IntVar(&req.TPM, "tpm", 0, "tokens per minute limit, estimated (0: none)")
	f.DurationVar(&timeout, "timeout", judge.DefaultTimeout, "per-request timeout")
	f.StringVar(&req.APIKeyEnv, "api-key-env", DefaultAPIKeyEnv, "environment variable holding the API key (else the key file saved by the app)")
	f.StringVar(&req.Labels, "labels", strings.Join(judge.DefaultNeutralLabels[:], ","), "labels: the two neutral names that replace A and B")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// estPct writes a difference of shares in percentage points with its interval.
func estPct(e *audit.Estimate) string {
	if e == nil || math.IsNaN(float64(e.Value)) {
		return "n/a"
	}
	s := fmt.Sprintf("%+.1f points", 100*float64(e.Value))
	if e.CI != nil {
		s += fmt.Sprintf(" [%+.1f, %+.1f]", 100*float64(e.CI[0]), 100*float64(e.CI[1]))
	}
	return s
}

// probeSummary is one line stating an experiment's result.
func probeSummary(e *audit.Experiment) string {
	ci := func(s *audit.Share) string {
		if s.CI == nil {
			return ""
		}
		return fmt.Sprintf(" [%.1f%%, %.1f%%]", 100*float64(s.CI[0]), 100*float64(s.CI[1]))
	}
	tail := fmt.Sprintf(" (%d of %d items judged, %d with errors, %d pending)", e.Judged, e.Items, e.Errors, e.Pending)
	switch {
	case e.Failures != nil:
		return fmt.Sprintf("failure rate %.1f%% (%d/%d)%s, %d inconsistent", 100*float64(e.Failures.Rate), e.Failures.Count, e.Failures.N, ci(e.Failures), e.Inconsistent) + tail
	case e.FailuresWithReference != nil:
		w, o := e.FailuresWithReference, e.FailuresWithoutReference
		s := fmt.Sprintf("failures with the reference %d/%d%s, without %d/%d%s", w.Count, w.N, ci(w), o.Count, o.N, ci(o))
		if h := e.HumanAgreement; h != nil {
			s += fmt.Sprintf("; agreement with humans %.1f%% with, %.1f%% without (%d comparisons)", 100*float64(h.Sides[0].WithTies.Rate),
				100*float64(h.Sides[1].WithTies.Rate), h.Sides[0].WithTies.N)
		}
		return s + tail
	case e.FirstWithLetters != nil:
		return fmt.Sprintf("first position wins %.1f%% of decisive games with A/B%s, %.1f%% with neutral names%s; label A preference %s",
			100*float64(e.FirstWithLetters.Rate), ci(e.FirstWithLetters), 100*float64(e.FirstWithNames.Rate), ci(e.FirstWithNames), estPct(e.LabelPreference)) + tail
	case e.SelfAgreement != nil:
		return fmt.Sprintf("self-agreement %.1f%% (%d/%d)%s, flips %.1f%%%s", 100*float64(e.SelfAgreement.Rate), e.SelfAgreement.Count,
			e.SelfAgreement.N, ci(e.SelfAgreement), 100*float64(e.Flips.Rate), ci(e.Flips)) + tail
	}
	return tail
}
