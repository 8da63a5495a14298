package exportapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/opaque"
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
	pool *LimiterPool
	key  limiterKey
	lim  *rate.Limiter
	// sharedName names the limiter in a shared store (see SharedKey).
	sharedName string
	users      map[*Lease]float64

	// pausedUntil is when the API, through a 429's Retry-After, said it would accept
	// requests again; every user of the limiter honours it, not only the one that was told.
	pausedUntil time.Time
	// latency is a moving average of answered requests' durations; 0 until the first.
	latency time.Duration

	// shared, when set, is the rate limit every replica of an HA Grafana draws
	// from; fallback paces this replica alone, at its share, while shared cannot
	// be reached.
	shared      Pacer
	sharedBy    *Lease
	fallback    *rate.Limiter
	sharedTrend string    // the last trouble with shared, "" when it works
	sharedLost  time.Time // when shared last failed
	// fallbackFrom is the earliest the fallback lets a request go after the
	// replica left the shared rate for it (see waitShared).
	fallbackFrom time.Time

	// Background requests (priority.go): their own pace, and the interactive
	// requests waiting, whom they let go first.
	bg      *rate.Limiter
	bgTurn  chan struct{} // held by the one background request between its turn and its grant
	bgShare float64
	waiting int
	idle    chan struct{} // closed when waiting drops to 0
	traffic Traffic
}

// Pacer is a rate limit kept outside the process (in Redis), shared by every
// replica that uses the same key.
type Pacer interface {
	// Reserve asks to send one request now. It returns 0 when the request may go,
	// or how long to wait before asking again.
	Reserve(ctx context.Context, key string, requestsPerSecond float64) (time.Duration, error)
}

// Share makes the lease's limiters draw from p, named by a hash of the server,
// key and endpoint. While p fails, each replica paces itself at the rate
// divided by replicas, so that together they still stay near the limit.
func (l *Lease) Share(p Pacer, replicas int) {
	for _, lim := range []*Limiter{l.Conversations, l.Messages} {
		lim.pool.mu.Lock()
		lim.shared, lim.sharedBy = p, l
		lim.fallback = rate.NewLimiter(lim.lim.Limit()/rate.Limit(max(1, replicas)), 1)
		lim.pool.mu.Unlock()
	}
}

// FallbackRate is the requests per second the lease's limiters pace this replica
// at while the shared rate limit cannot be reached; 0 when they share none.
func (l *Lease) FallbackRate() float64 {
	lowest := 0.0
	for _, lim := range []*Limiter{l.Conversations, l.Messages} {
		lim.pool.mu.Lock()
		if lim.fallback != nil && (lowest == 0 || float64(lim.fallback.Limit()) < lowest) {
			lowest = float64(lim.fallback.Limit())
		}
		lim.pool.mu.Unlock()
	}
	return lowest
}

// SharedKey names a limiter in a shared store without revealing the key: an
// HMAC keyed by the API key, so the name is no hash anyone could compute.
func (lim *Limiter) SharedKey() string { return lim.sharedName }

// SharedTrouble is the last failure of the shared rate limit, "" while it works.
func (lim *Limiter) SharedTrouble() string {
	lim.pool.mu.Lock()
	defer lim.pool.mu.Unlock()
	return lim.sharedTrend
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
			lim = &Limiter{pool: p, key: k, lim: rate.NewLimiter(rate.Limit(requestsPerSecond), 1), users: map[*Lease]float64{},
				sharedName: opaque.Name(apiKey, "rate", scope, endpoint)}
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
			if lim.sharedBy == l {
				lim.shared, lim.sharedBy, lim.fallback = nil, nil, nil
			}
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

// waits is how long one request waited to be sent, and of that how long on the
// rate limit shared with other replicas.
type waits struct {
	total, shared time.Duration
}

// wait blocks until a request may go out. When the query's deadline comes before
// that moment it fails at once instead of sleeping into a bare timeout: with the
// API's own rate-limit error while a 429's Retry-After holds, and with a
// timeout (ErrPaced) when only this plugin's pacing stands in the way.
func (lim *Limiter) wait(ctx context.Context, endpoint string) (w waits, err error) {
	start := time.Now()
	defer func() { w.total = time.Since(start) }()
	background := PriorityOf(ctx).Background()
	if background {
		endTurn, err := lim.backgroundTurn(ctx, endpoint)
		if err != nil {
			return w, err
		}
		defer endTurn()
	} else {
		defer lim.interactiveWaits()()
	}
	defer func() {
		if err == nil {
			lim.count(background)
		}
	}()
	if until := lim.pausedAt(); until.After(start) {
		if err := sleepUntil(ctx, endpoint, until, func() error { return rateLimitedError(endpoint, until, start) }); err != nil {
			return w, err
		}
	}
	limiter := lim.lim
	lim.pool.mu.Lock()
	shared, fallback := lim.shared, lim.fallback
	lim.pool.mu.Unlock()
	if shared != nil {
		sharedStart := time.Now()
		err := lim.waitShared(ctx, endpoint, shared)
		w.shared = time.Since(sharedStart)
		var apiErr *Error
		switch {
		case err == nil && !lim.recovering():
			return w, nil
		case errors.As(err, &apiErr):
			return w, err
		}
		// Shared failed, or failed a moment ago: its state may have gone with
		// it (a restarted or full Redis), so that its next answers add to what
		// this replica sent at its own share. Until it has worked for a while,
		// the replica keeps to its share as well.
		limiter = fallback
		if err := sleepUntil(ctx, endpoint, lim.fallbackStart(), func() error { return pacedError(endpoint, float64(fallback.Limit()), false) }); err != nil {
			return w, err
		}
	}
	r := limiter.Reserve()
	delay := r.Delay()
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(delay).After(deadline) {
		r.Cancel()
		return w, pacedError(endpoint, float64(limiter.Limit()), false)
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			r.Cancel()
			return w, contextError(ctx, endpoint)
		}
	}
	return w, nil
}

// waitShared waits on the shared rate limit. An *Error means the query must
// stop (its deadline comes first); any other error means the shared limit could
// not be reached, and the caller paces itself instead.
func (lim *Limiter) waitShared(ctx context.Context, endpoint string, p Pacer) error {
	key := lim.SharedKey()
	for {
		d, err := p.Reserve(ctx, key, lim.Rate())
		lim.pool.mu.Lock()
		if err != nil {
			now := time.Now()
			if lim.sharedLost.IsZero() || now.Sub(lim.sharedLost) >= sharedRecovery {
				// Leaving the shared rate: the others may have just sent at
				// it, and may go on at their shares only from now, so this
				// replica's share starts one shared interval on (burst 1).
				lim.fallbackFrom = now.Add(time.Duration(float64(time.Second) / lim.Rate()))
			}
			lim.sharedTrend, lim.sharedLost = err.Error(), now
		} else {
			lim.sharedTrend = ""
		}
		lim.pool.mu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				return contextError(ctx, endpoint)
			}
			return err
		}
		if d <= 0 {
			return nil
		}
		if err := sleepUntil(ctx, endpoint, time.Now().Add(d), func() error { return pacedError(endpoint, lim.Rate(), true) }); err != nil {
			return err
		}
	}
}

// sharedRecovery is how long after the shared rate limit failed a replica
// still keeps to its own share too.
const sharedRecovery = 5 * time.Second

func (lim *Limiter) fallbackStart() time.Time {
	lim.pool.mu.Lock()
	defer lim.pool.mu.Unlock()
	return lim.fallbackFrom
}

func (lim *Limiter) recovering() bool {
	lim.pool.mu.Lock()
	defer lim.pool.mu.Unlock()
	return !lim.sharedLost.IsZero() && time.Since(lim.sharedLost) < sharedRecovery
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
