package fetch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// A query whose time another replica is exporting waits for that replica's
// chunks, which it stores as it reads them, within the query's own budget: a
// dashboard query until its AnswerBy, answering then with what has landed (the
// rest is incomplete, and a read in the background goes on waiting, or takes
// over, for the next refresh); an alert rule until shortly before its deadline,
// failing then with an error that says why.

// waitOnReplicas waits for blocked, delivering what lands to the query and
// starting reads of time taken over into p. It returns the time still pending.
func waitOnReplicas[T any](ctx, answer context.Context, s *Source, ep endpoint[T], req Request, k laneKey, cons *consumer[T], hold *shared, blocked []interval, p *plan[T]) ([]interval, Stats) {
	var st Stats
	wait := answer
	if req.AnswerBy.IsZero() {
		if deadline, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			wait, cancel = context.WithDeadline(ctx, deadline.Add(-AnswerMargin(time.Until(deadline))))
			defer cancel()
		}
	}
	take := func(taken []interval) {
		for _, iv := range taken {
			planMore(ctx, s, ep, req, k, cons, p, iv)
		}
	}
	// A segment that is gone or damaged by the time it is consumed is read
	// again from wherever its time is now.
	var missed []*segment
	feed := func(sg *segment) {
		if ok, warning := consume(ctx, s, ep, k, sg, cons); !ok {
			st.Warnings = addWarnings(st.Warnings, warning)
			missed = append(missed, sg)
			take([]interval{sg.span})
			return
		}
		req.Progress.handedOn(req.Window, sg.span)
	}
	res := waitForReplicas(ctx, wait, s, ep, k, hold, blocked, take, feed)
	res.found = slices.DeleteFunc(res.found, func(sg *segment) bool { return slices.Contains(missed, sg) })
	p.hits = append(p.hits, res.found...)
	trackPlan(req.Progress, req.Window, p)
	st.TierHits, st.CacheHits = len(res.found), len(res.found)
	st.Warnings = addWarnings(res.warnings, st.Warnings...)
	if len(res.pending) == 0 {
		return nil, st
	}
	st.WaitedOnReplica = true
	for _, iv := range res.pending {
		st.Incomplete = append(st.Incomplete, exportapi.Window{From: iv.from, To: iv.to})
	}
	if !req.AnswerBy.IsZero() {
		go readOnAfterAnswer(ctx, s, ep, req, res.pending)
	}
	return res.pending, st
}

// readOnAfterAnswer goes on, after a partial answer, with the time another
// replica was still reading: waiting for its chunks, or taking it over if its
// lease lapses, so that the next refresh finds it in the caches. It stops
// after KeepReading, like the reading a partial answer leaves behind.
func readOnAfterAnswer[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, pending []interval) {
	keep := s.cfg.KeepReading
	if keep <= 0 {
		keep = defaultKeepReading
	}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), keep)
	defer cancel()
	for _, iv := range pending {
		part := Request{Bot: req.Bot, ConversationID: req.ConversationID, Window: exportapi.Window{From: iv.from, To: iv.to}}
		if _, err := read(bctx, s, ep, part, delivery[T]{}); err != nil {
			return
		}
	}
}

// replicaError says that an alert rule could not wait for another replica's
// export to reach its whole range.
func replicaError(endpoint string, w exportapi.Window, blocked, pending []interval) error {
	window := interval{from: w.From, to: w.To}
	waited, left := totalLength(overlaps(merge(blocked), window)), totalLength(overlaps(merge(pending), window))
	return exportapi.NewError(exportapi.KindTimeout, endpoint, fmt.Sprintf(
		"another Grafana replica is reading %s of this query's %s range from the AgentX Export API for the same API key; "+
			"%s of that had reached the shared cache when the query had to answer, %s had not; "+
			"retry in a minute (it will be there), or give the alert rule a longer evaluation timeout",
		Human(waited), Human(window.length()), Human(waited-left), Human(left)))
}
