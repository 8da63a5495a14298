package fetch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"sync"
	"time"
)

// Span is a stretch of time [From, To), as leases name it.
type Span struct{ From, To time.Time }

// Leases are held by the exports of replicas that share a Redis: a replica that
// finds the time it needs leased by another waits for that replica's segments
// instead of reading the time again, and takes it over if the lease lapses.
type Leases interface {
	// Claim lets decide choose, from the spans other processes hold, which spans
	// to take for token; it records them for ttl, replacing what token held.
	Claim(ctx context.Context, lane, token string, ttl time.Duration, decide func(others []Span) []Span) ([]Span, error)
	// Release gives up what token holds.
	Release(ctx context.Context, lane, token string) error
}

// defaultLeaseExpiry is how long a lease outlives its holder's last renewal
// unless Config.LeaseExpiry says otherwise: the time the other replicas wait
// before taking over from a replica that died mid-export.
const defaultLeaseExpiry = 10 * time.Second

// pollInterval is how often a waiting replica looks for the segments it waits for.
const pollInterval = 200 * time.Millisecond

// renewalGrace is how long a waiting replica leaves time whose lease vanished
// without its records: a Redis that restarted lost every lease, and the
// holders re-assert theirs at their next renewal (every renewEvery).
func (h *shared) renewalGrace() time.Duration { return h.expiry / 2 }

// renewEvery is how often a hold renews its lease. A renewal also re-creates
// a lease Redis lost (a restart), so the replicas waiting on it must find it
// again well within renewalGrace, however slow the machine.
func (h *shared) renewEvery() time.Duration { return h.expiry / 5 }

// shared is a read's hold on the time it reads on behalf of every replica.
type shared struct {
	lane, token string
	leases      Leases
	expiry      time.Duration // how long the lease outlives the last renewal
	stop        chan struct{}
	done        sync.WaitGroup

	mu   sync.Mutex
	held []interval
}

// claim takes, of need, the time no other replica holds, keeping what h
// holds already; it returns what it newly took and what others hold.
func (h *shared) claim(ctx context.Context, need []interval, keep func(blocked interval) bool) (newly, blocked []interval, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	taken, err := h.leases.Claim(ctx, h.lane, h.token, h.expiry, func(others []Span) []Span {
		free := need
		blocked = nil
		for _, o := range others {
			cut := interval{from: o.From, to: o.To}
			blocked = append(blocked, overlaps(free, cut)...)
			free = subtract(free, cut)
		}
		var kept []interval
		for _, f := range free {
			if keep != nil && keep(f) {
				// Not taken yet: counted as blocked until the grace is over.
				blocked = append(blocked, f)
				continue
			}
			kept = append(kept, f)
		}
		return toSpans(merge(append(slices.Clone(h.held), kept...)))
	})
	if err != nil {
		return nil, nil, err
	}
	newly = fromSpans(taken)
	for _, sp := range h.held {
		newly = subtract(newly, sp)
	}
	h.held = merge(fromSpans(taken))
	return newly, merge(blocked), nil
}

// claimShared makes sure that, of the time a read needs and nobody has at
// hand, this replica exports only what no other replica is exporting. It
// returns the segments of newly held time that have landed in the tiers
// meanwhile, the hold (nil without leases; release it once the read's own
// export has been stored), the time other replicas hold, and warnings.
func claimShared[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, k laneKey, stored []*segment) ([]*segment, *shared, []interval, []string) {
	if s.cfg.Leases == nil || s.cfg.TTL <= 0 {
		return nil, nil, nil, nil
	}
	now := s.cfg.Now()
	need := []interval{{from: req.Window.From, to: req.Window.To}}
	if zone, ok := s.settledZone(req.Window, now); ok {
		// Settled time is shared in whole chunks.
		need = merge(append(subtract(need, zone), zone))
		for _, held := range s.cfg.Cache.holds(k, zone, now) {
			need = subtract(need, held)
		}
	}
	if s.cfg.Reuse <= 0 {
		// Live records are shared only for the reuse time; without it every
		// replica reads its own.
		need = overlaps(need, interval{from: time.Time{}, to: chunkFloor(now.Add(-s.cfg.Live))})
	}
	for _, sg := range stored {
		need = subtract(need, sg.span)
	}
	if len(need) == 0 {
		return nil, nil, nil, nil
	}
	h := &shared{lane: s.laneID(k, schemaFor[T]()), token: newToken(), leases: s.cfg.Leases, expiry: s.leaseExpiry(), stop: make(chan struct{})}
	newly, blocked, err := h.claim(ctx, need, nil)
	if err != nil {
		// Without Redis the replica reads for itself.
		return nil, nil, nil, []string{"the shared Redis cache could not be used (" + err.Error() + "); this replica read for itself"}
	}
	var found []*segment
	var warnings []string
	if len(newly) > 0 {
		// Time that was not in the tiers a moment ago may be now: another
		// replica stores what it read before it lets go of its lease, so
		// looking after taking the lease never misses a read that ended.
		found, warnings = fromTiers(ctx, s, ep, k, newly, s.cfg.Now())
	}
	h.done.Add(1)
	go h.renew()
	return found, h, blocked, warnings
}

// waited is what waiting on other replicas' exports gave.
type waited struct {
	found    []*segment // their segments, landed in the tiers
	pending  []interval // time still being read by another replica at the end
	warnings []string
}

// waitForReplicas polls the tiers for the time other replicas hold until it has
// all landed or wait ends. Time whose lease lapses (or is found implausible)
// this replica takes over: take starts its read at once. feed consumes each
// segment as it lands, so the decoding is done by the time the wait ends.
// Own reads meanwhile go on: only the waited-on time is held up.
// Redis calls run on ctx, not wait: a call cut short by the answer's time
// would look like Redis failing.
func waitForReplicas[T any](ctx, wait context.Context, s *Source, ep endpoint[T], k laneKey, h *shared, blocked []interval, take func([]interval), feed func(*segment)) waited {
	var out waited
	var failedAt time.Time     // the last time Redis failed a claim
	var failingSince time.Time // since when every claim failed
	var freedAt time.Time      // since when waited-on time has been free, without its records
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	for len(blocked) > 0 {
		select {
		case <-wait.Done():
			out.pending = blocked
			return out
		case <-t.C:
		}
		more, w := fromTiers(ctx, s, ep, k, blocked, s.cfg.Now())
		out.warnings = addWarnings(out.warnings, w...)
		for _, sg := range more {
			blocked = subtract(blocked, sg.span)
			feed(sg)
		}
		out.found = append(out.found, more...)
		if len(blocked) == 0 {
			break
		}
		// Time whose lease went away without its records landing is left to
		// its holder a little longer: a restarted Redis lost every lease, and
		// a live holder re-asserts its own at its next renewal.
		sawFree := false
		grace := func(interval) bool {
			sawFree = true
			if freedAt.IsZero() {
				freedAt = time.Now()
			}
			return time.Since(freedAt) < h.renewalGrace() || time.Since(failedAt) < h.renewalGrace()
		}
		newly, still, err := h.claim(ctx, blocked, grace)
		if !sawFree {
			freedAt = time.Time{}
		}
		if err != nil {
			if failingSince.IsZero() {
				failingSince = time.Now()
			}
			failedAt = time.Now()
			if time.Since(failingSince) > h.expiry {
				// Redis stays away: whoever held the time cannot be told
				// apart from a holder that died; this replica reads it.
				out.warnings = addWarnings(out.warnings, "the shared Redis cache could not be used ("+err.Error()+"); this replica read for itself")
				take(blocked)
				return out
			}
			continue
		}
		failingSince = time.Time{}
		if len(newly) > 0 {
			// Its holder may have stored it all just before letting go.
			more, w := fromTiers(ctx, s, ep, k, newly, s.cfg.Now())
			out.warnings = addWarnings(out.warnings, w...)
			out.found = append(out.found, more...)
			for _, sg := range more {
				newly = subtract(newly, sg.span)
				feed(sg)
			}
			if len(newly) > 0 {
				take(newly)
			}
		}
		blocked = still
	}
	return out
}

// renew keeps the hold alive while the read's export runs: Claim writes what
// the hold holds. A renewal that failed (a Redis slow to answer, or away) is
// tried again at once after a poll, not a renewal later: two failures in a
// row would otherwise let the lease lapse, and the others read the time again.
func (h *shared) renew() {
	defer h.done.Done()
	t := time.NewTimer(h.renewEvery())
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			next := h.renewEvery()
			// Under h.mu: a claim meanwhile must not be replaced by an older hold.
			h.mu.Lock()
			if held := toSpans(h.held); len(held) > 0 {
				if _, err := h.leases.Claim(context.Background(), h.lane, h.token, h.expiry, func([]Span) []Span { return held }); err != nil {
					next = pollInterval
				}
			}
			h.mu.Unlock()
			t.Reset(next)
		}
	}
}

// release gives the hold up, once what the read exported is in the tiers.
func (h *shared) release() {
	if h == nil {
		return
	}
	close(h.stop)
	h.done.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), tierWriteTimeout)
	defer cancel()
	_ = h.leases.Release(ctx, h.lane, h.token)
}

// leaseExpiry is Config.LeaseExpiry, or its default when unset.
func (s *Source) leaseExpiry() time.Duration {
	if s.cfg.LeaseExpiry > 0 {
		return s.cfg.LeaseExpiry
	}
	return defaultLeaseExpiry
}

func newToken() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func toSpans(in []interval) []Span {
	out := make([]Span, len(in))
	for i, iv := range in {
		out[i] = Span{From: iv.from, To: iv.to}
	}
	return out
}

func fromSpans(in []Span) []interval {
	out := make([]interval, len(in))
	for i, sp := range in {
		out[i] = interval{from: sp.From, to: sp.To}
	}
	return out
}
