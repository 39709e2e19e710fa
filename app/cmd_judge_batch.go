package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"concord/judge"
)

// batchFlags are judge's flags for runs through a provider's Batch API.
type batchFlags struct {
	batch, status, cancel, wait bool
	poll                        time.Duration
	opts                        BatchOptions
}

func addBatchFlags(f *pflag.FlagSet, bf *batchFlags) {
	f.BoolVar(&bf.batch, "batch", false, "send the run through the provider's Batch API (about half the price, results within 24 hours); the batches are recorded and collected by --batch-status or the app")
	f.Float64Var(&bf.opts.Discount, "batch-discount", DefaultBatchDiscount, "the Batch API's discount off the live price, for the dry run's estimate (0 to 1)")
	f.IntVar(&bf.opts.MaxRequests, "batch-max-requests", judge.DefaultBatchMaxRequests, "requests per batch")
	f.IntVar(&bf.opts.MaxBytes, "batch-max-bytes", judge.DefaultBatchMaxBytes, "bytes per batch request file")
	f.BoolVar(&bf.wait, "wait", false, "with --batch or --batch-status: wait until every batch has ended and its results are stored")
	f.DurationVar(&bf.poll, "batch-poll", 10*time.Second, "with --wait: the first wait between status checks (doubles while nothing changes, up to 5 minutes)")
	f.BoolVar(&bf.status, "batch-status", false, "check the recorded batches, store the results of finished ones, and list them (with --json as JSON)")
	f.BoolVar(&bf.cancel, "batch-cancel", false, "cancel every open batch at the provider (what they finished is still stored)")
}

// batchReport is what judge --batch --json prints.
type batchReport struct {
	Plan    BatchPlan     `json:"plan"`
	Batches []BatchStatus `json:"batches"` // null after a dry run
}

// runJudgeBatch plans a batch run; unless dry, it records the batches,
// sends them, and (with --wait) collects their results.
func (c *cli) runJudgeBatch(ctx context.Context, req JudgeRequest, bf batchFlags, dry, asJSON bool) error {
	env := c.env
	st, err := env.OpenStore()
	if err != nil {
		return err
	}
	defer st.Close()
	pb, err := prepareBatch(ctx, st, req, bf.opts, env.getenv)
	if err != nil {
		return err
	}
	if !asJSON {
		printBatchPlan(env.Stdout, pb.plan, dry)
	}
	if dry || len(pb.tasks) == 0 {
		if asJSON {
			return writeJSON(env.Stdout, batchReport{Plan: pb.plan})
		}
		return nil
	}
	if _, err := pb.record(ctx, st, req); err != nil {
		return err
	}
	if err := c.collectBatches(ctx, bf, asJSON); err != nil {
		return err
	}
	all, err := batchStatuses(ctx, st)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(env.Stdout, batchReport{Plan: pb.plan, Batches: all})
	}
	printBatches(env.Stdout, all)
	if !bf.wait {
		fmt.Fprintln(env.Stdout, "the batches are recorded: run concord judge --batch-status (or open the app) to collect their results")
	}
	return nil
}

// collectBatches takes the open batches as far as they go now, or to their end.
func (c *cli) collectBatches(ctx context.Context, bf batchFlags, quiet bool) error {
	st, err := c.env.OpenStore()
	if err != nil {
		return err
	}
	defer st.Close()
	var mu sync.Mutex
	log := func(s string) {
		if !quiet {
			mu.Lock()
			fmt.Fprintln(c.env.Stderr, s)
			mu.Unlock()
		}
	}
	if bf.wait {
		err = waitBatches(ctx, st, c.env.getenv, log, bf.poll, nil)
	} else {
		err = refreshBatches(ctx, st, c.env.getenv, log)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("judge: stopped waiting; the batches are recorded and collected by concord judge --batch-status: %w", err)
	}
	return err
}

// batchAdmin is --batch-status and --batch-cancel.
func (c *cli) batchAdmin(ctx context.Context, bf batchFlags, asJSON bool) error {
	st, err := c.openExisting("judge")
	if err != nil {
		return err
	}
	defer st.Close()
	if bf.cancel {
		if err := cancelBatches(ctx, st, c.env.getenv); err != nil {
			return err
		}
	}
	if err := c.collectBatches(ctx, bf, asJSON); err != nil {
		return err
	}
	all, err := batchStatuses(ctx, st)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(c.env.Stdout, all)
	}
	printBatches(c.env.Stdout, all)
	return nil
}

func printBatchPlan(w io.Writer, p BatchPlan, dry bool) {
	printPlan(w, p.JudgePlan, dry)
	if p.InBatches > 0 {
		results, _ := runNouns(p.Mode)
		fmt.Fprintf(w, "%d %s are already in open batches and are not sent again\n", p.InBatches, results)
	}
	fmt.Fprintf(w, "in %d batches", p.Parts)
	if p.CostKnown {
		fmt.Fprintf(w, ", estimated batch cost: $%.2f (%.0f%% off)", p.BatchCost, 100*p.Discount)
	}
	fmt.Fprintln(w)
}

func printBatches(w io.Writer, bs []BatchStatus) {
	if len(bs) == 0 {
		fmt.Fprintln(w, "no batches recorded")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BATCH\tJUDGE\tPROVIDER ID\tSTATUS\tREQUESTS\tCOMPLETED\tFAILED\tSTORED\tDONE")
	failed := 0
	for _, b := range bs {
		done := "no"
		if b.Ingested {
			done = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", b.ID, b.Judge, b.RemoteID, b.Status, b.Requests, b.Completed, b.Failed, b.Stored, done)
		failed += len(b.FailedLines)
	}
	tw.Flush()
	if failed > 0 {
		fmt.Fprintf(w, "%d lines failed at the provider (listed with --json); they are pending again: run the same judge command, live or with --batch, to re-run them\n", failed)
		for _, b := range bs {
			for i, l := range b.FailedLines {
				if i == 5 {
					fmt.Fprintf(w, "  batch %d: … and %d more\n", b.ID, len(b.FailedLines)-5)
					break
				}
				fmt.Fprintf(w, "  batch %d: %s: %s\n", b.ID, l.CustomID, l.Error)
			}
		}
	}
}
