package judge

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter spaces requests (or tokens) to a rate per minute with a burst, as a
// golang.org/x/time/rate token bucket: Wait(n) reserves n tokens, possibly going
// into debt, and sleeps until the debt is paid, so waiters are served in arrival
// order and large requests are not starved. A nil *limiter never waits.
type limiter struct {
	r *rate.Limiter
}

func newLimiter(perMinute, burst float64) *limiter {
	if perMinute <= 0 {
		return nil
	}
	return &limiter{r: rate.NewLimiter(rate.Limit(perMinute/60), max(1, int(math.Round(burst))))}
}

// Wait blocks until n tokens (rounded up) are available or ctx ends. A request
// larger than the burst waits for a full bucket and then takes it all.
func (l *limiter) Wait(ctx context.Context, n float64) error {
	if l == nil {
		return nil
	}
	k := min(int(math.Ceil(n)), l.r.Burst())
	if err := ctx.Err(); err != nil {
		return err
	}
	res := l.r.ReserveN(time.Now(), k)
	wait := res.Delay()
	if wait == 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		res.Cancel() // give back what was never used
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
