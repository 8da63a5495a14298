package exportapi

import (
	"context"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// Requests are interactive (a panel, an alert rule) unless their context carries a
// background Priority: the plugin's own reading ahead (keeping the recent past
// stored). Background requests use at most a share of an endpoint's rate and go
// only while no interactive request waits, so an interactive request waits behind
// at most the one background request already on its way.

// Priority says whether the requests of a context are background ones. A read
// started in the background is raised when an interactive query comes to wait
// on it, so a panel never waits at background pace.
type Priority struct{ background atomic.Bool }

// NewBackground returns a Priority that starts as background.
func NewBackground() *Priority {
	p := &Priority{}
	p.background.Store(true)
	return p
}

// Raise makes the requests interactive from now on.
func (p *Priority) Raise() {
	if p != nil {
		p.background.Store(false)
	}
}

// Background reports whether the requests are background ones.
func (p *Priority) Background() bool { return p != nil && p.background.Load() }

type priorityKey struct{}

// WithPriority returns ctx whose requests have priority p.
func WithPriority(ctx context.Context, p *Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

// PriorityOf returns the Priority of ctx, nil for an interactive one.
func PriorityOf(ctx context.Context) *Priority {
	p, _ := ctx.Value(priorityKey{}).(*Priority)
	return p
}

// Traffic counts the requests a limiter let through, by priority.
type Traffic struct {
	Interactive, Background int64
	// MostAhead is the most background requests let through while one
	// interactive request waited for its turn: the promise is at most one.
	MostAhead int64
}

// SetBackgroundShare sets the share (0, 1] of each endpoint's rate that
// background requests may use.
func (l *Lease) SetBackgroundShare(share float64) {
	for _, lim := range []*Limiter{l.Conversations, l.Messages} {
		lim.pool.mu.Lock()
		lim.bgShare = share
		lim.bg = nil // rebuilt at the current rate
		lim.pool.mu.Unlock()
	}
}

// Traffic returns what the limiter let through so far.
func (lim *Limiter) Traffic() Traffic {
	lim.pool.mu.Lock()
	defer lim.pool.mu.Unlock()
	return lim.traffic
}

// interactiveWaits marks an interactive request waiting for its turn until the
// returned function is called.
func (lim *Limiter) interactiveWaits() func() {
	lim.pool.mu.Lock()
	lim.waiting++
	bgBefore := lim.traffic.Background
	lim.pool.mu.Unlock()
	return func() {
		lim.pool.mu.Lock()
		lim.traffic.MostAhead = max(lim.traffic.MostAhead, lim.traffic.Background-bgBefore)
		lim.waiting--
		if lim.waiting == 0 && lim.idle != nil {
			close(lim.idle)
			lim.idle = nil
		}
		lim.pool.mu.Unlock()
	}
}

// backgroundTurn waits until a background request may take its turn: within its
// share of the rate, alone among background requests, and while no interactive
// request waits. It returns the function that ends the turn, once the request
// has been let through: background requests go one at a time, so an interactive
// request that starts waiting finds at most one ahead of it.
func (lim *Limiter) backgroundTurn(ctx context.Context, endpoint string) (func(), error) {
	lim.pool.mu.Lock()
	if lim.bg == nil {
		share := lim.bgShare
		if share <= 0 || share > 1 {
			share = 1
		}
		lim.bg = rate.NewLimiter(lim.lim.Limit()*rate.Limit(share), 1)
		lim.bgTurn = make(chan struct{}, 1)
	}
	bg, turn := lim.bg, lim.bgTurn
	lim.pool.mu.Unlock()
	// Background work has no deadline to keep: it waits as long as it must.
	if err := bg.Wait(ctx); err != nil {
		return nil, contextError(ctx, endpoint)
	}
	select {
	case turn <- struct{}{}:
	case <-ctx.Done():
		return nil, contextError(ctx, endpoint)
	}
	release := func() { <-turn }
	for {
		lim.pool.mu.Lock()
		if lim.waiting == 0 {
			lim.pool.mu.Unlock()
			return release, nil
		}
		if lim.idle == nil {
			lim.idle = make(chan struct{})
		}
		idle := lim.idle
		lim.pool.mu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			release()
			return nil, contextError(ctx, endpoint)
		}
	}
}

// count records one request let through.
func (lim *Limiter) count(background bool) {
	lim.pool.mu.Lock()
	if background {
		lim.traffic.Background++
	} else {
		lim.traffic.Interactive++
	}
	lim.pool.mu.Unlock()
}
