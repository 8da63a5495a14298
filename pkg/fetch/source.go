package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"sync"
	"time"
	"unsafe"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Config configures a Source.
type Config struct {
	Client *exportapi.Client
	// BaseURL and APIKey name whose data it is: sources with the same pair share
	// exports and cached chunks. The key is only ever kept hashed.
	BaseURL string
	APIKey  string
	// Live is how far back records may still change; they are read on every query.
	Live time.Duration
	// TTL is how long settled chunks are reused; 0 turns the cache off.
	TTL     time.Duration
	Cache   *Cache
	Flights *Flights
	// Now is the clock deciding what is live; nil means time.Now.
	Now func() time.Time
}

// Source reads records for queries through shared exports and the chunk cache.
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
}

// Stats is what a query's data cost.
type Stats struct {
	exportapi.Stats
	Exports       int // exports the query read from
	SharedExports int // of which another query had started
	CacheHits     int // settled chunks served from the cache
	CacheMisses   int // settled chunks read from the API
	Calls         []string
}

// Add sums two Stats.
func (s *Stats) Add(o Stats) {
	s.Stats.Add(o.Stats)
	s.Exports += o.Exports
	s.SharedExports += o.SharedExports
	s.CacheHits += o.CacheHits
	s.CacheMisses += o.CacheMisses
	s.Calls = append(s.Calls, o.Calls...)
}

// allocSlack is what the allocator adds to a record's strings, roughly.
const allocSlack = 48

// endpoint is what the planner needs to know of one record type.
type endpoint[T any] struct {
	name   string
	export func(*exportapi.Client, context.Context, exportapi.Request, func([]T) error) (exportapi.Stats, error)
	when   func(*T) time.Time
	size   func(*T) int64
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
}

var messages = endpoint[exportapi.Message]{
	name:   exportapi.EndpointMessages,
	export: (*exportapi.Client).Messages,
	when:   func(m *exportapi.Message) time.Time { return m.Time },
	size: func(m *exportapi.Message) int64 {
		n := int64(unsafe.Sizeof(*m)) + int64(len(m.ID)+len(m.Type)+len(m.ConversationID)+len(m.UserInput)+len(m.UserActionType)+len(m.BotText)) + allocSlack
		return n + n/4
	},
}

// Conversations calls fn with pages of the conversations that started in the
// request's window, each exactly once. fn may be called from several goroutines,
// never at once; it must not keep or change the pages.
func (s *Source) Conversations(ctx context.Context, req Request, fn func([]exportapi.Conversation)) (Stats, error) {
	return read(ctx, s, conversations, req, fn)
}

// Messages calls fn with pages of the messages sent in the request's window.
func (s *Source) Messages(ctx context.Context, req Request, fn func([]exportapi.Message)) (Stats, error) {
	return read(ctx, s, messages, req, fn)
}

// span is one window to export; records in [cacheFrom, cacheTo) go to the cache.
type span struct {
	from, to           time.Time
	cacheFrom, cacheTo time.Time
}

func (sp span) cacheable() bool { return sp.cacheFrom.Before(sp.cacheTo) }

// consumer is one query's side of a read: it keeps records inside its window,
// enforces its budget and serialises calls to fn.
type consumer[T any] struct {
	mu     sync.Mutex
	stop   context.CancelFunc // leaves the query's exports once it is over budget
	window exportapi.Window
	when   func(*T) time.Time
	fn     func([]T)
	max    int64
	seen   int64
	err    error
}

func (c *consumer[T]) take(page []T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	kept := page
	for i := range page {
		if !c.window.Contains(c.when(&page[i])) {
			kept = make([]T, 0, len(page))
			for j := range page {
				if c.window.Contains(c.when(&page[j])) {
					kept = append(kept, page[j])
				}
			}
			break
		}
	}
	c.seen += int64(len(kept))
	if c.max > 0 && c.seen > c.max {
		c.err = fmt.Errorf("the query needs more than %d records (the data source's maxRecords); narrow the time range or raise maxRecords", c.max)
		c.stop()
		return
	}
	if len(kept) > 0 {
		c.fn(kept)
	}
}

func read[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, fn func([]T)) (Stats, error) {
	var st Stats
	w := req.Window
	if w.Empty() {
		return st, nil
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	cons := &consumer[T]{window: w, when: ep.when, fn: fn, max: req.MaxRecords, stop: stop}
	now := s.cfg.Now()
	settledEnd := chunkFloor(now.Add(-s.cfg.Live))
	keyOf := func(start time.Time) chunkKey {
		return chunkKey{scope: s.scope, bot: req.Bot, endpoint: ep.name, conversationID: req.ConversationID, start: start.UnixNano()}
	}

	var spans []span
	settledTo := minTime(w.To, settledEnd)
	switch {
	case s.cfg.TTL > 0 && s.cfg.Cache != nil && w.From.Before(settledTo):
		var run *span
		for c := chunkFloor(w.From); c.Before(settledTo); c = c.Add(ChunkSize) {
			if records, ok := s.cfg.Cache.get(keyOf(c), now); ok {
				st.CacheHits++
				cons.take(records.([]T))
				run = nil
				continue
			}
			st.CacheMisses++
			end := c.Add(ChunkSize)
			if run != nil && run.to.Equal(c) {
				run.to, run.cacheTo = end, end
				continue
			}
			spans = append(spans, span{from: c, to: end, cacheFrom: c, cacheTo: end})
			run = &spans[len(spans)-1]
		}
	case w.From.Before(settledTo):
		spans = append(spans, span{from: w.From, to: settledTo})
	}
	if liveFrom := maxTime(w.From, settledEnd); liveFrom.Before(w.To) {
		if n := len(spans); n > 0 && spans[n-1].to.Equal(liveFrom) {
			spans[n-1].to = w.To
		} else {
			spans = append(spans, span{from: liveFrom, to: w.To})
		}
	}
	if cons.err != nil { // the cache alone passed the budget
		return st, budgetError(ep.name, cons.err)
	}
	if len(spans) == 0 {
		return st, nil
	}
	fst, err := readSpans(ctx, s, ep, req, spans, cons, keyOf)
	st.Add(fst)
	cons.mu.Lock()
	overBudget := cons.err
	cons.mu.Unlock()
	if overBudget != nil {
		return st, budgetError(ep.name, overBudget)
	}
	return st, err
}

func budgetError(endpoint string, err error) error {
	return exportapi.NewError(exportapi.KindTooManyRecords, endpoint, err.Error())
}

// readSpans reads the spans through one shared flight: a query with the same
// plan at the same moment (the panels of a dashboard) subscribes to it.
func readSpans[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, spans []span, cons *consumer[T], keyOf func(time.Time) chunkKey) (Stats, error) {
	key := fmt.Sprintf("%s|%s|%s|%s", s.scope, req.Bot, ep.name, req.ConversationID)
	for _, sp := range spans {
		key += fmt.Sprintf("|%d-%d", sp.from.UnixNano(), sp.to.UnixNano())
	}
	sub := &subscriber[T]{fn: cons.take}
	f, shared := join(s.cfg.Flights, key, sub, func() *flight[T] {
		return startFlight(ctx, s, ep, req, spans, key, keyOf)
	})
	fst, calls, err := f.wait(ctx, sub)
	st := Stats{Stats: fst, Exports: len(calls), Calls: calls}
	if shared {
		st.SharedExports = len(calls)
	}
	if err != nil && ctx.Err() != nil {
		return st, exportapi.ContextError(ctx, ep.name)
	}
	return st, err
}

// startFlight prepares an export that outlives the query that started it: it runs
// until it ends or every subscriber has left. It keeps the starter's deadline, so
// rate-limit waits still fail fast when they cannot fit.
func startFlight[T any](ctx context.Context, s *Source, ep endpoint[T], req Request, spans []span, key string, keyOf func(time.Time) chunkKey) *flight[T] {
	base := context.WithoutCancel(ctx)
	var fctx context.Context
	var cancel context.CancelFunc
	if deadline, ok := ctx.Deadline(); ok {
		fctx, cancel = context.WithDeadline(base, deadline)
	} else {
		fctx, cancel = context.WithCancel(base)
	}
	f := &flight[T]{done: make(chan struct{}), cancel: cancel, subs: map[*subscriber[T]]struct{}{}}
	var cacheable []span
	for _, sp := range spans {
		if sp.cacheable() {
			cacheable = append(cacheable, sp)
		}
	}
	if len(cacheable) > 0 && s.cfg.TTL > 0 && s.cfg.Cache != nil {
		f.retain = newRetainer(cacheable, s.cfg.Cache, ep.when, ep.size)
	}
	apiReq := exportapi.Request{Bot: req.Bot, ConversationID: req.ConversationID}
	f.launch = func() {
		defer cancel()
		runner := &legRunner[T]{f: f, ep: ep, s: s, req: apiReq, initial: s.streams(ep.name, req.Bot, spans)}
		st, err := runner.run(fctx, spans)
		if f.retain != nil && err != nil {
			f.retain.drop()
		}
		if err == nil {
			if f.retain != nil {
				f.retain.store(keyOf, s.cfg.Now().Add(s.cfg.TTL))
			}
			if hours := spanTotal(spans).Hours(); hours >= 1 {
				s.cfg.Flights.rememberDensity(s.densityKey(ep.name, req.Bot), float64(st.RecordsKept)/hours)
			}
		}
		f.mu.Lock()
		f.stats, f.err = st, err
		f.mu.Unlock()
		s.cfg.Flights.forget(key, f)
		close(f.done)
	}
	return f
}

func (s *Source) densityKey(endpoint, bot string) string {
	return s.scope + "|" + bot + "|" + endpoint
}

// streams is how many legs a read starts with: enough to keep the rate limit busy
// at the latency measured so far (one when nothing is measured yet: the first
// answer tells, and legs are cut then), but no more than the records justify, as
// each leg ends on a partial page.
func (s *Source) streams(endpoint, bot string, spans []span) int {
	total := spanTotal(spans)
	want := s.legsForLatency(endpoint)
	if density, ok := s.cfg.Flights.knownDensity(s.densityKey(endpoint, bot)); ok {
		pages := density * total.Hours() / exportapi.MaxPerPage
		return max(1, min(want, int(pages/2)))
	}
	return max(1, min(want, int(total/minStreamSpan)))
}

// legsForLatency is how many legs keep the rate limit busy at the latency
// measured so far: as many requests as fit in one answer's wait, at least one.
func (s *Source) legsForLatency(endpoint string) int {
	n := math.Ceil(s.cfg.Client.Latency(endpoint).Seconds() * s.cfg.Client.Rate(endpoint))
	return max(1, min(int(n), maxStreams))
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
