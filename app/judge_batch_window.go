package app

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"
)

// EventBatchStatus carries []BatchStatus whenever a batch changes, and once
// when the watcher stops.
const EventBatchStatus = "batch:status"

// batchWatch is the window's background collector of open batches: started
// at start-up when batches are open (so a closed or killed app loses
// nothing) and after a batch run is recorded.
type batchWatch struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	err    string // why the last watch stopped early, if it did
}

// batchPoll is the first wait between status checks; CONCORD_BATCH_POLL
// (a Go duration) shortens it for tests.
func batchPoll(getenv func(string) string) time.Duration {
	if d, err := time.ParseDuration(getenv("CONCORD_BATCH_POLL")); err == nil && d > 0 {
		return d
	}
	return 0
}

// watchBatches (re)starts the collector; it ends when no batch is open.
func (a *App) watchBatches() {
	a.stopBatches()
	a.batch.mu.Lock()
	defer a.batch.mu.Unlock()
	ctx, cancel := context.WithCancel(a.ctx)
	done := make(chan struct{})
	a.batch.cancel, a.batch.done, a.batch.err = cancel, done, ""
	emit := func() {
		if s, err := batchStatuses(context.WithoutCancel(ctx), a.store); err == nil {
			a.emit(EventBatchStatus, s)
		}
	}
	go func() {
		defer close(done)
		defer cancel()
		err := waitBatches(ctx, a.store, os.Getenv, nil, batchPoll(os.Getenv), emit)
		if err != nil && !errors.Is(err, context.Canceled) {
			a.batch.mu.Lock()
			a.batch.err = err.Error()
			a.batch.mu.Unlock()
		}
		emit()
	}()
}

// stopBatches stops the collector (the batches stay recorded).
func (a *App) stopBatches() {
	a.batch.mu.Lock()
	cancel, done := a.batch.cancel, a.batch.done
	a.batch.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// resumeBatches picks up the batches recorded by an earlier session.
func (a *App) resumeBatches() {
	if open, err := a.store.Batches(a.ctx, true); err == nil && len(open) > 0 {
		a.watchBatches()
	}
}

// BatchDryRun reports what a batch run would send and cost at the discount.
func (a *App) BatchDryRun(req JudgeRequest, opts BatchOptions) (*BatchPlan, error) {
	pb, err := prepareBatch(a.ctx, a.store, req, opts, os.Getenv)
	if err != nil {
		return nil, err
	}
	return &pb.plan, nil
}

// BatchStart records a batch run and starts sending and collecting it in
// the background; batch:status events follow its progress.
func (a *App) BatchStart(req JudgeRequest, opts BatchOptions) (*BatchPlan, error) {
	pb, err := prepareBatch(a.ctx, a.store, req, opts, os.Getenv)
	if err != nil {
		return nil, err
	}
	if _, err := pb.record(a.ctx, a.store, req); err != nil {
		return nil, err
	}
	a.watchBatches()
	return &pb.plan, nil
}

// BatchWatch is the recorded batches and whether the app is collecting them.
type BatchWatch struct {
	Batches  []BatchStatus `json:"batches"`
	Watching bool          `json:"watching"`
	Error    string        `json:"error,omitempty"` // why collecting stopped early
}

// BatchStatus lists every recorded batch with its failed lines.
func (a *App) BatchStatus() (*BatchWatch, error) {
	bs, err := batchStatuses(a.ctx, a.store)
	if err != nil {
		return nil, err
	}
	a.batch.mu.Lock()
	defer a.batch.mu.Unlock()
	w := &BatchWatch{Batches: bs, Error: a.batch.err}
	if a.batch.done != nil {
		select {
		case <-a.batch.done:
		default:
			w.Watching = true
		}
	}
	return w, nil
}

// BatchCancel cancels every open batch at the provider; what they finished
// is still collected.
func (a *App) BatchCancel() error {
	a.stopBatches()
	if err := cancelBatches(a.ctx, a.store, os.Getenv); err != nil {
		return err
	}
	a.watchBatches()
	return nil
}
