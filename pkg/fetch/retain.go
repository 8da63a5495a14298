package fetch

import (
	"sync"
	"time"
)

// retainer keeps, during one export, the records of the settled chunks it reads,
// to put them in the cache when the export ends. An export's records need not come
// in time order, so a chunk is only known complete at the end. It reserves the
// memory from the cache as it goes and gives up (freeing what it held) when the
// cache has no more room.
type retainer[T any] struct {
	ranges []span // chunk-aligned [cacheFrom, cacheTo) ranges whose records are kept
	when   func(*T) time.Time
	size   func(*T) int64
	cache  *Cache

	mu      sync.Mutex
	chunks  map[int64][]T
	sizes   map[int64]int64
	dropped map[int64]bool // chunks given up to stay within the budget
	bytes   int64
	gaveUp  bool
}

func newRetainer[T any](ranges []span, cache *Cache, when func(*T) time.Time, size func(*T) int64) *retainer[T] {
	return &retainer[T]{ranges: ranges, when: when, size: size, cache: cache,
		chunks: map[int64][]T{}, sizes: map[int64]int64{}, dropped: map[int64]bool{}}
}

func (r *retainer[T]) add(page []T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gaveUp {
		return
	}
	var added int64
	for i := range page {
		if c, ok := r.chunkOf(&page[i]); ok && !r.dropped[c] {
			added += r.size(&page[i])
		}
	}
	// When the cache is full, the oldest chunks make room for newer ones: a
	// dashboard's refresh and shifts reuse the recent end of its range most.
	for !r.cache.reserve(added) {
		if !r.dropOldest() {
			r.abandon()
			return
		}
		added = 0
		for i := range page {
			if c, ok := r.chunkOf(&page[i]); ok && !r.dropped[c] {
				added += r.size(&page[i])
			}
		}
	}
	r.bytes += added
	for i := range page {
		if c, ok := r.chunkOf(&page[i]); ok && !r.dropped[c] {
			r.chunks[c] = append(r.chunks[c], page[i])
			r.sizes[c] += r.size(&page[i])
		}
	}
}

func (r *retainer[T]) chunkOf(rec *T) (int64, bool) {
	t := r.when(rec)
	for _, rg := range r.ranges {
		if !t.Before(rg.cacheFrom) && t.Before(rg.cacheTo) {
			return chunkFloor(t).UnixNano(), true
		}
	}
	return 0, false
}

// eachChunk calls fn with the start of every chunk the retainer covers, oldest first.
func (r *retainer[T]) eachChunk(fn func(start time.Time) bool) {
	for _, rg := range r.ranges {
		for t := rg.cacheFrom; t.Before(rg.cacheTo); t = t.Add(ChunkSize) {
			if !fn(t) {
				return
			}
		}
	}
}

// dropOldest gives up the oldest chunk not yet given up; false when none is left.
func (r *retainer[T]) dropOldest() bool {
	dropped := false
	r.eachChunk(func(t time.Time) bool {
		c := t.UnixNano()
		if r.dropped[c] {
			return true
		}
		r.dropped[c] = true
		r.cache.release(r.sizes[c])
		r.bytes -= r.sizes[c]
		delete(r.chunks, c)
		delete(r.sizes, c)
		dropped = true
		return false
	})
	return dropped
}

// abandon drops what was kept and gives the reservation back; the caller holds r.mu.
func (r *retainer[T]) abandon() {
	r.cache.release(r.bytes)
	r.gaveUp, r.chunks, r.bytes = true, nil, 0
}

// drop abandons the chunks of an export that failed.
func (r *retainer[T]) drop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.gaveUp {
		r.abandon()
	}
}

// store puts every chunk of the range in the cache, the empty ones too: an empty
// settled chunk is an answer, not a gap.
func (r *retainer[T]) store(key func(start time.Time) chunkKey, expires time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gaveUp {
		return 0
	}
	// The reservation turns into the entries' own accounting.
	r.cache.release(r.bytes)
	r.bytes = 0
	n := 0
	r.eachChunk(func(t time.Time) bool {
		if r.dropped[t.UnixNano()] {
			return true
		}
		records := r.chunks[t.UnixNano()]
		var size int64 = 64
		for i := range records {
			size += r.size(&records[i])
		}
		// An exact-size copy frees the slack that appending left in the slice.
		records = append(make([]T, 0, len(records)), records...)
		delete(r.chunks, t.UnixNano())
		r.cache.put(key(t), records, size, expires)
		n++
		return true
	})
	r.chunks = nil
	return n
}
