package exportapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff spaces the retries of one request: exponential from Base, at most Cap.
type Backoff struct {
	Base, Cap time.Duration
}

// DefaultBackoff waits about 0.25, 0.5, 1 and 2 s before the four retries.
var DefaultBackoff = Backoff{Base: 250 * time.Millisecond, Cap: 5 * time.Second}

const (
	// A 429 is the API asking us to slow down, not a failure: the query keeps
	// waiting as long as its deadline allows, up to this many in a row on one page.
	maxRateLimitWaits = 30
	// defaultRetryAfter is used when a 429 carries no readable Retry-After.
	defaultRetryAfter = time.Second
)

// wait is exponential with jitter over its upper half, so that panels that failed
// together do not retry together.
func (b Backoff) wait(attempt int) time.Duration {
	d := b.Base << attempt
	if d > b.Cap || d <= 0 {
		d = b.Cap
	}
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads Retry-After as delta-seconds or as an HTTP date.
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return defaultRetryAfter
	}
	if secs, err := strconv.ParseFloat(h, 64); err == nil {
		if math.IsNaN(secs) {
			return defaultRetryAfter
		}
		if secs < 0 {
			return 0
		}
		if secs > 3600 {
			secs = 3600
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			return 0
		}
		return d
	}
	return defaultRetryAfter
}

func contextError(ctx context.Context, endpoint string) *Error {
	where := ""
	if endpoint != "" {
		where = " while reading " + endpoint
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return newError(KindTimeout, endpoint, 0, ctx.Err(), "the query ran out of time%s from the AgentX Export API", where)
	}
	return newError(KindCanceled, endpoint, 0, ctx.Err(), "the query was canceled%s", where)
}

// lastingTransportError says why a request that reached no answer will fail the
// same way however often it is sent: a certificate the client does not trust, a
// server that does not speak TLS, a host name that does not exist (a port out of
// range never gets here: the settings refuse it). Only what can change is retried: 5xx, 429, 408, timeouts,
// dropped or reset connections (a connection refused too: an API restarting
// refuses for a moment), truncated or broken bodies.
func lastingTransportError(err error) (string, bool) {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	var dns *net.DNSError
	switch {
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid):
		return "the server's TLS certificate is not trusted (" + err.Error() + "); check the base URL, or the certificate's authority on the Grafana server", true
	case errors.As(err, &record), errors.Is(err, http.ErrSchemeMismatch):
		return "the server does not answer in TLS; check the scheme of the base URL (https:// or http://)", true
	case errors.As(err, &dns) && dns.IsNotFound:
		return "the host " + dns.Name + " does not exist; check the base URL", true
	}
	return "", false
}
