package fetch

import (
	"slices"
	"time"
)

// retainer keeps the records a flight has read, for two uses: a query that joins
// the flight after it started takes them instead of reading that time again, and
// when the flight ends its settled time goes into the cache as segments. It
// reserves the memory from the cache as it goes; when the cache has no more
// room it gives up its oldest chunks first (a dashboard's refreshes and shifts
// reuse the recent end of a range most), and the time it no longer holds is no
// longer offered to joiners. Its methods are called with the flight's lock held.
type retainer[T any] struct {
	when  func(*T) time.Time
	size  func(*T) int64
	cache *Cache

	// chunks holds, per chunk start (Unix ns), fragments: one page's records in that
	// chunk each, kept as they came (records need not come in time order).
	chunks   map[int64][][]T
	sizes    map[int64]int64
	bytes    int64     // reserved from the cache
	keepFrom time.Time // records before it are not kept
	gaveUp   bool
}

// fragmentOverhead is what a fragment costs besides its records: its slice header
// and its share of the map.
const fragmentOverhead = 64

func newRetainer[T any](cache *Cache, when func(*T) time.Time, size func(*T) int64) *retainer[T] {
	return &retainer[T]{when: when, size: size, cache: cache, chunks: map[int64][][]T{}, sizes: map[int64]int64{}}
}

func (r *retainer[T]) add(page []T) {
	if r.gaveUp || len(page) == 0 {
		return
	}
	// Per chunk of the page: how many records and what they cost. keepFrom is
	// always a chunk boundary, so a chunk is kept or given up whole.
	counts, costs := map[int64]int{}, map[int64]int64{}
	for i := range page {
		c := chunkFloor(r.when(&page[i])).UnixNano()
		if counts[c] == 0 {
			costs[c] = fragmentOverhead
		}
		counts[c]++
		costs[c] += r.size(&page[i])
	}
	cost := func() int64 {
		var n int64
		for c, b := range costs {
			if r.keeps(c) {
				n += b
			}
		}
		return n
	}
	need := cost()
	for !r.cache.reserve(need) {
		if !r.dropOldest(counts) {
			r.drop()
			return
		}
		need = cost()
	}
	r.bytes += need
	frags := make(map[int64][]T, len(counts))
	for c, n := range counts {
		if r.keeps(c) {
			frags[c] = make([]T, 0, n)
		}
	}
	for i := range page {
		if c := chunkFloor(r.when(&page[i])).UnixNano(); r.keeps(c) {
			frags[c] = append(frags[c], page[i])
		}
	}
	for c, f := range frags {
		r.chunks[c] = append(r.chunks[c], f)
		r.sizes[c] += costs[c]
	}
}

// dropOldest gives up the oldest chunk, held or arriving in the page being
// added; false when there is none left to give up.
func (r *retainer[T]) dropOldest(arriving map[int64]int) bool {
	oldest, found := int64(0), false
	for c := range arriving {
		if r.keeps(c) && (!found || c < oldest) {
			oldest, found = c, true
		}
	}
	for c := range r.chunks {
		if !found || c < oldest {
			oldest, found = c, true
		}
	}
	if !found {
		return false
	}
	r.keepFrom = chunkAt(oldest).to
	for c := range r.chunks {
		if !r.keeps(c) {
			r.forget(c)
		}
	}
	return true
}

// keeps reports whether the chunk starting at c is at or after keepFrom. It compares
// times, not nanoseconds: the zero keepFrom has no Unix nanosecond value.
func (r *retainer[T]) keeps(c int64) bool {
	return !chunkAt(c).from.Before(r.keepFrom)
}

func (r *retainer[T]) forget(c int64) {
	r.cache.release(r.sizes[c])
	r.bytes -= r.sizes[c]
	delete(r.chunks, c)
	delete(r.sizes, c)
}

// drop gives up everything held, for good.
func (r *retainer[T]) drop() {
	r.cache.release(r.bytes)
	r.gaveUp, r.chunks, r.sizes, r.bytes = true, nil, nil, 0
}

// covers is the part of what the flight reads that the retainer can hand to a joiner.
func (r *retainer[T]) covers(reads []interval) []interval {
	if r.gaveUp {
		return nil
	}
	return overlaps(reads, interval{from: r.keepFrom, to: maxInstant})
}

// replay returns the records held that lie in pieces.
func (r *retainer[T]) replay(pieces []interval) [][]T {
	var out [][]T
	for c, frags := range r.chunks {
		if len(overlaps(pieces, chunkAt(c))) == 0 {
			continue
		}
		for _, f := range frags {
			if kept := keep(f, func(rec *T) bool { return inAny(pieces, r.when(rec)) }); len(kept) > 0 {
				out = append(out, kept)
			}
		}
	}
	return out
}

// segments turns the held records of settled time into cache segments and stops
// holding them; their reservation becomes the segments' size. Each segment spans
// whole chunks and holds about target bytes; a run of empty chunks joins a
// neighbour, so quiet time costs nothing extra.
func (r *retainer[T]) segments(settled []interval, target int64, expires time.Time) (out []*segment, moved int64) {
	return r.group(settled, target, expires, true)
}

// snapshot is segments without giving anything up: the records stay held for
// joiners and for the segments the flight's end makes. It serves the writes to
// the tiers while the flight runs; records are never changed once held, so the
// segments may be encoded after the flight's lock is let go.
func (r *retainer[T]) snapshot(settled []interval, target int64, expires time.Time) []*segment {
	out, _ := r.group(settled, target, expires, false)
	return out
}

func (r *retainer[T]) group(settled []interval, target int64, expires time.Time, take bool) (out []*segment, moved int64) {
	if r.gaveUp {
		return nil, 0
	}
	for _, iv := range r.covers(settled) {
		keys := make([]int64, 0)
		for c := range r.chunks {
			if iv.contains(time.Unix(0, c)) {
				keys = append(keys, c)
			}
		}
		slices.Sort(keys)
		start := iv.from
		var group []int64
		var size int64
		flush := func(end time.Time) {
			// The fragments move into the segment as they are: copying them
			// into one sorted slice would hold every record twice for a while.
			var frags [][]T
			for _, c := range group {
				frags = append(frags, r.chunks[c]...)
				if take {
					moved += r.sizes[c]
					r.bytes -= r.sizes[c]
					delete(r.chunks, c)
					delete(r.sizes, c)
				}
			}
			out = append(out, &segment{span: interval{from: start, to: end}, records: frags, size: size + segmentOverhead, expires: expires})
			start, group, size = end, nil, 0
		}
		for i, c := range keys {
			group = append(group, c)
			size += r.sizes[c]
			switch {
			case i == len(keys)-1:
				flush(iv.to)
			case size >= target:
				flush(chunkAt(c).to)
			}
		}
		if len(keys) == 0 {
			flush(iv.to)
		}
	}
	return out, moved
}

// keepOnly stops holding chunks outside keep.
func (r *retainer[T]) keepOnly(keep []interval) {
	if r.gaveUp {
		return
	}
	for c := range r.chunks {
		if len(overlaps(keep, chunkAt(c))) == 0 {
			r.forget(c)
		}
	}
}

// held reports whether the retainer holds anything.
func (r *retainer[T]) held() bool {
	return !r.gaveUp && len(r.chunks) > 0
}
