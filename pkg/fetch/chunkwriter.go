package fetch

import (
	"context"
	"time"
)

// A flight writes its settled time to the tiers as its legs complete it, not
// only when it ends: a restart, a kill or a cancel after most of a long read
// keeps what was read, and another replica waiting on the flight's lease finds
// it chunk by chunk. One writer per flight, on its own goroutine, so the
// writes are ordered and a slow disk or Redis never holds up a page.

// tierWriteTimeout bounds how long one write to the tiers may take.
const tierWriteTimeout = 10 * time.Second

// chunkWriter writes the flight's settled chunks that its legs have wholly read
// and its retainer holds. Written time stays in the retainer, as the batches
// written (joiners take it, the memory cache adopts it when the flight ends,
// and the retainer may give it up when memory is short: the tier has it);
// written records which time each tier has, so that the flight's end writes
// only the rest.
type chunkWriter[T any] struct {
	s    *Source
	f    *flight[T]
	k    laneKey
	cols columns[T]
	// finalEdge splits the flight's settled time: before it, final (never
	// expires); after it, settled time that expires cacheMinutes after its write.
	finalEdge time.Time

	kick chan struct{}
	stop chan struct{}
	done chan struct{}

	// written is, per tier, the time that tier has from this flight; only the
	// writer's goroutine touches it until done is closed.
	written  [][]interval
	warnings []string
}

func newChunkWriter[T any](s *Source, f *flight[T], k laneKey, cols columns[T]) *chunkWriter[T] {
	return &chunkWriter[T]{s: s, f: f, k: k, cols: cols,
		finalEdge: chunkFloor(f.edge.Add(-max(s.cfg.Final-s.cfg.TTL, s.cfg.Live))),
		kick:      make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		written: make([][]interval, len(s.cfg.Tiers))}
}

// progressed tells the writer that the legs have read more; it never blocks.
func (w *chunkWriter[T]) progressed() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *chunkWriter[T]) run() {
	defer close(w.done)
	for {
		select {
		case <-w.kick:
			w.writeReady()
		case <-w.stop:
			return
		}
	}
}

// finish stops the writer once its last write is over; after it, the caller
// owns written.
func (w *chunkWriter[T]) finish() {
	close(w.stop)
	<-w.done
}

// writeReady writes to each tier the ready time it does not have yet.
func (w *chunkWriter[T]) writeReady() {
	ready := w.f.wholeSettled()
	for i, t := range w.s.cfg.Tiers {
		todo := ready
		for _, done := range w.written[i] {
			todo = subtract(todo, done)
		}
		if len(todo) == 0 {
			continue
		}
		w.f.mu.Lock()
		var segs []*segment
		var pend []pending[T]
		if w.f.retain != nil {
			target := w.s.segmentTarget()
			sf, pf := w.f.retain.plan(overlaps(todo, interval{to: w.finalEdge}), target, maxInstant)
			sr, pr := w.f.retain.plan(overlaps(todo, interval{from: w.finalEdge, to: maxInstant}), target, w.s.cfg.Now().Add(w.s.cfg.TTL))
			segs, pend = append(sf, sr...), append(pf, pr...)
		}
		w.f.mu.Unlock()
		// Built without the flight's lock: pages go on arriving meanwhile.
		runs := form(w.cols, pend)
		for _, bt := range runs {
			segs = append(segs, bt.seg)
		}
		ok := w.save(t, segs)
		w.f.mu.Lock()
		if w.f.retain != nil {
			if ok {
				w.f.retain.seal(runs)
			} else if len(segs) > 0 {
				// A tier that fails may go on failing: the retainer no longer
				// counts on it to give up what memory cannot hold.
				w.f.retain.persisting = false
			}
		}
		w.f.mu.Unlock()
		if ok {
			for _, sg := range segs {
				w.written[i] = append(w.written[i], sg.span)
			}
			w.written[i] = merge(w.written[i])
		}
	}
}

func (w *chunkWriter[T]) save(t Tier, segs []*segment) bool {
	if len(segs) == 0 {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), tierWriteTimeout)
	defer cancel()
	warnings := toTiers[T](ctx, []Tier{t}, w.s.laneID(w.k, schemaFor[T]()), segs, w.s.cfg.Now())
	w.warnings = addWarnings(w.warnings, warnings...)
	return len(warnings) == 0
}

// unwritten is, for each tier, the segments of segs it does not wholly have.
func (w *chunkWriter[T]) unwritten(i int, segs []*segment) []*segment {
	var out []*segment
	for _, sg := range segs {
		if len(subtractAll([]interval{sg.span}, w.written[i])) > 0 {
			out = append(out, sg)
		}
	}
	return out
}

// writtenEverywhere is the time every tier has.
func (w *chunkWriter[T]) writtenEverywhere() []interval {
	if len(w.written) == 0 {
		return nil
	}
	all := w.written[0]
	for _, other := range w.written[1:] {
		all = intersectAll(all, other)
	}
	return all
}
