package fetch

import (
	"context"
	"slices"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Planning decides where each part of a query's range comes from, so that no
// time is read twice: first, outside every lock, the segments memory and the
// tiers hold (storedFor); then, under the registry's lock, what memory got
// meanwhile, the flights to join and the spans of one new flight (makePlan).

// span is one window to export; records in [cacheFrom, cacheTo) go to the cache.
type span struct {
	from, to           time.Time
	cacheFrom, cacheTo time.Time
}

func (sp span) cacheable() bool { return sp.cacheFrom.Before(sp.cacheTo) }

// joined is a query's hold on a flight another query (or an earlier one) started.
type joined[T any] struct {
	f      *flight[T]
	sub    *subscriber[T]
	replay []replayed[T]
	recent bool // the flight had already ended: its records, not its cost
	own    bool // the query started it (time it took over from another replica)
}

// plan is what a query reads from where: segments of the cache, flights under way
// or just ended, and one new flight for the rest.
type plan[T any] struct {
	hits    []*segment
	joins   []joined[T]
	started *flight[T]
	own     *subscriber[T]
	misses  int
}

// settledZone is the part of a window that is cached, in whole chunks; empty
// when the cache is off or the window is all live.
func (s *Source) settledZone(w exportapi.Window, now time.Time) (interval, bool) {
	settledEnd := chunkFloor(now.Add(-s.cfg.Live))
	if s.cfg.TTL <= 0 || s.cfg.Cache == nil || !w.From.Before(settledEnd) {
		return interval{}, false
	}
	return interval{from: chunkFloor(w.From), to: minTime(chunkCeil(w.To), settledEnd)}, true
}

// storedFor takes hold of the settled segments of a request that memory holds,
// then finds in the tiers the settled time memory lacks. The query keeps every
// segment it found until it has consumed them, so what a tier load or another
// query puts into memory meanwhile can never make it miss time that was held
// when it started. It runs before planning, outside the registry's lock: a tier
// may be a disk or a network away. held and stored are disjoint.
func storedFor[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, k laneKey) (held, stored []*segment, warnings []string) {
	now := s.cfg.Now()
	zone, ok := s.settledZone(req.Window, now)
	if !ok {
		return nil, nil, nil
	}
	held = s.cfg.Cache.lookup(k, zone, now)
	if len(s.cfg.Tiers) == 0 {
		return held, nil, nil
	}
	gaps := []interval{zone}
	for _, h := range held {
		gaps = subtract(gaps, h.span)
	}
	if len(gaps) == 0 {
		return held, nil, nil
	}
	stored, warnings = fromTiers(ctx, s, ep, k, gaps, now)
	return held, stored, warnings
}

// makePlan decides, under the registry's lock, where each part of the query's
// range comes from, subscribing the query to every flight it takes from. found
// are the segments the query already holds, disjoint.
func makePlan[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, k laneKey, cons *consumer[T], found []*segment, exclude []interval) plan[T] {
	var p plan[T]
	now := s.cfg.Now()
	settledEnd := chunkFloor(now.Add(-s.cfg.Live))
	w := interval{from: req.Window.From, to: req.Window.To}
	zone, caching := s.settledZone(req.Window, now)

	fl := s.cfg.Flights
	fl.mu.Lock()
	defer fl.mu.Unlock()
	defer fl.tidy(k)
	ln := laneOf[T](fl, k)
	ln.prune(now)

	pieces := []interval{w}
	if caching {
		// Settled time is cached in whole chunks: read the chunks the range touches.
		pieces = []interval{zone}
		if live := (interval{from: maxTime(w.from, settledEnd), to: w.to}); !live.empty() {
			pieces = append(pieces, live)
		}
	}
	// What the query found before (memory and tiers) it holds; memory may
	// meanwhile have got more from an export that just ended. Never both.
	p.hits = found
	if caching {
		for _, h := range s.cfg.Cache.lookup(k, zone, now) {
			if !slices.ContainsFunc(found, func(sg *segment) bool { return !intersect(h.span, sg.span).empty() }) {
				p.hits = append(p.hits, h)
			}
		}
	}
	for _, h := range p.hits {
		pieces = subtract(pieces, h.span)
	}
	pieces = subtractAll(pieces, exclude)
	for _, f := range ln.flights {
		f.mu.Lock()
		var claimed []interval
		for _, o := range f.offers(now) {
			claimed = append(claimed, overlaps(pieces, o)...)
			pieces = subtract(pieces, o)
		}
		if len(claimed) > 0 {
			if !exportapi.PriorityOf(ctx).Background() {
				f.priority.Raise()
			}
			f.asked = maxTime(f.asked, time.Now())
			sub := &subscriber[T]{pieces: claimed, when: ep.when, fn: cons.take}
			p.joins = append(p.joins, joined[T]{f: f, sub: sub, replay: f.join(sub), recent: f.finished})
		}
		f.mu.Unlock()
	}
	if len(pieces) == 0 {
		return p
	}
	var spans []span
	for _, pc := range pieces {
		cacheable := caching && !pc.to.After(settledEnd)
		if cacheable {
			p.misses++
		}
		if n := len(spans); n > 0 && spans[n-1].to.Equal(pc.from) && (cacheable == spans[n-1].cacheable() || !cacheable) {
			spans[n-1].to = pc.to
			if cacheable {
				spans[n-1].cacheTo = pc.to
			}
			continue
		}
		sp := span{from: pc.from, to: pc.to}
		if cacheable {
			sp.cacheFrom, sp.cacheTo = pc.from, pc.to
		}
		spans = append(spans, sp)
	}
	f := startFlight(ctx, s, ep, req, spans, k, now)
	p.own = &subscriber[T]{pieces: f.reads, when: ep.when, fn: cons.take}
	f.join(p.own)
	ln.flights = append(ln.flights, f)
	p.started = f
	return p
}
