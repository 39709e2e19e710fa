package judge

// Exported for tests in judge_test.
var (
	ParseRetryAfter = parseRetryAfter
	NewLimiter      = newLimiter
)

// Limiter exposes the token bucket's Wait to tests.
type Limiter = limiter
