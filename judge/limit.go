package judge

import (
	"context"
	"sync"
	"time"
)

// limiter is a token bucket: it refills at rate tokens per second up to
// burst, and Wait(n) takes n tokens, waiting until they are there. Waiters are
// served in arrival order (each reserves its tokens, possibly going into
// debt, then sleeps until the debt is paid), so large requests are not starved.
// A nil *limiter never waits.
type limiter struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

func newLimiter(perMinute, burst float64) *limiter {
	if perMinute <= 0 {
		return nil
	}
	return &limiter{rate: perMinute / 60, burst: burst, tokens: burst, now: time.Now}
}

// Wait blocks until n tokens are available or ctx ends. A request larger than
// the burst waits for a full bucket and then takes it all.
func (l *limiter) Wait(ctx context.Context, n float64) error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	now := l.now()
	if !l.last.IsZero() {
		l.tokens += now.Sub(l.last).Seconds() * l.rate
		if l.tokens > l.burst {
			l.tokens = l.burst
		}
	}
	l.last = now
	if n > l.burst {
		n = l.burst
	}
	l.tokens -= n
	var wait time.Duration
	if l.tokens < 0 {
		wait = time.Duration(-l.tokens / l.rate * float64(time.Second))
	}
	l.mu.Unlock()
	if wait == 0 {
		return ctx.Err()
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		l.tokens += n // give back what was never used
		l.mu.Unlock()
		return ctx.Err()
	}
}

// gate holds every worker until a time, after a server asked to wait (a 429
// with Retry-After applies to the whole client, not only to one request).
type gate struct {
	mu    sync.Mutex
	until time.Time
}

func (g *gate) holdUntil(t time.Time) {
	g.mu.Lock()
	if t.After(g.until) {
		g.until = t
	}
	g.mu.Unlock()
}

func (g *gate) wait(ctx context.Context) error {
	for {
		g.mu.Lock()
		d := time.Until(g.until)
		g.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}
