package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
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
