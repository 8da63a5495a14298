package fetch

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// A flight reads its spans in legs, several at once under the shared rate limit,
// each leg one export with its own cursor. It needs as many legs as requests fit
// in the API's latency at the rate limit (at 1 s and 3 requests/s, three); as the
// latency is measured, and whenever a leg ends early (a day is busier than a
// night, so legs of equal time rarely hold equal records), the flight steals work:
// it cuts the leg with the most left at the middle of what is left and starts a
// new leg there. Each leg ends on one partial page, so legs are added only when
// needed. A cut relies on the API handing records out in time order; a leg checks
// that on every record it sees and is never cut once it does not hold. (The check
// sees only records already read: an API whose pages were each in order but came
// out of order would defeat it. The API's documentation does not say how its
// cursors order records; the simulator's follow time.)

// minCutPages is the least estimated work left in a leg worth a cut: a cut costs
// one partial page, so it must save several pages of waiting.
const minCutPages = 3

// errLegCut stops a leg that has passed the point where another leg took over.
var errLegCut = errors.New("leg cut")

type leg struct {
	from, to time.Time // to moves earlier when the leg is cut
	progress time.Time // latest record time the leg has handed on
	records  int64
	sorted   bool
	done     bool
	// complete is set when the leg ended without an error: it read all of
	// from..to, even if another leg failed afterwards.
	complete bool
	// delivering is set while a page is handed on outside the runner's lock.
	delivering bool
	// cost is what the leg's export has cost so far, while it runs.
	cost exportapi.Stats
}

// legs runs the flight's legs to the end and returns their summed cost.
type legRunner[T any] struct {
	f       *flight[T]
	ep      endpoint[T]
	s       *Source
	req     exportapi.Request
	initial int
	ctx     context.Context
	// newestFirst reads a long range a piece at a time from its newest end, for a
	// query that answers with what is complete before the read ends.
	newestFirst bool
	// progressed, when set, is told (never blocking) whenever covered may have grown.
	progressed func()

	mu     sync.Mutex
	legs   []*leg
	queue  []span // pieces not started yet, newest first
	active int
	wg     sync.WaitGroup
	stats  exportapi.Stats
	err    error
	cancel context.CancelFunc
}

func (r *legRunner[T]) run(ctx context.Context, spans []span) (exportapi.Stats, error) {
	r.ctx, r.cancel = context.WithCancel(ctx)
	defer r.cancel()
	r.mu.Lock()
	if r.newestFirst && ReadsNewestFirst(spanTotal(spans)) {
		r.queue = newestPieces(spans)
		for range min(r.initial, len(r.queue)) {
			r.startNext()
		}
	} else {
		for _, sp := range split(spans, r.initial) {
			r.start(&leg{from: sp.from, to: sp.to, sorted: true})
		}
	}
	r.mu.Unlock()
	r.wg.Wait()
	return r.stats, r.err
}

// covered is the time the legs have read completely so far: all of a leg that
// ended without an error, and up to the latest record of one that reads in
// time order (even after a failure: each leg hands on its pages in full).
func (r *legRunner[T]) covered() []interval {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []interval
	for _, l := range r.legs {
		switch {
		case l.complete:
			out = append(out, interval{from: l.from, to: l.to})
		case l.sorted && l.records > 0:
			out = append(out, interval{from: l.from, to: l.progress})
		}
	}
	return merge(out)
}

// costSoFar is what the legs have cost so far: the finished legs' whole cost
// and the running legs' cost up to their last wait or answer.
func (r *legRunner[T]) costSoFar() exportapi.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stats
	for _, l := range r.legs {
		if !l.done {
			st.Add(l.cost)
		}
	}
	return st
}

// start launches a leg; the caller holds r.mu.
func (r *legRunner[T]) start(l *leg) {
	r.legs = append(r.legs, l)
	r.active++
	req := r.req
	req.Window = exportapi.Window{From: l.from, To: l.to}
	req.Observe = func(soFar exportapi.Stats) {
		r.mu.Lock()
		l.cost = soFar
		r.mu.Unlock()
	}
	r.f.addCall(r.s.cfg.Client.Describe(r.ep.name, req))
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		st, err := r.ep.export(r.s.cfg.Client, r.ctx, req, func(page []T) error { return r.page(l, page) })
		if errors.Is(err, errLegCut) {
			err = nil
		}
		r.finish(l, st, err)
		r.tell()
	}()
}

// page hands on the records before the leg's (possibly moved) end and notes
// whether the leg still reads in time order. The leg's progress moves only once
// the page is handed on: covered time is time whose records every subscriber has.
func (r *legRunner[T]) page(l *leg, page []T) error {
	r.mu.Lock()
	// No cut while the page is on its way: a cut point is chosen after the
	// leg's progress, which this page is about to move.
	l.delivering = true
	end, progress, sorted := l.to, l.progress, l.sorted
	r.mu.Unlock()
	crossed := false
	kept := page
	for i := range page {
		t := r.ep.when(&page[i])
		if !t.Before(end) {
			crossed = true
			continue
		}
		if t.Before(progress) {
			sorted = false
		} else {
			progress = t
		}
	}
	if crossed {
		kept = keep(page, func(rec *T) bool { return r.ep.when(rec).Before(end) })
	}
	r.f.deliver(kept)
	r.mu.Lock()
	l.delivering = false
	l.progress, l.sorted = progress, sorted && l.sorted
	l.records += int64(len(kept))
	if !crossed {
		r.rebalance()
	}
	r.mu.Unlock()
	r.tell()
	if crossed && sorted {
		return errLegCut
	}
	return nil
}

func (r *legRunner[T]) tell() {
	if r.progressed != nil {
		r.progressed()
	}
}

func (r *legRunner[T]) finish(l *leg, st exportapi.Stats, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.Add(st)
	l.done = true
	l.complete = err == nil
	r.active--
	if err != nil {
		if r.err == nil {
			r.err = err
			r.cancel()
		}
		return
	}
	r.rebalance()
}

// rebalance cuts legs while fewer run than the latency calls for and one is worth
// a cut: the one with the most left, into as many equal parts of what it has left
// as legs are missing, so three legs start even rather than halves of halves. The
// caller holds r.mu.
func (r *legRunner[T]) rebalance() {
	want := r.s.legsForLatency(r.ep.name)
	for r.err == nil && r.active < want && len(r.queue) > 0 {
		r.startNext()
	}
	for r.err == nil && r.active < want {
		victim, pages := r.victim()
		if victim == nil {
			return
		}
		parts := min(want-r.active+1, int(pages/minCutPages))
		cuts := cutPoints(victim.progress, victim.to, max(parts, 2))
		if len(cuts) == 0 {
			return
		}
		end := victim.to
		victim.to = cuts[0]
		for i, c := range cuts {
			next := end
			if i+1 < len(cuts) {
				next = cuts[i+1]
			}
			r.start(&leg{from: c, to: next, sorted: true})
		}
	}
}

// newestFirstFrom is the range past which a progressive read goes newest first:
// shorter ones read in time order finish within a response anyway, and each
// piece costs a partial page.
const newestFirstFrom = 7 * 24 * time.Hour

// ReadsNewestFirst reports whether a read of a range this long that may answer
// partially goes newest first. Chunk alignment may add up to a chunk to a week's
// range: that is still a week.
func ReadsNewestFirst(length time.Duration) bool {
	return length > newestFirstFrom+ChunkSize
}

// newestPieces cuts spans into pieces of at least a day, at most 16 of them,
// newest first.
func newestPieces(spans []span) []span {
	size := max(24*time.Hour, spanTotal(spans)/16).Truncate(ChunkSize)
	var out []span
	for i := len(spans) - 1; i >= 0; i-- {
		sp := spans[i]
		for to := sp.to; to.After(sp.from); {
			from := to.Add(-size)
			if from.Before(sp.from) {
				from = sp.from
			}
			out = append(out, span{from: from, to: to})
			to = from
		}
	}
	return out
}

// startNext starts a leg on the newest piece not started; the caller holds r.mu.
func (r *legRunner[T]) startNext() {
	sp := r.queue[0]
	r.queue = r.queue[1:]
	r.start(&leg{from: sp.from, to: sp.to, sorted: true})
}

// cutPoints divides (progress, end) into parts equal spans, on whole seconds so a
// new leg's start_time asks for nothing before it; points that do not fall
// strictly inside are dropped.
func cutPoints(progress, end time.Time, parts int) []time.Time {
	var out []time.Time
	prev := progress
	for i := 1; i < parts; i++ {
		c := progress.Add(end.Sub(progress) * time.Duration(i) / time.Duration(parts)).Truncate(time.Second)
		if c.After(prev) && c.Before(end) {
			out = append(out, c)
			prev = c
		}
	}
	return out
}

// victim picks the running leg with the most estimated pages left; nil when no
// leg is worth a cut.
func (r *legRunner[T]) victim() (*leg, float64) {
	var best *leg
	var bestPages float64
	for _, l := range r.legs {
		covered := l.progress.Sub(l.from)
		if l.done || l.delivering || !l.sorted || l.records == 0 || covered <= 0 {
			continue
		}
		left := l.to.Sub(l.progress)
		pages := float64(l.records) / covered.Seconds() * left.Seconds() / exportapi.MaxPerPage
		if pages > bestPages {
			best, bestPages = l, pages
		}
	}
	if best == nil || bestPages < minCutPages {
		return nil, 0
	}
	return best, bestPages
}
