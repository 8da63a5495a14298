package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/opaque"
)

// Config configures a Source.
type Config struct {
	Client *exportapi.Client
	// BaseURL and APIKey name whose data it is: sources with the same server and key
	// share exports and cached segments. The key is only ever kept hashed.
	BaseURL string
	APIKey  string
	// Live is how far back records may still change; they are read on every query.
	Live time.Duration
	// TTL is how long settled segments are reused before they are read again; 0
	// turns the cache off.
	TTL time.Duration
	// Final is the age past which records no longer change: their segments are
	// kept until the budget evicts them, never read again because of age. Below
	// Live it counts as Live.
	Final time.Duration
	// Reuse is how long a finished read's live records serve queries that arrive
	// after it (liveReuseSeconds); 0 reads the live tail for every query.
	Reuse time.Duration
	Cache *Cache
	// Tiers keep settled segments below the memory cache, asked in order: the
	// disk, then a Redis shared by replicas.
	Tiers []Tier
	// Leases and LiveTier are set when replicas share a Redis: leases keep two
	// replicas from exporting the same time, and LiveTier (one of Tiers) gets
	// live records for the reuse time.
	Leases   Leases
	LiveTier Tier
	Flights  *Flights
	// Now is the clock deciding what is live; nil means time.Now.
	Now func() time.Time
	// KeepReading is how long a read a query answered partially from goes on
	// without anyone asking for its time again (default 3 minutes).
	KeepReading time.Duration
	// Hints remember, across restarts, the latency and record density earlier
	// reads measured, for the first cold read to start wide; nil: memory only.
	Hints Hints
}

// Hints is a small durable store of measurements (the disk cache).
type Hints interface {
	Hint(key string) (float64, bool)
	SaveHint(key string, v float64)
}

// Source reads records for queries through shared exports and the cache.
type Source struct {
	cfg   Config
	scope string
}

// maxStreams bounds the parallel exports of one read: each costs up to one partial page.
const maxStreams = 4

// minStreamSpan is the least time one parallel stream covers when the record density
// is not known yet: a shorter stream would likely cost a whole request for little.
const minStreamSpan = 2 * time.Hour

// New returns a source.
func New(cfg Config) *Source {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := sha256.Sum256([]byte(cfg.APIKey))
	return &Source{cfg: cfg, scope: exportapi.Scope(cfg.BaseURL) + "|" + hex.EncodeToString(h[:8])}
}

// Request names what a query needs.
type Request struct {
	Bot            string
	Window         exportapi.Window
	ConversationID string
	// MaxRecords stops the query once more records than this fell in its window; 0: no bound.
	MaxRecords int64
	// AnswerBy, when set, is when the query answers with what is complete if its
	// read has not finished: the read goes on without it, into the cache, and the
	// Stats say which time is not complete. Zero waits for the whole read.
	AnswerBy time.Time
	// Progress, when set, follows which time of the window has been handed on
	// while the read goes on.
	Progress *Progress
}

// Stats is what a query's data cost.
type Stats struct {
	exportapi.Stats
	Exports       int // exports the query read from
	SharedExports int // of which another query had started
	CacheHits     int // settled segments served from the cache
	CacheMisses   int // runs of settled time read from the API
	TierHits      int // segments found on disk or in Redis rather than in memory
	Calls         []string
	// Warnings say what went wrong on the way without failing the query: a cache
	// tier that could not be used.
	Warnings []string
	// Incomplete is the time of the window whose records had not all arrived when
	// the query answered (Request.AnswerBy); empty when the answer is complete.
	// Records of it may have reached the query: what they were counted in is not exact.
	Incomplete      []exportapi.Window
	WaitedOnReplica bool // the query waited on another replica's export
}

// Add sums two Stats.
func (s *Stats) Add(o Stats) {
	s.Stats.Add(o.Stats)
	s.Exports += o.Exports
	s.SharedExports += o.SharedExports
	s.CacheHits += o.CacheHits
	s.CacheMisses += o.CacheMisses
	s.TierHits += o.TierHits
	s.Calls = append(s.Calls, o.Calls...)
	s.Incomplete = mergeWindows(append(s.Incomplete, o.Incomplete...))
	s.WaitedOnReplica = s.WaitedOnReplica || o.WaitedOnReplica
	s.Warnings = addWarnings(s.Warnings, o.Warnings...)
}

// addWarnings appends the warnings list does not hold yet: one failure met on
// every damaged segment, every tier poll or every leg is one thing to tell, and a
// frame carries each notice once.
func addWarnings(list []string, more ...string) []string {
	for _, w := range more {
		if !slices.Contains(list, w) {
			list = append(list, w)
		}
	}
	return list
}

// allocSlack is what the allocator adds to a record's strings, roughly.
const allocSlack = 48

// endpoint is what the planner needs to know of one record type.
type endpoint[T any] struct {
	name   string
	export func(*exportapi.Client, context.Context, exportapi.Request, func([]T) error) (exportapi.Stats, error)
	when   func(*T) time.Time
	size   func(*T) int64
	cols   columns[T]
}

var conversations = endpoint[exportapi.Conversation]{
	name:   exportapi.EndpointConversations,
	export: (*exportapi.Client).Conversations,
	when:   func(c *exportapi.Conversation) time.Time { return c.StartTime },
	size: func(c *exportapi.Conversation) int64 {
		n := int64(unsafe.Sizeof(*c)) + int64(len(c.ID)+len(c.Locale)+len(c.Metadata)) + allocSlack
		for _, t := range c.Tags {
			n += int64(unsafe.Sizeof(t)) + int64(len(t)) + 8
		}
		return n + n/4 // retained slices grow by doubling
	},
	cols: conversationColumns,
}

var messages = endpoint[exportapi.Message]{
	name:   exportapi.EndpointMessages,
	export: (*exportapi.Client).Messages,
	when:   func(m *exportapi.Message) time.Time { return m.Time },
	size: func(m *exportapi.Message) int64 {
		n := int64(unsafe.Sizeof(*m)) + int64(len(m.ID)+len(m.Type)+len(m.ConversationID)+len(m.UserInput)+len(m.UserActionType)+len(m.BotText)) + allocSlack
		return n + n/4
	},
	cols: messageColumns,
}

// Conversations calls fn with pages of the conversations that started in the
// request's window, each exactly once. fn may be called from several goroutines,
// never at once; it must not keep or change the pages.
func (s *Source) Conversations(ctx context.Context, req Request, fn func([]exportapi.Conversation)) (Stats, error) {
	return read(ctx, s, conversations, req, deliverRecords(fn))
}

// Messages calls fn with pages of the messages sent in the request's window.
func (s *Source) Messages(ctx context.Context, req Request, fn func([]exportapi.Message)) (Stats, error) {
	return read(ctx, s, messages, req, deliverRecords(fn))
}

// ConversationColumns calls fn with batches of the conversations that started in
// the request's window, each record exactly once: rows [from, to) of b, all inside
// the window (b.Start is ascending, so a window is a row range). fn may be called
// from several goroutines, never at once; b is shared and immutable: fn must not
// change it, and should not keep it past the call (keeping pins memory).
func (s *Source) ConversationColumns(ctx context.Context, req Request, fn func(b *columnar.Conversations, from, to int)) (Stats, error) {
	return read(ctx, s, conversations, req, deliverColumns[exportapi.Conversation](func(b batch, from, to int) {
		fn(b.(*columnar.Conversations), from, to)
	}))
}

// MessageColumns is the same for messages sent in the window.
func (s *Source) MessageColumns(ctx context.Context, req Request, fn func(b *columnar.Messages, from, to int)) (Stats, error) {
	return read(ctx, s, messages, req, deliverColumns[exportapi.Message](func(b batch, from, to int) {
		fn(b.(*columnar.Messages), from, to)
	}))
}

// span is one window to export; records in [cacheFrom, cacheTo) go to the cache.
type span struct {
	from, to           time.Time
	cacheFrom, cacheTo time.Time
}

func (sp span) cacheable() bool { return sp.cacheFrom.Before(sp.cacheTo) }

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
	held, stored, warnings := storedFor(ctx, s, ep, req)
	k := laneKey{scope: s.scope, bot: req.Bot, endpoint: ep.name, conversationID: req.ConversationID}
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
	p := makePlan(ctx, s, ep, req, cons, append(held, stored...), blocked)
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
	if p.started != nil {
		err = p.started.await(answer)
		st.Add(flightStats(p.started, false))
	}
	for _, j := range p.joins {
		if e := j.f.await(answer); err == nil {
			err = e
		}
		js := flightStats(j.f, j.recent)
		if !j.own {
			js.SharedExports = js.Exports
		}
		st.Add(js)
	}
	// The answer is due (AnswerBy), not the query's own end (its deadline or cancel).
	if err != nil && answer != ctx && answer.Err() != nil && ctx.Err() == nil {
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
	overBudget, failed := cons.err, cons.failed
	cons.mu.Unlock()
	if overBudget != nil {
		return st, exportapi.NewError(exportapi.KindTooManyRecords, ep.name, overBudget.Error())
	}
	if failed != nil {
		return st, exportapi.NewError(exportapi.KindBadResponse, ep.name, failed.Error())
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
func storedFor[T any](ctx context.Context, s *Source, ep endpoint[T], req Request) (held, stored []*segment, warnings []string) {
	now := s.cfg.Now()
	zone, ok := s.settledZone(req.Window, now)
	if !ok {
		return nil, nil, nil
	}
	k := laneKey{scope: s.scope, bot: req.Bot, endpoint: ep.name, conversationID: req.ConversationID}
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
func makePlan[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, cons *consumer[T], found []*segment, exclude []interval) plan[T] {
	var p plan[T]
	now := s.cfg.Now()
	settledEnd := chunkFloor(now.Add(-s.cfg.Live))
	k := laneKey{scope: s.scope, bot: req.Bot, endpoint: ep.name, conversationID: req.ConversationID}
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
		f.writer = newChunkWriter(s, f, k, ep.cols, runner.covered)
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

// finish ends a flight: its settled time goes to the cache, and its live records
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
	if f.retain != nil && err == nil {
		f.mu.Lock()
		var pend, livePend []pending[T]
		if !f.canceled {
			if s.cfg.TTL > 0 && len(f.settled) > 0 {
				target := s.segmentTarget()
				// Final time never expires; settled time younger than that is
				// read again after TTL. Time that turns final before its TTL
				// runs out counts as final already: a revalidation would read it
				// only once it is final, and settled records are allowed to be
				// that stale. Segments never straddle the two, nor the edges of
				// what the tiers already have, so that only the rest is written.
				finalEdge := chunkFloor(f.edge.Add(-max(s.cfg.Final-s.cfg.TTL, s.cfg.Live)))
				final := splitAt(overlaps(f.settled, interval{from: time.Time{}, to: finalEdge}), written)
				recent := splitAt(overlaps(f.settled, interval{from: finalEdge, to: maxInstant}), written)
				sf, pf := f.retain.plan(final, target, maxInstant)
				sr, pr := f.retain.plan(recent, target, finishedAt.Add(s.cfg.TTL))
				sealed, pend = append(sf, sr...), append(pf, pr...)
			}
			if f.reuse > 0 {
				livePend = f.retain.live(live)
			}
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
		if err != nil || f.canceled {
			f.retain.drop()
		} else {
			if s.cfg.TTL > 0 && len(f.settled) > 0 {
				var moved int64
				kept, moved = f.retain.take(runs, sealed)
				s.cfg.Cache.adopt(k, kept, moved)
			}
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

// maxSegmentBytes bounds a cached segment, so eviction frees memory in small steps.
const maxSegmentBytes = 256 << 10

// recordsPerColumnByte is about how many bytes of decoded records (what
// endpoint.size estimates, and what the retainer holds) one byte of their
// columns takes: 5 to 9 for conversations and messages.
const recordsPerColumnByte = 6

// segmentTarget is what a segment is planned at, in bytes of decoded records:
// about maxSegmentBytes once held as columns (a sixteenth of a small budget at
// most). Segments held as columns that were planned by their decoded size would
// be an eighth of that: a few hundred records, where a query's work per batch
// (resolving its groups and filters against the batch's dictionaries) would
// weigh as much as the records.
func (s *Source) segmentTarget() int64 {
	return min(maxSegmentBytes, s.cfg.Cache.budget/16) * recordsPerColumnByte
}

func (s *Source) densityKey(endpoint, bot string) string {
	return s.scope + "|" + bot + "|" + endpoint
}

// streams is how many legs a read starts with: enough to keep the rate limit busy
// at the latency measured (now, or by an earlier process), but no more than the
// records justify, as each leg ends on a partial page. With no latency known, a
// read of two days or more starts with two legs: the first answers tell, and legs
// are cut then. (Shorter reads keep one: a day is a few pages for most bots.)
func (s *Source) streams(endpoint, bot string, spans []span) int {
	total := spanTotal(spans)
	want, known := s.latencyLegs(endpoint)
	if !known && total >= speculateFrom {
		want = speculativeLegs
	}
	if density, ok := s.density(endpoint, bot); ok {
		pages := density * total.Hours() / exportapi.MaxPerPage
		return max(1, min(want, int(pages/2)))
	}
	return max(1, min(want, int(total/minStreamSpan)))
}

// speculateFrom is the shortest read that speculates.
const speculateFrom = 48 * time.Hour

// legSlack is the share of a request interval a latency may exceed a whole
// number of intervals by without one more leg.
const legSlack = 0.1

// speculativeLegs start a read when nothing is known of the API's latency: at a
// low latency the second leg costs one partial page, at a high one it halves the
// first read's wait.
const speculativeLegs = 2

// legsForLatency is how many legs keep the rate limit busy at the latency
// measured so far: as many requests as fit in one answer's wait, at least one.
func (s *Source) legsForLatency(endpoint string) int {
	n, _ := s.latencyLegs(endpoint)
	return n
}

// latencyLegs is legsForLatency, and whether any latency is known: measured in
// this process, or remembered from an earlier one.
func (s *Source) latencyLegs(endpoint string) (int, bool) {
	latency := s.cfg.Client.Latency(endpoint).Seconds()
	known := latency > 0
	if !known && s.cfg.Hints != nil {
		latency, known = s.cfg.Hints.Hint(s.hintKey("latency", endpoint))
	}
	// A latency a shade over a whole number of request intervals does not earn
	// another leg, which would cost a partial page to gain a few percent.
	n := math.Ceil(latency*s.cfg.Client.Rate(endpoint) - legSlack)
	return max(1, min(int(n), maxStreams)), known
}

// density is a bot's endpoint's records per hour, as earlier reads found it.
func (s *Source) density(endpoint, bot string) (float64, bool) {
	if d, ok := s.cfg.Flights.knownDensity(s.densityKey(endpoint, bot)); ok {
		return d, true
	}
	if s.cfg.Hints != nil {
		return s.cfg.Hints.Hint(s.hintKey("density", endpoint+"|"+bot))
	}
	return 0, false
}

// remember keeps what a read measured, in memory and in the hints.
func (s *Source) remember(endpoint, bot string, perHour float64) {
	s.cfg.Flights.rememberDensity(s.densityKey(endpoint, bot), perHour)
	if s.cfg.Hints == nil {
		return
	}
	save := func(key string, v float64) {
		if s.cfg.Flights.worthHinting(key, v) {
			s.cfg.Hints.SaveHint(key, v)
		}
	}
	if d, ok := s.cfg.Flights.knownDensity(s.densityKey(endpoint, bot)); ok {
		save(s.hintKey("density", endpoint+"|"+bot), d)
	}
	if l := s.cfg.Client.Latency(endpoint); l > 0 {
		save(s.hintKey("latency", endpoint), l.Seconds())
	}
}

// hintKey names a measurement of this server and key in the disk store, as
// opaquely as a lane (see laneID).
func (s *Source) hintKey(kind, name string) string {
	return kind + "|" + opaque.Name(s.cfg.APIKey, "hint", s.scope, name)
}

func spanTotal(spans []span) time.Duration {
	var total time.Duration
	for _, sp := range spans {
		total += sp.to.Sub(sp.from)
	}
	return total
}

// split cuts the spans into n streams of about equal time, at chunk boundaries.
func split(spans []span, n int) []span {
	if n <= len(spans) {
		return spans
	}
	target := spanTotal(spans) / time.Duration(n)
	var out []span
	for _, sp := range spans {
		for sp.to.Sub(sp.from) > target+target/2 {
			cut := chunkFloor(sp.from.Add(target))
			if !cut.After(sp.from) {
				break
			}
			head := sp
			head.to = cut
			head.cacheTo = minTime(sp.cacheTo, cut)
			out = append(out, head)
			sp.from = cut
			sp.cacheFrom = maxTime(sp.cacheFrom, cut)
		}
		out = append(out, sp)
	}
	return out
}
