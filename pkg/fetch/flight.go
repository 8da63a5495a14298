package fetch

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Flights is the registry of reads, process-wide: exports under way and, for a few
// seconds after they end (Config.Reuse), the live records they read. A query takes
// from them every part of its range they read or are reading, and starts an export
// only for the rest, so panels that arrive apart, and ranges that overlap, never
// read the same time twice at once. It also remembers how many records per hour
// each bot's endpoints hold, to decide how many parallel legs are worth their
// partial pages.
type Flights struct {
	mu    sync.Mutex
	lanes map[laneKey]any // *lane[T]

	densityMu sync.Mutex // apart from mu: planning, under mu, asks for densities
	density   map[string]float64
	// hinted is what was last written to the hints per key: a write costs a
	// disk sync, and most reads measure what the last one did.
	hinted map[string]float64
}

// NewFlights returns an empty registry.
func NewFlights() *Flights {
	return &Flights{lanes: map[laneKey]any{}, density: map[string]float64{}, hinted: map[string]float64{}}
}

// lane is the flights of one timeline.
type lane[T any] struct {
	flights []*flight[T]
}

func laneOf[T any](fl *Flights, k laneKey) *lane[T] {
	if ln, ok := fl.lanes[k].(*lane[T]); ok {
		return ln
	}
	ln := &lane[T]{}
	fl.lanes[k] = ln
	return ln
}

// tidy forgets a lane with no flights, so that lanes of one-off conversations do
// not pile up; the caller holds the registry's lock.
func (fl *Flights) tidy(k laneKey) {
	if ln, ok := fl.lanes[k].(interface{ empty() bool }); ok && ln.empty() {
		delete(fl.lanes, k)
	}
}

// reading is the time the unfinished flights of lane k export.
func reading[T any](fl *Flights, k laneKey) []interval {
	if fl == nil {
		return nil
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	ln, ok := fl.lanes[k].(*lane[T])
	if !ok {
		return nil
	}
	var out []interval
	for _, f := range ln.flights {
		f.mu.Lock()
		if !f.finished && !f.canceled {
			// Time its retainer gave up once a tier had it is the tier's to give.
			reads := f.reads
			if f.retain != nil {
				reads = subtractAll(reads, f.retain.stored(reads))
			}
			out = append(out, reads...)
		}
		f.mu.Unlock()
	}
	return out
}

func (ln *lane[T]) empty() bool { return len(ln.flights) == 0 }

// prune forgets finished flights whose records are too old to reuse; the caller
// holds the registry's lock.
func (ln *lane[T]) prune(now time.Time) {
	kept := ln.flights[:0]
	for _, f := range ln.flights {
		f.mu.Lock()
		stale := f.finished && (f.retain == nil || !f.retain.holds() || now.Sub(f.finishedAt) > f.reuse)
		if stale && f.retain != nil {
			f.retain.drop()
		}
		f.mu.Unlock()
		if !stale {
			kept = append(kept, f)
		}
	}
	clear(ln.flights[len(kept):])
	ln.flights = kept
}

// flight is one export and what it has read so far.
type flight[T any] struct {
	reads   []interval // the time it exports
	settled []interval // the part of reads that goes to the cache when it ends
	// edge is the clock when it was planned: a read that reaches it also serves
	// queries up to edge+reuse, the live records' reuse.
	edge  time.Time
	reuse time.Duration
	done  chan struct{}
	// cancel stops the export; launch starts it, once the first subscriber is in.
	cancel context.CancelFunc
	launch func()

	// priority is set when a background read started the flight; an interactive
	// query that joins raises it, so that it never waits at background pace.
	priority *exportapi.Priority

	mu         sync.Mutex
	retain     *retainer[T] // nil: holds nothing, so joinable only until its first page
	progress   func() []interval
	costSoFar  func() exportapi.Stats // what the export has cost while it runs
	subs       map[*subscriber[T]]struct{}
	delivered  bool
	canceled   bool
	finished   bool
	finishedAt time.Time
	asked      time.Time // when a query last needed its time (partial.go)
	calls      []string  // the first request of each leg
	stats      exportapi.Stats
	err        error
	warnings   []string // from the tiers, when keeping what it read failed
	// writer stores settled chunks in the tiers as the legs complete them; nil
	// without tiers or settled time.
	writer *chunkWriter[T]
}

func (f *flight[T]) addCall(call string) {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
}

// offers is the time a query may take from the flight now; the caller holds f.mu.
func (f *flight[T]) offers(now time.Time) []interval {
	if f.canceled || (f.finished && (f.err != nil || now.Sub(f.finishedAt) > f.reuse)) {
		return nil
	}
	reads := f.reads
	if f.finished {
		// Its settled time has gone to the cache; only the live records stay.
		for _, s := range f.settled {
			reads = subtract(reads, s)
		}
	}
	var offer []interval
	switch {
	case f.retain != nil:
		offer = f.retain.covers(reads)
	case !f.delivered:
		offer = slices.Clone(reads) // the live edge below must not move the flight's own reads
	}
	if n := len(offer); n > 0 && f.reuse > 0 && !offer[n-1].to.Before(f.edge) {
		offer[n-1].to = maxTime(offer[n-1].to, f.edge.Add(f.reuse))
	}
	return offer
}

// subscriber is one query's hold on a flight: the records of pieces go to fn. Its
// callback runs on the flight's goroutines; it is never called once the
// subscriber has left.
type subscriber[T any] struct {
	pieces []interval
	when   func(*T) time.Time

	mu     sync.Mutex
	fn     func([]T)
	closed bool
}

func (s *subscriber[T]) deliver(page []T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if kept := keep(page, func(r *T) bool { return inAny(s.pieces, s.when(r)) }); len(kept) > 0 {
		s.fn(kept)
	}
}

func (s *subscriber[T]) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// join subscribes sub and returns the records the flight already holds for its
// pieces; the caller holds f.mu, so no page falls between the two.
func (f *flight[T]) join(sub *subscriber[T]) []replayed[T] {
	var replay []replayed[T]
	if f.retain != nil {
		replay = f.retain.replay(sub.pieces)
	}
	if !f.finished {
		f.subs[sub] = struct{}{}
	}
	return replay
}

func (f *flight[T]) deliver(page []T) {
	if len(page) == 0 {
		return
	}
	f.mu.Lock()
	f.delivered = true
	if f.retain != nil {
		f.retain.add(page)
	}
	subs := make([]*subscriber[T], 0, len(f.subs))
	for s := range f.subs {
		subs = append(subs, s)
	}
	f.mu.Unlock()
	for _, s := range subs {
		s.deliver(page)
	}
}

// leave unsubscribes; the last subscriber to leave cancels the export, so a closed
// panel stops its export but never one another panel still waits for.
func (f *flight[T]) leave(sub *subscriber[T]) {
	sub.close()
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs, sub)
	if len(f.subs) == 0 && !f.canceled && !f.finished {
		f.canceled = true
		f.cancel()
	}
}

// wholeSettled is the settled time the legs have wholly read, in whole chunks,
// that the retainer holds: what the writer stores as the flight goes, and what
// a flight that fails or is cancelled still keeps. The caller does not hold f.mu
// (settled and progress are read without it: startFlight set them for good).
func (f *flight[T]) wholeSettled() []interval {
	var out []interval
	for _, c := range f.progress() {
		whole := interval{from: chunkCeil(c.from), to: chunkFloor(c.to)}
		if whole.empty() {
			continue
		}
		for _, sp := range f.settled {
			out = append(out, intersect(sp, whole))
		}
	}
	out = merge(out)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.retain == nil {
		return nil
	}
	return f.retain.covers(out)
}

// readSoFar is the time the flight has read completely, as far as its legs tell.
func (f *flight[T]) readSoFar() []interval {
	f.mu.Lock()
	done, progress := f.finished && f.err == nil, f.progress
	f.mu.Unlock()
	switch {
	case done:
		return f.reads
	case progress == nil:
		return nil
	}
	return progress() // outside f.mu: the legs take their own lock, then the flight's
}

func (fl *Flights) rememberDensity(key string, perHour float64) {
	fl.densityMu.Lock()
	defer fl.densityMu.Unlock()
	if old, ok := fl.density[key]; ok {
		perHour = (old + perHour) / 2
	}
	fl.density[key] = perHour
}

func (fl *Flights) knownDensity(key string) (float64, bool) {
	fl.densityMu.Lock()
	defer fl.densityMu.Unlock()
	d, ok := fl.density[key]
	return d, ok
}

// hintChange is the relative change of a measurement worth writing to the hints.
const hintChange = 0.1

// worthHinting reports whether v differs enough from what was last written for
// key to be written again, and notes it as written if so.
func (fl *Flights) worthHinting(key string, v float64) bool {
	fl.densityMu.Lock()
	defer fl.densityMu.Unlock()
	if old, ok := fl.hinted[key]; ok && math.Abs(v-old) <= hintChange*old {
		return false
	}
	fl.hinted[key] = v
	return true
}
