package fetch

import (
	"sync"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Progress tells, while a read is under way, which time of its window has been
// wholly handed to the query: no record of that time arrives later. A table that
// keeps only its newest rows follows it, to let go of old rows of read time and
// keep every row of time still being read, so that a partial answer shows the
// newest rows of the time read however the read was cut (newest first, in legs,
// from another replica's chunks).
type Progress struct {
	mu     sync.Mutex
	window interval
	done   []interval
	reads  []func() []interval // flights' time read so far
}

// Read returns the time of the read's window wholly handed on so far; nil before
// the read has planned. Time once read stays read.
func (pr *Progress) Read() []exportapi.Window {
	pr.mu.Lock()
	done, reads, w := append([]interval(nil), pr.done...), pr.reads, pr.window
	pr.mu.Unlock()
	for _, r := range reads {
		done = append(done, r()...) // outside pr.mu: the legs take their own locks
	}
	var out []exportapi.Window
	for _, iv := range overlaps(merge(done), w) {
		out = append(out, exportapi.Window{From: iv.from, To: iv.to})
	}
	return out
}

// handedOn adds a span whose records have all reached the query.
func (pr *Progress) handedOn(w exportapi.Window, span interval) {
	if pr == nil {
		return
	}
	pr.mu.Lock()
	pr.window = interval{from: w.From, to: w.To}
	pr.done = append(pr.done, span)
	pr.mu.Unlock()
}

// trackPlan tells pr what p has handed on or reads: called after the records of
// each hit and replay reached the consumer, never before.
func trackPlan[T any](pr *Progress, w exportapi.Window, p *plan[T]) {
	if pr == nil {
		return
	}
	done, reads := p.readers()
	pr.mu.Lock()
	pr.window = interval{from: w.From, to: w.To}
	pr.done, pr.reads = done, reads
	pr.mu.Unlock()
}

// readers are the parts of p's time wholly handed to its query: the spans of its
// hits, and per flight the time it has read of the pieces the query takes from
// it (a flight may read time the query takes from another).
func (p *plan[T]) readers() (done []interval, reads []func() []interval) {
	for _, h := range p.hits {
		done = append(done, h.span)
	}
	from := func(f *flight[T], sub *subscriber[T]) func() []interval {
		return func() []interval { return intersectAll(f.readSoFar(), sub.pieces) }
	}
	if p.started != nil {
		reads = append(reads, from(p.started, p.own))
	}
	for _, j := range p.joins {
		reads = append(reads, from(j.f, j.sub))
	}
	return done, reads
}

// readSoFar is the time of p wholly handed to its query by now.
func (p *plan[T]) readSoFar() []interval {
	done, reads := p.readers()
	for _, r := range reads {
		done = append(done, r()...)
	}
	return merge(done)
}
