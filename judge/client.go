package judge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Completion is one judge response.
type Completion struct {
	Text      string
	TokensIn  int
	TokensOut int
}

// Completer sends one chat request: a system and a user message.
type Completer interface {
	Complete(ctx context.Context, system, user string) (Completion, error)
}

// ClientConfig configures the OpenAI-compatible client.
type ClientConfig struct {
	BaseURL     string // e.g. https://api.openai.com/v1, http://localhost:11434/v1, https://NAME.openai.azure.com
	Model       string
	APIKey      string // never stored, logged or put in an error
	Temperature float32
	MaxTokens   int
	HTTPClient  *http.Client // optional
}

// IsAzure reports whether a base URL points at Azure OpenAI.
func IsAzure(baseURL string) bool {
	u, err := url.Parse(baseURL)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return strings.HasSuffix(h, ".openai.azure.com") || strings.HasSuffix(h, ".azure-api.net") ||
		strings.HasSuffix(h, ".cognitiveservices.azure.com")
}

// OpenAIClient is a Completer over go-openai.
type OpenAIClient struct {
	cfg    ClientConfig
	client *openai.Client
}

// NewOpenAIClient builds a client for an OpenAI, Azure OpenAI or any
// OpenAI-compatible server.
func NewOpenAIClient(cfg ClientConfig) *OpenAIClient {
	return &OpenAIClient{cfg: cfg, client: openai.NewClientWithConfig(openaiConfig(cfg))}
}

// openaiConfig is go-openai's configuration for cfg's server and key.
func openaiConfig(cfg ClientConfig) openai.ClientConfig {
	var oc openai.ClientConfig
	if IsAzure(cfg.BaseURL) {
		oc = openai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
	} else {
		oc = openai.DefaultConfig(cfg.APIKey)
		if cfg.BaseURL != "" {
			oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
		}
	}
	hc := cfg.HTTPClient
	if hc == nil {
		// Keep a connection per worker alive: the default transport keeps
		// only 2 per host, and a run has up to Concurrency requests in flight.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 256
		hc = &http.Client{Transport: tr}
	}
	oc.HTTPClient = headerCapture{hc}
	return oc
}

// headerCapture records the Retry-After header of failed responses into the
// request's context, since go-openai's typed errors do not carry headers.
type headerCapture struct{ c *http.Client }

type retryAfterKey struct{}

func (h headerCapture) Do(req *http.Request) (*http.Response, error) {
	resp, err := h.c.Do(req)
	if err == nil && resp.StatusCode >= 400 {
		if p, ok := req.Context().Value(retryAfterKey{}).(*time.Duration); ok {
			*p = parseRetryAfter(resp.Header, time.Now())
		}
	}
	return resp, err
}

// parseRetryAfter reads Retry-After (seconds or an HTTP date) and the
// OpenAI-specific retry-after-ms; zero when absent.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Complete implements Completer. Errors are *RequestError, scrubbed of the key.
func (c *OpenAIClient) Complete(ctx context.Context, system, user string) (Completion, error) {
	req := chatRequest(c.cfg.Model, c.cfg.Temperature, c.cfg.MaxTokens, system, user)
	var retryAfter time.Duration
	ctx = context.WithValue(ctx, retryAfterKey{}, &retryAfter)
	resp, err := c.client.CreateChatCompletion(ctx, req)
	if err != nil {
		return Completion{}, classify(ctx, err, retryAfter, c.cfg.APIKey)
	}
	if len(resp.Choices) == 0 {
		return Completion{}, &RequestError{Kind: KindTransient, Msg: "response has no choices"}
	}
	return Completion{
		Text:      Scrub(resp.Choices[0].Message.Content, c.cfg.APIKey),
		TokensIn:  resp.Usage.PromptTokens,
		TokensOut: resp.Usage.CompletionTokens,
	}, nil
}

// chatRequest is the chat request a judge sends, live or in a batch.
func chatRequest(model string, temperature float32, maxTokens int, system, user string) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{
		Model: model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
		Temperature: temperature,
		MaxTokens:   maxTokens,
	}
	if openai.NewReasoningValidator().Validate(req) != nil {
		// Reasoning models take max_completion_tokens and a fixed temperature.
		req.MaxCompletionTokens, req.MaxTokens, req.Temperature = req.MaxTokens, 0, 0
	}
	return req
}

// Kind classifies a failed request.
type Kind int

// Kinds of request failure.
const (
	KindTransient Kind = iota // 429, 5xx, timeouts, broken responses: retry with backoff
	KindFatal                 // 401, 403, 404: stop the run
	KindPermanent             // other 4xx: record the game as an error
	KindCanceled              // the run was cancelled
)

// RequestError is a failed judge request, with a message safe to store and show.
type RequestError struct {
	Kind       Kind
	Status     int           // HTTP status, 0 when none
	RetryAfter time.Duration // from the Retry-After header, 0 when absent
	Msg        string        // scrubbed
}

func (e *RequestError) Error() string {
	if e.Status > 0 {
		return fmt.Sprintf("judge request: status %d: %s", e.Status, e.Msg)
	}
	return "judge request: " + e.Msg
}

// maxErrLen bounds the server text kept in an error.
const maxErrLen = 300

func classify(ctx context.Context, err error, retryAfter time.Duration, key string) error {
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
		return &RequestError{Kind: KindCanceled, Msg: "cancelled"}
	}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	status, msg := 0, ""
	switch {
	case errors.As(err, &apiErr):
		status, msg = apiErr.HTTPStatusCode, apiErr.Message
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
		msg = http.StatusText(status)
		if len(reqErr.Body) > 0 {
			msg = string(reqErr.Body)
		}
	}
	if status > 0 {
		e := &RequestError{Status: status, RetryAfter: retryAfter, Msg: clip(scrubError(msg, key))}
		switch {
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			e.Kind = KindFatal
			e.Msg = "the server refused the API key (" + http.StatusText(status) + "); check the key and its permissions: " + e.Msg
		case status == http.StatusNotFound:
			e.Kind = KindFatal
			e.Msg = "not found; check the base URL and the model name: " + e.Msg
		case status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500:
			e.Kind = KindTransient
		default:
			e.Kind = KindPermanent
		}
		return e
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return &RequestError{Kind: KindTransient, Msg: "timed out"}
	}
	// Connection failures and undecodable (e.g. truncated) responses: transient.
	// The message is rebuilt from the error text, scrubbed and clipped, since
	// url.Error embeds the URL (which may carry an Azure key in its query).
	return &RequestError{Kind: KindTransient, Msg: clip(scrubError(err.Error(), key))}
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > maxErrLen {
		return string(r[:maxErrLen]) + "…"
	}
	return s
}

var secretLike = regexp.MustCompile(`(?i)(sk-[A-Za-z0-9_\-]{8,}|bearer\s+[A-Za-z0-9_\-.=]{8,}|api[-_]?key=[^&\s"]+)`)

// Scrub removes every occurrence of the API key from text that may be stored,
// logged or shown (a model's output included: a server could echo it).
func Scrub(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "[redacted]")
}

// scrubError is Scrub plus anything shaped like an API key or a bearer token,
// for server error text, which has no reason to contain either.
func scrubError(s, key string) string {
	return secretLike.ReplaceAllString(Scrub(s, key), "[redacted]")
}
