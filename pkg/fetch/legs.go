package fetch

import (
	"context"
	"errors"
	"math"
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
}

// legs runs the flight's legs to the end and returns their summed cost.
type legRunner[T any] struct {
	f       *flight[T]
	ep      endpoint[T]
	s       *Source
	req     exportapi.Request
	initial int
	ctx     context.Context

	mu     sync.Mutex
	legs   []*leg
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
	for _, sp := range split(spans, r.initial) {
		r.start(&leg{from: sp.from, to: sp.to, sorted: true})
	}
	r.mu.Unlock()
	r.wg.Wait()
	return r.stats, r.err
}

// want is how many legs keep the rate limit busy at the latency measured so far.
func (r *legRunner[T]) want() int {
	n := math.Ceil(r.s.cfg.Client.Latency(r.ep.name).Seconds() * r.s.cfg.Client.Rate(r.ep.name))
	return max(1, min(int(n), maxStreams))
}

// start launches a leg; the caller holds r.mu.
func (r *legRunner[T]) start(l *leg) {
	r.legs = append(r.legs, l)
	r.active++
	req := r.req
	req.Window = exportapi.Window{From: l.from, To: l.to}
	r.f.addCall(r.s.cfg.Client.Describe(r.ep.name, req))
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		st, err := r.ep.export(r.s.cfg.Client, r.ctx, req, func(page []T) error { return r.page(l, page) })
		if errors.Is(err, errLegCut) {
			err = nil
		}
		r.finish(l, st, err)
	}()
}

// page hands on the records before the leg's (possibly moved) end and notes
// whether the leg still reads in time order.
func (r *legRunner[T]) page(l *leg, page []T) error {
	r.mu.Lock()
	end := l.to
	crossed := false
	kept := page
	for i := range page {
		t := r.ep.when(&page[i])
		if !t.Before(end) {
			crossed = true
			continue
		}
		if t.Before(l.progress) {
			l.sorted = false
		} else {
			l.progress = t
		}
	}
	if crossed {
		kept = make([]T, 0, len(page))
		for i := range page {
			if r.ep.when(&page[i]).Before(end) {
				kept = append(kept, page[i])
			}
		}
	}
	l.records += int64(len(kept))
	if !crossed {
		r.rebalance()
	}
	r.mu.Unlock()
	r.f.deliver(kept)
	if crossed && l.sorted {
		return errLegCut
	}
	return nil
}

func (r *legRunner[T]) finish(l *leg, st exportapi.Stats, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.Add(st)
	l.done = true
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
// a cut; the caller holds r.mu.
func (r *legRunner[T]) rebalance() {
	for r.err == nil && r.active < r.want() {
		victim, cut := r.victim()
		if victim == nil {
			return
		}
		next := &leg{from: cut, to: victim.to, sorted: true}
		victim.to = cut
		r.start(next)
	}
}

// victim picks the running leg with the most estimated work left and where to cut
// it so that both halves end together; nil when no leg is worth a cut.
func (r *legRunner[T]) victim() (*leg, time.Time) {
	var best *leg
	var bestPages float64
	for _, l := range r.legs {
		covered := l.progress.Sub(l.from)
		if l.done || !l.sorted || l.records == 0 || covered <= 0 {
			continue
		}
		left := l.to.Sub(l.progress)
		pages := float64(l.records) / covered.Seconds() * left.Seconds() / exportapi.MaxPerPage
		if pages > bestPages {
			best, bestPages = l, pages
		}
	}
	if best == nil || bestPages < minCutPages {
		return nil, time.Time{}
	}
	// On a whole second, so the new leg's start_time asks for nothing before it.
	cut := best.progress.Add(best.to.Sub(best.progress) / 2).Truncate(time.Second)
	if !cut.After(best.progress) || !cut.Before(best.to) {
		return nil, time.Time{}
	}
	return best, cut
}
