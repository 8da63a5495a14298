package fetch

import (
	"context"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// read answers one query: what memory and the tiers hold, leases between
// replicas, the plan, the held segments streamed to the consumer, then the
// flights it started or joined, up to its answer (complete, partial at
// Request.AnswerBy, or an error that says what ran out).
func read[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, out delivery[T]) (st Stats, err error) {
	w := req.Window
	if w.Empty() {
		return st, nil
	}
	ctx, span := tracer.Start(ctx, "fetch.read", trace.WithAttributes(
		attribute.String("agentx.endpoint", ep.name), attribute.String("agentx.from", w.From.Format(time.RFC3339)),
		attribute.String("agentx.to", w.To.Format(time.RFC3339))))
	defer span.End()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	defer func() {
		span.SetAttributes(attribute.Int("agentx.requests", st.Requests), attribute.Int("agentx.cache_hits", st.CacheHits))
		recordCosts(ep.name, st)
	}()
	cons := &consumer[T]{window: w, when: ep.when, cols: ep.cols, out: out, max: req.MaxRecords, stop: stop}
	// The lane is the timeline every step below files its flights, segments and
	// leases under.
	k := laneKey{scope: s.scope, bot: req.Bot, endpoint: ep.name, conversationID: req.ConversationID}
	held, stored, warnings := storedFor(ctx, s, ep, req, k)
	more, hold, blocked, shareWarnings := claimShared(ctx, s, ep, req, k, append(slices.Clone(held), stored...))
	// Released only when the read is over, so its export has reached the tiers;
	// after a partial answer, when the reading that goes on is over.
	keepHold := false
	defer func() {
		if !keepHold {
			hold.release()
		}
	}()
	stored = append(stored, more...)
	st.Warnings = addWarnings(addWarnings(nil, warnings...), shareWarnings...)
	// Time another replica is exporting is left to it: the rest is planned and
	// read meanwhile.
	p := makePlan(ctx, s, ep, req, k, cons, append(held, stored...), blocked)
	// The export starts first: loading and decoding what the tiers hold takes a while.
	if p.started != nil {
		go p.started.launch()
	}
	for _, j := range p.joins {
		cons.takeReplay(j.replay)
	}
	// What the plan reads counts for the progress from now on; its hits as each
	// reaches the query.
	trackPlan(req.Progress, w, &plan[T]{joins: p.joins, started: p.started, own: p.own})
	st.TierHits = consumeHits(ctx, s, ep, req, k, cons, &p, &st)
	st.CacheHits, st.CacheMisses = len(p.hits), p.misses
	trackPlan(req.Progress, w, &p)
	answer := ctx
	if !req.AnswerBy.IsZero() {
		var cancel context.CancelFunc
		answer, cancel = context.WithDeadline(ctx, req.AnswerBy)
		defer cancel()
	}
	var pending []interval
	if len(blocked) > 0 {
		var wst Stats
		pending, wst = waitOnReplicas(ctx, answer, s, ep, req, k, cons, hold, blocked, &p)
		st.Add(wst)
		if len(pending) > 0 && req.AnswerBy.IsZero() {
			leaveAll(p)
			return st, replicaError(ep.name, w, blocked, pending)
		}
	}
	var flights []*flight[T]
	if p.started != nil {
		flights = append(flights, p.started)
	}
	for _, j := range p.joins {
		flights = append(flights, j.f)
	}
	var failed bool
	err, failed = awaitFlights(answer, flights)
	if p.started != nil {
		st.Add(flightStats(p.started, false))
	}
	for _, j := range p.joins {
		js := flightStats(j.f, j.recent)
		if !j.own {
			js.SharedExports = js.Exports
		}
		st.Add(js)
	}
	// The answer is due (AnswerBy), not the query's own end (its deadline or cancel).
	if err != nil && !failed && answer != ctx && answer.Err() != nil && ctx.Err() == nil {
		var kept <-chan struct{}
		var incomplete []exportapi.Window
		incomplete, kept = answerPartially(s, w, p, cons)
		st.Incomplete = mergeWindows(append(st.Incomplete, incomplete...))
		err = nil
		if hold != nil {
			keepHold = true
			go func() { <-kept; hold.release() }()
		}
	} else {
		leaveAll(p)
	}
	cons.mu.Lock()
	overBudget, unreadable := cons.err, cons.failed
	cons.mu.Unlock()
	if overBudget != nil {
		return st, exportapi.NewError(exportapi.KindTooManyRecords, ep.name, overBudget.Error())
	}
	if unreadable != nil {
		return st, exportapi.NewError(exportapi.KindBadResponse, ep.name, unreadable.Error())
	}
	// The flights keep the starter's deadline, so one may end with its own timeout
	// an instant before this query's context does.
	if err != nil && (ctx.Err() != nil || exportapi.KindOf(err) == exportapi.KindTimeout) {
		return st, timeoutError(ctx, s, ep.name, req, p, cons, err, st.Stats)
	}
	return st, err
}

// recordCosts counts a finished read in the process's metrics.
func recordCosts(endpoint string, st Stats) {
	cacheLookups.WithLabelValues("memory").Add(float64(max(0, st.CacheHits-st.TierHits)))
	cacheLookups.WithLabelValues("tiers").Add(float64(st.TierHits))
	cacheLookups.WithLabelValues("miss").Add(float64(st.CacheMisses))
	exportsTotal.WithLabelValues(endpoint, "false").Add(float64(max(0, st.Exports-st.SharedExports)))
	exportsTotal.WithLabelValues(endpoint, "true").Add(float64(st.SharedExports))
}

// flightStats is what a query read from f cost: a flight still under way (a
// partial answer) counts what it has cost so far, so that the query can tell
// what slows it; one that had ended before the query joined costs it nothing.
func flightStats[T any](f *flight[T], recent bool) Stats {
	f.mu.Lock()
	// An export is counted by its legs, each a request sequence of its own.
	st := Stats{Exports: len(f.calls), Calls: append([]string(nil), f.calls...), Warnings: f.warnings}
	finished, costSoFar := f.finished, f.costSoFar
	if !recent {
		st.Stats = f.stats
	}
	f.mu.Unlock()
	if !recent && !finished && costSoFar != nil {
		st.Stats = costSoFar() // outside f.mu: the legs take their own lock, then the flight's
	}
	return st
}
