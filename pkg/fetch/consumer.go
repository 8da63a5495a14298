package fetch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// delivery is how a query wants its records: as struct pages (records) or as
// rows of batches (rows); one of the two is set, or neither for a read that
// only fills the cache.
type delivery[T any] struct {
	records func([]T)
	rows    func(b batch, from, to int)
}

func (d delivery[T]) none() bool { return d.records == nil && d.rows == nil }

func deliverRecords[T any](fn func([]T)) delivery[T] { return delivery[T]{records: fn} }

func deliverColumns[T any](fn func(b batch, from, to int)) delivery[T] { return delivery[T]{rows: fn} }

// consumer is one query's side of a read: it keeps records inside its window,
// enforces its budget and serialises calls to the query. Pages fresh from the
// API reach a query that wants columns as a batch built from the page's records
// inside the window; batches reach one that wants records as the records of
// their rows.
type consumer[T any] struct {
	mu     sync.Mutex
	stop   context.CancelFunc // leaves the query's exports once it is over budget
	window exportapi.Window
	when   func(*T) time.Time
	cols   columns[T]
	out    delivery[T]
	max    int64
	seen   int64
	err    error
	// failed is a batch that could not be built or read back (a record the
	// columns cannot hold exactly): the query fails rather than miscount.
	failed error
	// frozen is set once the query answered partially: its aggregation is done,
	// and what still arrives only counts against the budget (over, then, ends the read).
	frozen bool
	over   func()
}

// take hands on a page's records inside the window.
func (c *consumer[T]) take(page []T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || c.failed != nil {
		return
	}
	kept := keep(page, func(r *T) bool { return c.window.Contains(c.when(r)) })
	if !c.admit(len(kept)) || len(kept) == 0 || c.out.none() {
		return
	}
	if c.out.records != nil {
		c.out.records(kept)
		return
	}
	b, err := c.cols.build(kept)
	if err != nil {
		c.fail(err)
		return
	}
	c.out.rows(b, 0, b.Len())
}

// takeRows hands on rows [from, to) of b, which the caller found inside the window.
func (c *consumer[T]) takeRows(b batch, from, to int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || c.failed != nil {
		return
	}
	if !c.admit(to-from) || to == from || c.out.none() {
		return
	}
	if c.out.rows != nil {
		c.out.rows(b, from, to)
		return
	}
	recs, err := c.cols.records(make([]T, 0, to-from), b, from, to)
	if err != nil {
		c.fail(err)
		return
	}
	c.out.records(recs)
}

// takeSegment hands on the rows of a held segment inside the window.
func (c *consumer[T]) takeSegment(sg *segment) {
	from, to := rowsIn(sg.batch, sg.span, c.window)
	c.takeRows(sg.batch, from, to)
}

// takeReplay hands on what a flight held for the query when it joined.
func (c *consumer[T]) takeReplay(rs []replayed[T]) {
	for _, r := range rs {
		if r.b == nil {
			c.take(r.recs)
			continue
		}
		from, to := rowsIn(r.b, r.span, c.window)
		c.takeRows(r.b, from, to)
	}
}

// admit counts n records inside the window against the budget and reports
// whether they go on to the query; the caller holds c.mu.
func (c *consumer[T]) admit(n int) bool {
	c.seen += int64(n)
	if c.frozen {
		if c.max > 0 && c.seen > c.max && c.over != nil {
			c.over()
			c.over = nil
		}
		return false
	}
	if c.max > 0 && c.seen > c.max {
		c.err = fmt.Errorf("the query needs more than %d records (the data source's \"Max records per query\"); narrow the time range or raise that setting", c.max)
		c.stop()
		return false
	}
	return true
}

// fail ends the query over a batch it cannot use; the caller holds c.mu.
func (c *consumer[T]) fail(err error) {
	c.failed = fmt.Errorf("records could not be held as columns: %w", err)
	c.stop()
}

// encoded is a tier segment a query planned to take, not yet decoded: with its
// records (checked when found) from a tier that only loads them whole, or
// without them from a Lister, which loads them when the query consumes it.
type encoded struct {
	tier   Tier
	lane   string
	schema uint32
	stored Stored
}

// consume hands a segment the query planned to take to the query. A memory
// segment's batch goes as it is; a tier segment is loaded (if need be) and
// decoded now, handed over and let go, so that a query over a range far larger
// than memory holds one decoded segment at a time, not the whole range (and
// queries at once share one decode, see shared.go). The decoded batch is
// offered to memory, which keeps it only where it has room (see Cache.offer).
// false: the segment was gone or did not check out, nothing of it reached the
// query, and its time must be planned again (planMore); the warning says why.
func consume[T any](ctx context.Context, s *Source, ep endpoint[T], k laneKey, sg *segment, cons *consumer[T]) (bool, string) {
	if sg.enc == nil {
		cons.takeSegment(sg)
		return true, ""
	}
	enc := sg.enc
	// Other parts of the same stored value may still need it; this one does not.
	sg.enc = nil
	st, err := loadStored(ctx, enc.tier, enc.lane, enc.stored, s.cfg.Now())
	var b batch
	if err == nil {
		if b, err = sharedDecode(ep.cols, st, enc.lane, enc.schema); err != nil {
			forget(ctx, enc.tier, enc.lane, st)
		}
	}
	if err != nil {
		// A segment the tier's budget evicted meanwhile is no fault of the tier.
		if !errors.Is(err, errGone) {
			tierErrors.WithLabelValues(tierLabel(enc.tier), "read").Inc()
		}
		return false, tierWarning(enc.tier, "read", err)
	}
	// The segment the query consumes is not kept with its batch: the plan
	// holds its segments until the query ends, the batch only this long.
	cons.takeSegment(&segment{span: sg.span, batch: b})
	// Live segments (shared by a replica for the reuse time) stay out of the
	// memory cache, which holds settled time only.
	if s.cfg.Cache == nil || sg.span.to.After(chunkFloor(s.cfg.Now().Add(-s.cfg.Live))) {
		return true, ""
	}
	s.cfg.Cache.offer(k, &segment{span: sg.span, batch: b, size: segmentSize(b), expires: sg.expires})
	return true, ""
}

// errGone is a segment a Lister listed that was no longer there to load: the
// tier's budget evicted it, or a write replaced it, meanwhile.
var errGone = errors.New("a segment was evicted or replaced meanwhile")

// loadStored returns st with its records, loaded from the tier if st came
// without them.
func loadStored(ctx context.Context, t Tier, lane string, st Stored, now time.Time) (Stored, error) {
	if st.Data != nil {
		return st, nil
	}
	tctx, span := tracer.Start(ctx, "fetch.tier_load")
	found, err := t.Load(tctx, lane, st.From, st.To, now)
	span.End()
	if err != nil {
		return st, err
	}
	i := slices.IndexFunc(found, func(f Stored) bool {
		return f.From.Equal(st.From) && f.To.Equal(st.To) && f.Expires.Equal(st.Expires)
	})
	if i < 0 {
		return st, errGone
	}
	return found[i], nil
}

// planMore plans iv, time the query counted on finding stored and did not, as a
// query of its own on the same consumer, and adds it to p: what memory holds now,
// what a flight is reading, or a new export.
func planMore[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, k laneKey, cons *consumer[T], p *plan[T], iv interval) {
	part := req
	part.Window = exportapi.Window{From: iv.from, To: iv.to}
	q := makePlan(ctx, s, ep, part, k, cons, nil, nil)
	// Planned without tier segments: what it hits is in memory.
	for _, h := range q.hits {
		cons.takeSegment(h)
	}
	for _, j := range q.joins {
		cons.takeReplay(j.replay)
	}
	p.hits = append(p.hits, q.hits...)
	p.joins = append(p.joins, q.joins...)
	p.misses += q.misses
	if q.started != nil {
		go q.started.launch()
		p.joins = append(p.joins, joined[T]{f: q.started, sub: q.own, own: true})
	}
	trackPlan(req.Progress, req.Window, p)
}

// consumeHits consumes the segments p planned to take, one at a time, and plans
// again the time of those that turned out gone or damaged, so that it is read
// from wherever it is now, never left out. It returns how many tier segments
// reached the query.
func consumeHits[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, k laneKey, cons *consumer[T], p *plan[T], st *Stats) int {
	planned := p.hits
	p.hits = nil
	var missed []interval
	fromTiers := 0
	for _, h := range planned {
		tier := h.enc != nil
		ok, warning := consume(ctx, s, ep, k, h, cons)
		switch {
		case !ok:
			st.Warnings = addWarnings(st.Warnings, warning)
			missed = append(missed, h.span)
			continue
		case tier:
			fromTiers++
		}
		p.hits = append(p.hits, h)
		req.Progress.handedOn(req.Window, h.span)
	}
	for _, iv := range missed {
		planMore(ctx, s, ep, req, k, cons, p, iv)
	}
	return fromTiers
}
