package exportapi

import (
	"context"
	"crypto/sha256"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// The API allows 3 requests per second per endpoint and per key, whoever sends
// them. Every data source instance, panel and alert rule that uses the same base
// URL and key must therefore draw from one limiter per endpoint, so limiters live
// in a process-wide pool rather than in a client.

// LimiterPool hands out shared limiters keyed by server (Scope), API key and endpoint.
type LimiterPool struct {
	mu      sync.Mutex
	entries map[limiterKey]*Limiter
}

type limiterKey struct {
	scope    string // Scope of the base URL
	keyHash  [32]byte
	endpoint string
}

// DefaultLimiters is the pool every client of this process shares unless told otherwise.
var DefaultLimiters = &LimiterPool{}

// Limiter paces one endpoint for one key. The rate is the lowest that any current
// user asked for, so a data source configured below the default slows its twins too.
type Limiter struct {
	pool  *LimiterPool
	key   limiterKey
	lim   *rate.Limiter
	users map[*Lease]float64

	// pausedUntil is when the API, through a 429's Retry-After, said it would accept
	// requests again; every user of the limiter honours it, not only the one that was told.
	pausedUntil time.Time
	// latency is a moving average of answered requests' durations; 0 until the first.
	latency time.Duration
}

// observe folds one answered request's duration into the moving average.
func (lim *Limiter) observe(d time.Duration) {
	lim.pool.mu.Lock()
	defer lim.pool.mu.Unlock()
	if lim.latency == 0 {
		lim.latency = d
		return
	}
	lim.latency = (lim.latency*7 + d) / 8
}

// Latency is the typical time the API takes to answer a request on this
// endpoint; 0 until one has been answered.
func (lim *Limiter) Latency() time.Duration {
	lim.pool.mu.Lock()
	defer lim.pool.mu.Unlock()
	return lim.latency
}

// Lease is one user's hold on the limiters of both endpoints. Release it when the
// user (a data source instance) goes away.
type Lease struct {
	Conversations *Limiter
	Messages      *Limiter
	once          sync.Once
}

// Acquire returns the limiters for baseURL and apiKey at requestsPerSecond. Base
// URLs that name the same server (see Scope) share them.
func (p *LimiterPool) Acquire(baseURL, apiKey string, requestsPerSecond float64) *Lease {
	l := &Lease{}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries == nil {
		p.entries = map[limiterKey]*Limiter{}
	}
	hash := sha256.Sum256([]byte(apiKey))
	scope := Scope(baseURL)
	get := func(endpoint string) *Limiter {
		k := limiterKey{scope: scope, keyHash: hash, endpoint: endpoint}
		lim, ok := p.entries[k]
		if !ok {
			lim = &Limiter{pool: p, key: k, lim: rate.NewLimiter(rate.Limit(requestsPerSecond), 1), users: map[*Lease]float64{}}
			p.entries[k] = lim
		}
		lim.users[l] = requestsPerSecond
		lim.applyLowestRate()
		return lim
	}
	l.Conversations = get(EndpointConversations)
	l.Messages = get(EndpointMessages)
	return l
}

// Release gives the lease back; a limiter nobody holds is dropped.
func (l *Lease) Release() {
	l.once.Do(func() {
		for _, lim := range []*Limiter{l.Conversations, l.Messages} {
			p := lim.pool
			p.mu.Lock()
			delete(lim.users, l)
			if len(lim.users) == 0 {
				delete(p.entries, lim.key)
			} else {
				lim.applyLowestRate()
			}
			p.mu.Unlock()
		}
	})
}

// For returns the limiter of an endpoint.
func (l *Lease) For(endpoint string) *Limiter {
	if endpoint == EndpointMessages {
		return l.Messages
	}
	return l.Conversations
}

func (lim *Limiter) applyLowestRate() {
	lowest := 0.0
	for _, r := range lim.users {
		if lowest == 0 || r < lowest {
			lowest = r
		}
	}
	if rate.Limit(lowest) != lim.lim.Limit() {
		lim.lim.SetLimit(rate.Limit(lowest))
	}
}

// Rate is the requests per second the limiter lets through.
func (lim *Limiter) Rate() float64 {
	return float64(lim.lim.Limit())
}

// pause makes every user wait until t before its next request.
func (lim *Limiter) pause(t time.Time) {
	lim.pool.mu.Lock()
	if t.After(lim.pausedUntil) {
		lim.pausedUntil = t
	}
	lim.pool.mu.Unlock()
}

func (lim *Limiter) pausedAt() time.Time {
	lim.pool.mu.Lock()
	defer lim.pool.mu.Unlock()
	return lim.pausedUntil
}

// wait blocks until a request may go out. When the query's deadline comes before
// that moment it fails at once with a rate-limit error instead of sleeping into a
// bare timeout.
func (lim *Limiter) wait(ctx context.Context, endpoint string) (time.Duration, error) {
	start := time.Now()
	if until := lim.pausedAt(); until.After(start) {
		if err := sleepUntil(ctx, endpoint, until, func() error { return rateLimitedError(endpoint, until, start) }); err != nil {
			return time.Since(start), err
		}
	}
	r := lim.lim.Reserve()
	delay := r.Delay()
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(delay).After(deadline) {
		r.Cancel()
		return time.Since(start), rateLimitedError(endpoint, time.Now().Add(delay), time.Now())
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			r.Cancel()
			return time.Since(start), contextError(ctx, endpoint)
		}
	}
	return time.Since(start), nil
}

// sleepUntil sleeps until t, or fails at once with tooLate() when the context's
// deadline comes first.
func sleepUntil(ctx context.Context, endpoint string, t time.Time, tooLate func() error) error {
	if deadline, ok := ctx.Deadline(); ok && deadline.Before(t) {
		return tooLate()
	}
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return contextError(ctx, endpoint)
	}
}
