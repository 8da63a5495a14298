package exportapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind sorts failures by what the person reading the message can do about them.
type Kind int

const (
	// KindKeyRejected means 401/403, the API key is wrong, revoked or lacks the plan.
	KindKeyRejected Kind = iota + 1
	// KindBotNotFound means 404, the bot name or id is unknown to the account.
	KindBotNotFound
	// KindBadRequest means another 4xx; upstream refused the parameters.
	KindBadRequest
	// KindRateLimited means the rate limit could not be waited out before the deadline.
	KindRateLimited
	// KindUnavailable means 5xx or a broken connection, still failing after retries.
	KindUnavailable
	// KindBadResponse means a body that is not the documented JSON, after retries.
	KindBadResponse
	// KindCursorLoop means a cursor came back that this export had already followed.
	KindCursorLoop
	// KindTooManyRecords means the export passed the maxRecords budget.
	KindTooManyRecords
	// KindTimeout means the query's own deadline passed.
	KindTimeout
	// KindCanceled means the caller went away (a closed panel).
	KindCanceled
	// KindRedirected means the server redirected to another origin, where the key must not go.
	KindRedirected
)

// Error is every failure the client returns. Its text is meant for a dashboard
// user; it never holds the API key.
type Error struct {
	Kind     Kind
	Endpoint string
	// Status is the HTTP status of the last response, 0 when there was none.
	Status int
	// RetryAt is set for KindRateLimited: when the API accepts requests again.
	RetryAt time.Time
	msg     string
	cause   error
}

func (e *Error) Error() string {
	return e.msg
}

func (e *Error) Unwrap() error {
	return e.cause
}

// KindOf returns the Kind of err, or 0 when err did not come from this package.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// Downstream reports whether the failure lies with the API or its settings
// rather than with the plugin.
func (e *Error) Downstream() bool {
	return e.Kind != KindCanceled && e.Kind != KindTooManyRecords
}

func newError(kind Kind, endpoint string, status int, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, Endpoint: endpoint, Status: status, cause: cause, msg: ValidText(fmt.Sprintf(format, args...))}
}

// ValidText replaces what is not UTF-8 in s. Messages quote what upstream sent (an
// error body, a header, a record's text), and Grafana carries them in protobuf
// strings, which must be UTF-8: one stray byte would lose the whole answer.
func ValidText(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

func rateLimitedError(endpoint string, retryAt time.Time, now time.Time) *Error {
	wait := retryAt.Sub(now).Round(time.Second)
	if wait < time.Second {
		wait = time.Second
	}
	e := newError(KindRateLimited, endpoint, 429, nil,
		"the AgentX Export API's rate limit was reached on %s and the query's time ran out before it would accept more requests; retry after %s (in %s)",
		endpoint, retryAt.UTC().Format("15:04:05 UTC"), wait)
	e.RetryAt = retryAt
	return e
}

// ErrPaced is the cause of a KindTimeout error raised because this plugin's
// own pacing (the data source's rate, alone or shared with other replicas)
// could not send the next request before the query's deadline. The API sent no
// 429: the read is slow, not refused, and a caller that knows what the query
// read says so (pkg/fetch).
var ErrPaced = errors.New("paced out by the plugin's own rate limit")

// pacedError is a query whose deadline comes before its own rate limit would
// let the next request go.
func pacedError(endpoint string, requestsPerSecond float64, shared bool) *Error {
	whose := "the data source's"
	if shared {
		whose = "the rate shared with the other Grafana servers through Redis,"
	}
	return newError(KindTimeout, endpoint, 0, ErrPaced,
		"the query ran out of time reading %s at %s %.3g requests per second before it could send its next request (the API refused none); "+
			"narrow the time range or give the query more time", endpoint, whose, requestsPerSecond)
}

// keptRefusingError is a rate limit that did not lift however long the client
// waited: something else is spending the key's allowance.
func keptRefusingError(endpoint string, answers int, over time.Duration, retryAt time.Time) *Error {
	e := newError(KindRateLimited, endpoint, 429, nil,
		"the AgentX Export API kept refusing requests on %s with HTTP 429 (rate limit): %d answers in a row over %s, although the plugin waited as each answer asked; "+
			"another program or Grafana server is probably using the same API key: lower \"Requests per second\" in the data source settings, then retry after %s",
		endpoint, answers, over.Round(time.Second), retryAt.UTC().Format("15:04:05 UTC"))
	e.RetryAt = retryAt
	return e
}

// redact removes every occurrence of secret from s, so that an upstream body or a
// transport error that echoes the key cannot carry it into a message. Any key is
// redacted, however short: the settings refuse implausibly short keys, so this
// garbles a message only for tools that skip them.
func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}

// NewError builds an Error of kind for callers that enforce limits of their own.
func NewError(kind Kind, endpoint, msg string) *Error {
	return &Error{Kind: kind, Endpoint: endpoint, msg: ValidText(msg)}
}

// ContextError describes why ctx ended, as the client would.
func ContextError(ctx context.Context, endpoint string) *Error {
	return contextError(ctx, endpoint)
}
