package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"concord/judge"
)

// gamesError is a run whose games (or ratings) partly ended in errors (exit code 1).
type gamesError struct {
	errors, total int
	noun          string // "games" or "ratings"
}

func (e *gamesError) Error() string {
	return fmt.Sprintf("judge: %d of %d %s ended in errors (stored with their output; run the same command again to retry them)", e.errors, e.total, e.noun)
}

// judgeResult is what judge --json prints.
type judgeResult struct {
	Plan     JudgePlan       `json:"plan"`
	Progress *judge.Progress `json:"progress"` // null after a dry run
}

func (c *cli) judgeCmd() *cobra.Command {
	var req JudgeRequest
	var models, pairs, turns, cats, questions string
	var timeout time.Duration
	var temp float64
	var dry, asJSON bool
	var bf batchFlags
	cmd := &cobra.Command{
		Use:   "judge --base-url URL --model NAME [flags]",
		Short: "Run an LLM judge over stored answers, pairwise in both orders or rating each answer (resumable)",
		Long: `Run an OpenAI-compatible judge over the stored answers, each unit in both
presentation orders. Verdicts are committed as they arrive: cancelling (Ctrl+C)
keeps them, and running the same command again resumes and retries errored games.
With --mode single the judge rates every selected model's answer from 1 to 10
instead (turn 2 with the whole conversation, math, reasoning and coding with the
reference), one request per answer and turn, stored as ratings.
The API key comes from --api-key-env (default OPENAI_API_KEY), else the key file
saved by the app; it is never stored or printed.`,
		Example: `  concord judge --base-url https://api.openai.com/v1 --model gpt-4o --dry-run
  concord judge --base-url http://localhost:11434/v1 --model llama3 --pairs gpt-4:vicuna-13b --turns 1`,
		GroupID: "audit",
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			if err := noArgs(cmd, args); err != nil {
				return err
			}
			if bf.status || bf.cancel {
				return c.batchAdmin(ctx, bf, asJSON)
			}
			if req.BaseURL == "" || req.Model == "" {
				return usagef("judge: --base-url and --model are required")
			}
			if models != "" && pairs != "" {
				return usagef("judge: give --models or --pairs, not both")
			}
			if req.StudyID != 0 {
				var clash []string
				cmd.Flags().Visit(func(f *pflag.Flag) {
					switch f.Name {
					case "models", "pairs", "turns", "categories", "questions":
						clash = append(clash, "--"+f.Name)
					}
				})
				if len(clash) > 0 {
					return usagef("--study selects the study's items; drop %s", strings.Join(clash, ", "))
				}
			}
			var err error
			req.Temperature = float32(temp)
			req.TimeoutSec = timeout.Seconds()
			req.Models, req.Pairs, req.Categories = splitList(models), splitList(pairs), splitList(cats)
			if req.Turns, err = parseInts(turns); err != nil {
				return usagef("--turns: %v", err)
			}
			req.QuestionKeys = splitList(questions)
			if _, err := parsePairs(req.Pairs); err != nil {
				return usagef("--pairs: %v", err)
			}
			if bf.batch {
				return c.runJudgeBatch(ctx, req, bf, dry, asJSON)
			}
			return c.runJudge(ctx, req, dry, asJSON)
		}),
	}
	f := cmd.Flags()
	f.SortFlags = false
	f.StringVar(&req.BaseURL, "base-url", "", "OpenAI-compatible API base URL, e.g. https://api.openai.com/v1, http://localhost:11434/v1, or an Azure OpenAI endpoint")
	f.StringVar(&req.Model, "model", "", "judge model (an Azure deployment name for Azure)")
	f.StringVar(&req.Name, "name", "", "judge name for reports and exports (default: the model)")
	f.StringVar(&models, "models", "", "comma-separated models: judge every pair among them (default: all models)")
	f.StringVar(&pairs, "pairs", "", "comma-separated model pairs a:b (instead of --models)")
	f.StringVar(&turns, "turns", "", "comma-separated turns to judge (default: every turn each question has)")
	f.StringVar(&cats, "categories", "", "comma-separated question categories (default: all)")
	f.StringVar(&questions, "questions", "", "comma-separated question ids as the files spell them, e.g. 81,writing_1 (default: all)")
	f.Int64Var(&req.StudyID, "study", 0, "judge exactly this study's items, each (question, pair) in the study's turns (see concord study list); instead of the selection flags")
	f.IntVar(&req.Concurrency, "concurrency", judge.DefaultConcurrency, "concurrent requests")
	f.IntVar(&req.RPM, "rpm", 0, "requests per minute limit (0: none)")
	f.IntVar(&req.TPM, "tpm", 0, "tokens per minute limit, estimated (0: none)")
	f.DurationVar(&timeout, "timeout", judge.DefaultTimeout, "per-request timeout")
	f.StringVar(&req.Mode, "mode", ModePairwise, "pairwise (each unit in both orders) or single (rate every selected model's answer 1-10, stored as ratings)")
	f.StringVar(&req.Prompt, "prompt", "concord", "prompt set (concord, fastchat) or one prompt's name")
	f.StringVar(&req.APIKeyEnv, "api-key-env", DefaultAPIKeyEnv, "environment variable holding the API key (else the key file saved by the app)")
	f.Float64Var(&temp, "temperature", 0, "sampling temperature")
	f.IntVar(&req.MaxTokens, "max-tokens", judge.DefaultMaxTokens, "maximum tokens per judgment")
	f.BoolVar(&dry, "dry-run", false, "print what would be sent and its estimated cost, send nothing")
	f.BoolVar(&asJSON, "json", false, "print the plan and the final counters as JSON instead of text")
	addBatchFlags(f, &bf)
	cmd.AddCommand(c.judgeListCmd())
	return cmd
}

// judgeListCmd lists the judges whose verdicts or ratings the database holds.
func (c *cli) judgeListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the judges whose verdicts or ratings the database holds",
		Args:  noArgs,
		RunE: c.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			s, err := c.openExisting("judge list")
			if err != nil {
				return err
			}
			defer s.Close()
			in, err := s.Info(ctx)
			if err != nil {
				return err
			}
			list := judgeListings(in)
			if asJSON {
				return writeJSON(c.env.Stdout, list)
			}
			tw := tabwriter.NewWriter(c.env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "JUDGE\tVERDICTS\tBOTH ORDERS\tERRORS\tRATINGS\tRATING ERRORS")
			for _, j := range list {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", j.Name, j.Verdicts, j.BothOrder, j.Errors, j.Ratings, j.RatingErrors)
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the list as JSON")
	return cmd
}

// runJudge prepares the run the window would make from req, prints its
// plan, and (unless dry) runs it with progress on a terminal.
func (c *cli) runJudge(ctx context.Context, req JudgeRequest, dry, asJSON bool) error {
	env := c.env
	st, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer st.Close()
	pr, err := prepareJudge(ctx, st, req, env.getenv)
	if err != nil {
		return err
	}
	if asJSON && (dry || pr.requests() == 0) {
		return writeJSON(env.Stdout, judgeResult{Plan: pr.plan})
	}
	if !asJSON {
		printPlan(env.Stdout, pr.plan, dry)
	}
	if dry || pr.requests() == 0 {
		return nil
	}
	r := pr.runner(st)
	bar := env.IsTerminal && !asJSON
	if bar {
		r.ProgressEvery = 200 * time.Millisecond
	} else {
		r.ProgressEvery = 10 * time.Second
	}
	var outMu sync.Mutex
	r.OnProgress = func(p judge.Progress) {
		outMu.Lock()
		defer outMu.Unlock()
		switch {
		case bar:
			fmt.Fprint(env.Stderr, "\r\033[K"+progressBar(p))
		case !p.Finished && !asJSON:
			fmt.Fprintln(env.Stdout, progressLine(pr.cfg.Name, pr.plan.Mode, p))
		}
	}
	r.Log = func(s string) {
		outMu.Lock()
		defer outMu.Unlock()
		if bar {
			fmt.Fprint(env.Stderr, "\r\033[K")
		}
		fmt.Fprintln(env.Stderr, s)
	}
	res, err := pr.run(ctx, r)
	results, _ := runNouns(pr.plan.Mode)
	if bar {
		fmt.Fprintln(env.Stderr)
	}
	if asJSON {
		if jerr := writeJSON(env.Stdout, judgeResult{Plan: pr.plan, Progress: &res.Progress}); jerr != nil {
			return jerr
		}
	} else {
		fmt.Fprintln(env.Stdout, progressLine(pr.cfg.Name, pr.plan.Mode, res.Progress))
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("judge: cancelled after %d of %d %s; run the same command again to resume: %w", res.Done, res.Total, results, err)
		}
		return err
	}
	if res.Errors > 0 {
		return &gamesError{errors: res.Errors, total: res.Total, noun: results}
	}
	return nil
}

func printPlan(w io.Writer, p JudgePlan, dry bool) {
	verb := "will send"
	if dry {
		verb = "would send"
	}
	fmt.Fprintf(w, "judge %s (model %s, prompts %s, API key: %s)\n", p.Judge, p.Model, p.PromptSet, p.KeySource)
	results, units := runNouns(p.Mode)
	fmt.Fprintf(w, "%s %d requests for %d %s (%d %s already done", verb, p.Requests, p.Units, units, p.Done, results)
	if p.Retry > 0 {
		fmt.Fprintf(w, ", %d errored %s to retry", p.Retry, results)
	}
	fmt.Fprintln(w, ")")
	for reason, n := range p.Skipped {
		fmt.Fprintf(w, "skipped %d %s: %s\n", n, units, reason)
	}
	fmt.Fprintf(w, "estimated tokens: %d in, %d out\n", p.TokensIn, p.TokensOut)
	if p.CostKnown {
		fmt.Fprintf(w, "estimated cost: $%.2f (at $%.2f / $%.2f per million tokens in / out)\n", p.Cost, p.Price.InputPerMillion, p.Price.OutputPerMillion)
	} else {
		fmt.Fprintf(w, "estimated cost: unknown (no price for %s", p.Model)
		if p.PriceFile != "" {
			fmt.Fprintf(w, "; add one to %s", p.PriceFile)
		}
		fmt.Fprintln(w, ")")
	}
	fmt.Fprintln(w, p.Note)
}

func progressLine(name, mode string, p judge.Progress) string {
	results, _ := runNouns(mode)
	s := fmt.Sprintf("judge %s: %d/%d %s, %d errors, %.1f/min", name, p.Done, p.Total, results, p.Errors, p.PerMinute)
	if p.ETA > 0 && !p.Finished {
		s += ", ETA " + p.ETA.Round(time.Second).String()
	}
	if p.Finished {
		s += ", took " + p.Elapsed.Round(time.Second).String()
	}
	return s
}

func progressBar(p judge.Progress) string {
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = width * p.Done / p.Total
	}
	eta := "--"
	if p.ETA > 0 {
		eta = p.ETA.Round(time.Second).String()
	}
	return fmt.Sprintf("[%s%s] %d/%d  errors %d  %.0f/min  ETA %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		p.Done, p.Total, p.Errors, p.PerMinute, eta)
}
