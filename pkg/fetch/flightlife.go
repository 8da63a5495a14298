package fetch

import (
	"context"
	"slices"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// A flight's life: startFlight prepares the export and its legs, the legs run
// apart from the query that started it, and finishFlight turns what it read
// into segments for memory and, through persist, for the tiers, before any of
// its queries answers.

// startFlight prepares an export that outlives the query that started it: it runs
// until it ends or every subscriber has left. It keeps the starter's deadline, so
// rate-limit waits still fail fast when they cannot fit.
func startFlight[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, spans []span, k laneKey, now time.Time) *flight[T] {
	base := context.WithoutCancel(ctx)
	var fctx context.Context
	var cancel context.CancelFunc
	// A read that may outlive its query's answer (AnswerBy) keeps no deadline.
	if deadline, ok := ctx.Deadline(); ok && req.AnswerBy.IsZero() {
		fctx, cancel = context.WithDeadline(base, deadline)
	} else {
		fctx, cancel = context.WithCancel(base)
	}
	f := &flight[T]{edge: now, reuse: s.cfg.Reuse, done: make(chan struct{}), cancel: cancel, subs: map[*subscriber[T]]struct{}{}, asked: time.Now()}
	if exportapi.PriorityOf(ctx).Background() {
		// Its own priority, not the starter's: raising it must not raise the
		// starter's other reads.
		f.priority = exportapi.NewBackground()
		fctx = exportapi.WithPriority(fctx, f.priority)
	}
	for _, sp := range spans {
		f.reads = append(f.reads, interval{from: sp.from, to: sp.to})
		if sp.cacheable() {
			f.settled = append(f.settled, interval{from: sp.cacheFrom, to: sp.cacheTo})
		}
	}
	if s.cfg.Cache != nil {
		f.retain = newRetainer(s.cfg.Cache, ep)
	}
	apiReq := exportapi.Request{Bot: req.Bot, ConversationID: req.ConversationID}
	runner := &legRunner[T]{f: f, ep: ep, s: s, req: apiReq, initial: s.streams(ep.name, req.Bot, spans), newestFirst: !req.AnswerBy.IsZero()}
	f.progress = runner.covered
	f.costSoFar = runner.costSoFar
	if f.retain != nil && len(s.cfg.Tiers) > 0 && len(f.settled) > 0 && s.cfg.TTL > 0 {
		f.writer = newChunkWriter(s, f, k, ep.cols)
		runner.progressed = f.writer.progressed
		f.retain.persisting = true
	}
	f.launch = func() {
		defer cancel()
		if f.writer != nil {
			go f.writer.run()
		}
		st, err := runner.run(fctx, spans)
		if err == nil {
			if hours := spanTotal(spans).Hours(); hours >= 1 {
				s.remember(ep.name, req.Bot, float64(st.RecordsKept)/hours)
			}
		}
		finishFlight(s, f, k, st, err)
	}
	return f
}

// finishFlight ends a flight: its settled time goes to the cache, and its live records
// stay on offer for the reuse time. Under the registry's lock, so a query never
// sees the time in neither place; the columns are built before it is taken
// (the flight has stopped reading: what its retainer holds no longer changes
// but for the pruning of finished flights, which this one is not yet).
func finishFlight[T any](s *Source, f *flight[T], k laneKey, st exportapi.Stats, err error) {
	var written []interval
	if f.writer != nil {
		// What the legs wholly read reaches the tiers even when the flight
		// failed or was cancelled: the next read, here or after a restart,
		// pays only for the rest.
		f.writer.finish()
		f.writer.writeReady()
		written = f.writer.writtenEverywhere()
	}
	finishedAt := s.cfg.Now()
	live := f.reads
	for _, sp := range f.settled {
		live = subtract(live, sp)
	}
	var runs, liveRuns []built
	var sealed []*segment
	if f.retain != nil {
		// A flight that failed (a query's deadline, a closed panel, an API
		// error) still keeps the settled time its legs wholly read, as it writes
		// it to the tiers: the next read pays only for the rest, with or without
		// a tier. Without an error every leg read its time whole, even if the
		// last subscriber left meanwhile.
		settled := f.settled
		if err != nil {
			settled = f.wholeSettled() // before f.mu: the legs take their lock, then the flight's
		}
		f.mu.Lock()
		var pend, livePend []pending[T]
		complete := err == nil && !f.canceled
		if s.cfg.TTL > 0 && len(settled) > 0 {
			target := s.segmentTarget()
			// Final time never expires; settled time younger than that is
			// read again after TTL. Time that turns final before its TTL
			// runs out counts as final already: a revalidation would read it
			// only once it is final, and settled records are allowed to be
			// that stale. Segments never straddle the two, nor the edges of
			// what the tiers already have, so that only the rest is written.
			finalEdge := chunkFloor(f.edge.Add(-max(s.cfg.Final-s.cfg.TTL, s.cfg.Live)))
			final := splitAt(overlaps(settled, interval{from: time.Time{}, to: finalEdge}), written)
			recent := splitAt(overlaps(settled, interval{from: finalEdge, to: maxInstant}), written)
			sf, pf := f.retain.plan(final, target, maxInstant)
			sr, pr := f.retain.plan(recent, target, finishedAt.Add(s.cfg.TTL))
			sealed, pend = append(sf, sr...), append(pf, pr...)
		}
		// (A cancel between here and the end below leaves these live runs unused.)
		if complete && f.reuse > 0 {
			livePend = f.retain.live(live)
		}
		f.mu.Unlock()
		runs, liveRuns = form(f.retain.cols, pend), form(f.retain.cols, livePend)
	}
	fl := s.cfg.Flights
	var kept, liveSegs []*segment
	fl.mu.Lock()
	f.mu.Lock()
	f.stats, f.err = st, err
	f.finished, f.finishedAt = true, finishedAt
	if f.retain != nil {
		// The runs planned above are wholly read time either way (a cancel
		// that comes once the legs have finished takes nothing from them).
		if s.cfg.TTL > 0 && len(f.settled) > 0 {
			var moved int64
			kept, moved = f.retain.take(runs, sealed)
			s.cfg.Cache.adopt(k, kept, moved)
		}
		if err != nil || f.canceled {
			f.retain.drop()
		} else {
			f.retain.keepOnly(live)
			f.retain.sealLive(live, liveRuns)
			// Only a whole snapshot is shared: one the retainer gave up part of
			// would tell the other replicas that records are missing.
			if s.cfg.LiveTier != nil && f.reuse > 0 && len(live) > 0 && totalLength(f.retain.covers(live)) == totalLength(live) {
				liveSegs = liveSnapshot(f, live)
			}
			if f.reuse <= 0 {
				f.retain.drop()
			}
		}
	}
	held := f.retain != nil && f.retain.holds()
	f.mu.Unlock()
	if !held {
		ln := laneOf[T](fl, k)
		ln.flights = slices.DeleteFunc(ln.flights, func(x *flight[T]) bool { return x == f })
		fl.tidy(k)
	}
	fl.mu.Unlock()
	// The tiers get the segments before the flight's queries answer: once a
	// query has its numbers, a restart or another replica will find its history.
	warnings := persist(s, k, f.writer, kept, liveSegs)
	if f.writer != nil {
		warnings = addWarnings(f.writer.warnings, warnings...)
	}
	if len(warnings) > 0 {
		f.mu.Lock()
		f.warnings = warnings
		f.mu.Unlock()
	}
	close(f.done)
	if held {
		// Free the live records once nobody can take them any more, even if no
		// query comes to prune them.
		time.AfterFunc(f.reuse+time.Second, func() {
			fl.mu.Lock()
			defer fl.mu.Unlock()
			laneOf[T](fl, k).prune(s.cfg.Now())
			fl.tidy(k)
		})
	}
}

// liveSnapshot is a finished flight's live records as segments for the other
// replicas: they serve, like the flight's own offer, up to the reuse time past
// the flight's edge, and expire with it. The caller holds f.mu; the live
// records are sealed (sealLive), or nothing is shared.
func liveSnapshot[T any](f *flight[T], live []interval) []*segment {
	var out []*segment
	for i, iv := range live {
		j := slices.IndexFunc(f.retain.sealed, func(sg *segment) bool { return sg.span.from.Equal(iv.from) && sg.span.to.Equal(iv.to) })
		if j < 0 {
			return nil
		}
		span := iv
		if i == len(live)-1 && !span.to.Before(f.edge) {
			span.to = maxTime(span.to, f.edge.Add(f.reuse))
		}
		out = append(out, &segment{span: span, batch: f.retain.sealed[j].batch, expires: f.finishedAt.Add(f.reuse)})
	}
	return out
}

// persist writes what the flight's end made and the writer had not written:
// settled segments to the tiers that lack them, live ones to the live tier.
func persist[T any](s *Source, k laneKey, w *chunkWriter[T], settled, live []*segment) []string {
	if len(settled)+len(live) == 0 || len(s.cfg.Tiers) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), tierWriteTimeout)
	defer cancel()
	now := s.cfg.Now()
	lane := s.laneID(k, schemaFor[T]())
	var warnings []string
	for i, t := range s.cfg.Tiers {
		segs := settled
		// The shared tier gets everything again: Redis may have lost what it
		// was given during the read (a restart, an eviction), and the replicas
		// waiting on this flight's lease find its time nowhere else.
		if w != nil && t != s.cfg.LiveTier {
			segs = w.unwritten(i, settled)
		}
		warnings = addWarnings(warnings, toTiers[T](ctx, []Tier{t}, lane, segs, now)...)
	}
	if s.cfg.LiveTier != nil {
		warnings = addWarnings(warnings, toTiers[T](ctx, []Tier{s.cfg.LiveTier}, lane, live, now)...)
	}
	return warnings
}
