package fetch

import (
	"slices"
	"time"
)

// retainer keeps the records a flight has read, for two uses: a query that joins
// the flight after it started takes them instead of reading that time again, and
// when the flight ends its settled time goes into the cache as segments. It
// reserves the memory from the cache as it goes. Records arrive as pages and are
// held as they came, per chunk; once the flight's writer has stored a run of
// chunks in a tier, the retainer holds that run as the batch it wrote (sealed),
// at the batch's size, a fraction of the records'. When the cache has no more
// room, a flight that writes to a tier gives up stored runs, oldest first (the
// tier has them: joiners and the next query take them from there), and never
// chunks no tier has yet: it keeps those over the budget for the short while the
// writer needs. A flight without a tier gives up its oldest chunks (a
// dashboard's refreshes and shifts reuse the recent end of a range most), and
// the time it no longer holds is no longer offered to joiners. Its methods are
// called with the flight's lock held.
type retainer[T any] struct {
	when  func(*T) time.Time
	size  func(*T) int64
	cols  columns[T]
	cache *Cache

	// chunks holds, per chunk start (Unix ns), fragments: one page's records in that
	// chunk each, kept as they came (records need not come in time order).
	chunks map[int64][][]T
	sizes  map[int64]int64
	// sealed are runs of chunks a tier has, held as the batches written there:
	// disjoint, sorted, each at its size.
	sealed []*segment
	// dropped is stored time given up: a tier has it, the retainer no longer.
	dropped  []interval
	bytes    int64     // reserved from the cache
	keepFrom time.Time // records before it are not kept
	gaveUp   bool
	// persisting is set while a writer stores the flight's chunks in the tiers
	// and none of its writes has failed.
	persisting bool
}

// fragmentOverhead is what a fragment costs besides its records: its slice header
// and its share of the map.
const fragmentOverhead = 64

func newRetainer[T any](cache *Cache, ep endpoint[T]) *retainer[T] {
	return &retainer[T]{when: ep.when, size: ep.size, cols: ep.cols, cache: cache, chunks: map[int64][][]T{}, sizes: map[int64]int64{}}
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
		if r.persisting {
			if !r.dropSealed() {
				r.cache.force(need)
				break
			}
			continue
		}
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
	r.forgetSealed(func(sg *segment) bool { return sg.span.from.Before(r.keepFrom) })
	return true
}

// dropSealed gives up the oldest run a tier has; false when none is held.
func (r *retainer[T]) dropSealed() bool {
	if len(r.sealed) == 0 {
		return false
	}
	oldest := r.sealed[0]
	r.forgetSealed(func(sg *segment) bool { return sg == oldest })
	return true
}

// forgetSealed stops holding the sealed runs gone reports, as time a tier has.
func (r *retainer[T]) forgetSealed(gone func(*segment) bool) {
	r.sealed = slices.DeleteFunc(r.sealed, func(sg *segment) bool {
		if !gone(sg) {
			return false
		}
		r.cache.release(sg.size)
		r.bytes -= sg.size
		r.dropped = merge(append(r.dropped, sg.span))
		return true
	})
}

// keeps reports whether the chunk starting at c is held as records: at or after
// keepFrom (compared as times: the zero keepFrom has no Unix nanosecond value),
// and not in a run a tier has.
func (r *retainer[T]) keeps(c int64) bool {
	at := chunkAt(c)
	return !at.from.Before(r.keepFrom) && !inAny(r.dropped, at.from) && r.sealedAt(at.from) < 0
}

// sealedAt is the index of the sealed run holding t, or -1.
func (r *retainer[T]) sealedAt(t time.Time) int {
	i, _ := slices.BinarySearchFunc(r.sealed, t, func(sg *segment, t time.Time) int {
		if !sg.span.to.After(t) {
			return -1
		}
		return 1
	})
	if i < len(r.sealed) && r.sealed[i].span.contains(t) {
		return i
	}
	return -1
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
	r.gaveUp, r.chunks, r.sizes, r.sealed, r.bytes = true, nil, nil, nil, 0
}

// covers is the part of what the flight reads that the retainer can hand to a joiner.
func (r *retainer[T]) covers(reads []interval) []interval {
	if r.gaveUp {
		return nil
	}
	return subtractAll(overlaps(reads, interval{from: r.keepFrom, to: maxInstant}), r.dropped)
}

// stored is the time of reads given up because a tier has it.
func (r *retainer[T]) stored(reads []interval) []interval {
	if r.gaveUp {
		return nil
	}
	var out []interval
	for _, d := range r.dropped {
		out = append(out, overlaps(reads, d)...)
	}
	return out
}

// replayed is what a flight hands a query that joins it: a page's records as they
// came, or the rows of a sealed batch inside span.
type replayed[T any] struct {
	recs []T
	b    batch
	span interval
}

// replay returns what is held that lies in pieces.
func (r *retainer[T]) replay(pieces []interval) []replayed[T] {
	var out []replayed[T]
	for c, frags := range r.chunks {
		if len(overlaps(pieces, chunkAt(c))) == 0 {
			continue
		}
		for _, f := range frags {
			if kept := keep(f, func(rec *T) bool { return inAny(pieces, r.when(rec)) }); len(kept) > 0 {
				out = append(out, replayed[T]{recs: kept})
			}
		}
	}
	for _, sg := range r.sealed {
		for _, p := range overlaps(pieces, sg.span) {
			out = append(out, replayed[T]{b: sg.batch, span: p})
		}
	}
	return out
}

// pending is a run of held chunks to become a segment: its fragments, not
// columns yet, so that the columns are built outside the flight's lock (see
// form), one run at a time.
type pending[T any] struct {
	span    interval
	frags   [][]T
	chunks  []int64
	size    int64 // the chunks' reservation
	expires time.Time
}

// plan groups the held chunks of settled time into runs of about target bytes
// (by the records' reservation), each spanning whole chunks; a run of empty
// chunks joins a neighbour, so quiet time costs nothing extra. Sealed runs in
// settled are returned as they are.
func (r *retainer[T]) plan(settled []interval, target int64, expires time.Time) (sealed []*segment, out []pending[T]) {
	if r.gaveUp {
		return nil, nil
	}
	ivs := r.covers(settled)
	for _, sg := range r.sealed {
		if len(overlaps(ivs, sg.span)) > 0 {
			sealed = append(sealed, sg)
			ivs = subtract(ivs, sg.span)
		}
	}
	for _, iv := range ivs {
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
			var frags [][]T
			for _, c := range group {
				frags = append(frags, r.chunks[c]...)
			}
			out = append(out, pending[T]{span: interval{from: start, to: end}, frags: frags, chunks: group, size: size, expires: expires})
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
	return sealed, out
}

// built is a pending run as a segment, with the chunks it was made of.
type built struct {
	seg      *segment
	chunks   []int64
	reserved int64
}

// form builds the columns of pending runs, without any lock: records are
// never changed once held. Each run's records are copied into one list only
// while its columns are built, so the copies never add up. A run whose records
// the columns cannot hold is left out (its time is read again later).
func form[T any](cols columns[T], ps []pending[T]) []built {
	out := make([]built, 0, len(ps))
	for _, p := range ps {
		n := 0
		for _, f := range p.frags {
			n += len(f)
		}
		recs := make([]T, 0, n)
		for _, f := range p.frags {
			recs = append(recs, f...)
		}
		b, err := cols.build(recs)
		if err != nil {
			continue
		}
		out = append(out, built{seg: &segment{span: p.span, batch: b, size: segmentSize(b), expires: p.expires},
			chunks: p.chunks, reserved: p.size})
	}
	return out
}

// whole reports whether the retainer still holds every chunk of bt as records.
func (r *retainer[T]) whole(bt built) bool {
	if r.gaveUp {
		return false
	}
	for _, c := range bt.chunks {
		if _, ok := r.chunks[c]; !ok {
			return false
		}
	}
	return totalLength(r.covers([]interval{bt.seg.span})) == bt.seg.span.length() &&
		!slices.ContainsFunc(r.sealed, func(sg *segment) bool { return !intersect(sg.span, bt.seg.span).empty() })
}

// seal holds runs a tier now has as their batches instead of their records:
// the reservation shrinks to the batches' size.
func (r *retainer[T]) seal(runs []built) {
	for _, bt := range runs {
		if !r.whole(bt) {
			continue
		}
		var released int64
		for _, c := range bt.chunks {
			released += r.sizes[c]
			delete(r.chunks, c)
			delete(r.sizes, c)
		}
		r.cache.adjust(bt.seg.size - released)
		r.bytes += bt.seg.size - released
		i, _ := slices.BinarySearchFunc(r.sealed, bt.seg.span.from, func(x *segment, t time.Time) int { return x.span.from.Compare(t) })
		r.sealed = slices.Insert(r.sealed, i, bt.seg)
	}
}

// take stops holding the runs that become cache segments (built ones still
// whole, and sealed ones) and returns them with the bytes they had reserved.
func (r *retainer[T]) take(runs []built, sealed []*segment) (out []*segment, moved int64) {
	for _, bt := range runs {
		if !r.whole(bt) {
			continue
		}
		for _, c := range bt.chunks {
			moved += r.sizes[c]
			r.bytes -= r.sizes[c]
			delete(r.chunks, c)
			delete(r.sizes, c)
		}
		out = append(out, bt.seg)
	}
	for _, sg := range sealed {
		if i := slices.Index(r.sealed, sg); i >= 0 {
			r.sealed = slices.Delete(r.sealed, i, i+1)
			moved += sg.size
			r.bytes -= sg.size
			out = append(out, sg)
		}
	}
	slices.SortFunc(out, func(a, b *segment) int { return a.span.from.Compare(b.span.from) })
	return out, moved
}

// live is the held records of each interval of live, for the columns a
// finished flight keeps its live records in (see sealLive).
func (r *retainer[T]) live(live []interval) []pending[T] {
	if r.gaveUp {
		return nil
	}
	var out []pending[T]
	for _, iv := range r.covers(live) {
		p := pending[T]{span: iv}
		for c, frags := range r.chunks {
			if intersect(chunkAt(c), iv).empty() {
				continue
			}
			p.chunks = append(p.chunks, c)
			for _, f := range frags {
				if in := keep(f, func(rec *T) bool { return iv.contains(r.when(rec)) }); len(in) > 0 {
					p.frags = append(p.frags, in)
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// sealLive holds a finished flight's live records as the batches built of
// them, if it still holds all of them: what is reused for liveReuseSeconds
// costs the columns' size.
func (r *retainer[T]) sealLive(live []interval, runs []built) {
	if r.gaveUp || len(runs) != len(r.covers(live)) {
		return
	}
	var released, size int64
	for c := range r.chunks {
		released += r.sizes[c]
	}
	for _, bt := range runs {
		for _, c := range bt.chunks {
			if _, ok := r.chunks[c]; !ok {
				return
			}
		}
		size += bt.seg.size
	}
	for _, bt := range runs {
		r.sealed = append(r.sealed, bt.seg)
	}
	slices.SortFunc(r.sealed, func(a, b *segment) int { return a.span.from.Compare(b.span.from) })
	r.chunks, r.sizes = map[int64][][]T{}, map[int64]int64{}
	r.cache.adjust(size - released)
	r.bytes += size - released
}

// keepOnly stops holding chunks and sealed runs outside keep.
func (r *retainer[T]) keepOnly(keep []interval) {
	if r.gaveUp {
		return
	}
	for c := range r.chunks {
		if len(overlaps(keep, chunkAt(c))) == 0 {
			r.forget(c)
		}
	}
	r.sealed = slices.DeleteFunc(r.sealed, func(sg *segment) bool {
		if len(overlaps(keep, sg.span)) > 0 {
			return false
		}
		r.cache.release(sg.size)
		r.bytes -= sg.size
		return true
	})
}

// held reports whether the retainer holds anything.
func (r *retainer[T]) holds() bool {
	return !r.gaveUp && (len(r.chunks) > 0 || len(r.sealed) > 0)
}
