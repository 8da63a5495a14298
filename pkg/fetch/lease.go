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

// leaseTTL is how long a lease outlives its holder's last renewal: the time the
// other replicas wait before taking over from a replica that died mid-export.
const leaseTTL = 10 * time.Second

// pollInterval is how often a waiting replica looks for the segments it waits for.
const pollInterval = 200 * time.Millisecond

// shared is a read's hold on the time it reads on behalf of every replica.
type shared struct {
	lane, token string
	leases      Leases
	held        []interval
	stop        chan struct{}
	done        sync.WaitGroup
}

// awaitShared makes sure that, of the time a read needs and nobody has at hand,
// this replica exports only what no other replica is exporting. It waits for
// the rest to arrive through the tiers, and returns what arrived, a hold to
// release once the read's own export has been stored, and warnings.
func awaitShared[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, k laneKey, stored []*segment) ([]*segment, *shared, []string) {
	if s.cfg.Leases == nil || s.cfg.TTL <= 0 {
		return nil, nil, nil
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
		return nil, nil, nil
	}
	h := &shared{lane: s.laneID(k, schemaFor[T]()), token: newToken(), leases: s.cfg.Leases, stop: make(chan struct{})}
	var found []*segment
	var warnings []string
	for {
		var blocked []interval
		taken, err := h.leases.Claim(ctx, h.lane, h.token, leaseTTL, func(others []Span) []Span {
			free := need
			blocked = nil
			for _, o := range others {
				cut := interval{from: o.From, to: o.To}
				blocked = append(blocked, overlaps(free, cut)...)
				free = subtract(free, cut)
			}
			return toSpans(merge(append(slices.Clone(h.held), free...)))
		})
		if err != nil {
			// Without Redis the replica reads for itself; what it holds lapses.
			return found, nil, append(warnings, "the shared Redis cache could not be used ("+err.Error()+"); this replica read for itself")
		}
		newly := fromSpans(taken)
		for _, sp := range h.held {
			newly = subtract(newly, sp)
		}
		h.held = fromSpans(taken)
		if len(newly) > 0 {
			// Time that was not in the tiers a moment ago may be now: another
			// replica stores what it read before it lets go of its lease, so
			// looking after taking the lease never misses a read that ended.
			more, w := fromTiers(ctx, s, ep, k, newly, s.cfg.Now())
			warnings = addWarnings(warnings, w...)
			found = append(found, more...)
		}
		need = merge(blocked)
		if len(need) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			h.release()
			return found, nil, warnings
		case <-time.After(pollInterval):
		}
		more, w := fromTiers(ctx, s, ep, k, need, s.cfg.Now())
		warnings = addWarnings(warnings, w...)
		for _, sg := range more {
			need = subtract(need, sg.span)
		}
		found = append(found, more...)
		if len(need) == 0 {
			break
		}
	}
	if len(h.held) == 0 {
		return found, nil, warnings
	}
	h.done.Add(1)
	go h.renew()
	return found, h, warnings
}

// renew keeps the hold alive while the read's export runs.
func (h *shared) renew() {
	defer h.done.Done()
	t := time.NewTicker(leaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
			held := toSpans(h.held)
			_, _ = h.leases.Claim(context.Background(), h.lane, h.token, leaseTTL, func([]Span) []Span { return held })
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
