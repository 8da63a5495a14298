package fetch

import (
	"container/list"
	"slices"
	"sync"
	"time"
)

// Cache keeps the records of settled time under a memory budget, evicting the
// least recently used. It stores segments: runs of whole chunks with the records
// in them, sorted by time. A segment may be long (a quiet week is one empty
// segment), so what the cache costs grows with the records it holds, not with
// the length of time it covers. One cache serves the whole plugin process, so
// data sources that share a server and key share their segments too.
type Cache struct {
	mu       sync.Mutex
	budget   int64
	used     int64
	reserved int64 // held by exports under way for the records they keep
	lanes    map[laneKey]*cacheLane
	lru      *list.List // of *segment, front: most recently used
	evicted  int64
}

// laneKey names one timeline of records: whose, which bot, which endpoint.
type laneKey struct {
	scope, bot, endpoint, conversationID string
}

// segment is settled time [span.from, span.to) and every record in it. Its size
// is its batch's Size and segmentOverhead: what it really holds.
type segment struct {
	lane laneKey
	span interval
	// batch holds the records of span as columns (it may hold more, when the
	// segment is part of a stored one: readers take the rows of span only).
	batch batch
	// enc, for a segment a tier gave a query, is where its records are (batch
	// is nil then): loaded and decoded when the query consumes it.
	enc     *encoded
	size    int64
	expires time.Time
	el      *list.Element
}

// cacheLane holds a timeline's segments, disjoint and sorted by start.
type cacheLane struct {
	segs []*segment
}

// segmentOverhead is what a segment costs besides its records: the struct, its
// list element and its place in the lane.
const segmentOverhead = 256

// NewCache returns a cache that holds at most budget bytes of records (estimated).
func NewCache(budget int64) *Cache {
	return &Cache{budget: budget, lanes: map[laneKey]*cacheLane{}, lru: list.New()}
}

// lookup returns the unexpired segments that overlap w, oldest first, and marks
// them used. Expired ones it meets are dropped.
func (c *Cache) lookup(k laneKey, w interval, now time.Time) []*segment {
	c.mu.Lock()
	defer c.mu.Unlock()
	ln := c.lanes[k]
	if ln == nil {
		return nil
	}
	i, _ := slices.BinarySearchFunc(ln.segs, w.from, func(s *segment, t time.Time) int {
		if !s.span.to.After(t) {
			return -1
		}
		return 1
	})
	var out, expired []*segment
	for ; i < len(ln.segs) && ln.segs[i].span.from.Before(w.to); i++ {
		s := ln.segs[i]
		if now.After(s.expires) {
			expired = append(expired, s)
			continue
		}
		c.lru.MoveToFront(s.el)
		out = append(out, s)
	}
	for _, s := range expired {
		c.remove(s)
	}
	return out
}

// holds returns the spans of the unexpired segments that overlap w, without
// marking them used.
func (c *Cache) holds(k laneKey, w interval, now time.Time) []interval {
	c.mu.Lock()
	defer c.mu.Unlock()
	ln := c.lanes[k]
	if ln == nil {
		return nil
	}
	var out []interval
	for _, s := range ln.overlapping(w) {
		if !now.After(s.expires) {
			out = append(out, s.span)
		}
	}
	return out
}

// offer keeps a segment a tier gave if the budget has room for it as it is:
// it never evicts. The tier still holds the segment, so evicting another to make
// room would buy nothing but churn: over a range larger than the budget, each
// query's loads would push out what the next query (or this one) is about to
// use, and every refresh would decode the whole range again anyway.
func (c *Cache) offer(k laneKey, sg *segment) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.used+c.reserved+sg.size > c.budget {
		return
	}
	c.put(k, []*segment{sg})
}

// adopt stores segs (of one lane, sorted) whose records an export had reserved
// moved bytes for: the reservation becomes their size in one step, so the
// budget never counts them twice or not at all.
func (c *Cache) adopt(k laneKey, segs []*segment, moved int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reserved -= moved
	c.put(k, segs)
}

// put stores segs, replacing the segments they overlap and evicting the least
// recently used to stay within the budget; the caller holds c.mu. A segment
// larger than the whole budget is not kept.
func (c *Cache) put(k laneKey, segs []*segment) {
	for _, s := range segs {
		if s.size > c.budget {
			continue
		}
		ln := c.lanes[k]
		if ln == nil {
			ln = &cacheLane{}
			c.lanes[k] = ln
		}
		for _, old := range ln.overlapping(s.span) {
			c.remove(old)
		}
		for c.used+c.reserved+s.size > c.budget && c.lru.Len() > 0 {
			c.remove(c.lru.Back().Value.(*segment))
			c.evicted++
		}
		if c.used+c.reserved+s.size > c.budget {
			continue
		}
		ln = c.lanes[k] // eviction may have dropped the lane
		if ln == nil {
			ln = &cacheLane{}
			c.lanes[k] = ln
		}
		s.lane = k
		s.el = c.lru.PushFront(s)
		i, _ := slices.BinarySearchFunc(ln.segs, s.span.from, func(x *segment, t time.Time) int { return x.span.from.Compare(t) })
		ln.segs = slices.Insert(ln.segs, i, s)
		c.used += s.size
	}
}

func (ln *cacheLane) overlapping(w interval) []*segment {
	var out []*segment
	for _, s := range ln.segs {
		if !intersect(s.span, w).empty() {
			out = append(out, s)
		}
	}
	return out
}

// remove drops a segment; the caller holds c.mu.
func (c *Cache) remove(s *segment) {
	if s.el == nil {
		return
	}
	c.lru.Remove(s.el)
	s.el = nil
	c.used -= s.size
	ln := c.lanes[s.lane]
	if ln == nil {
		return
	}
	if i := slices.Index(ln.segs, s); i >= 0 {
		ln.segs = slices.Delete(ln.segs, i, i+1)
	}
	if len(ln.segs) == 0 {
		delete(c.lanes, s.lane)
	}
}

// reserve sets n bytes aside for records an export is keeping, evicting the least
// recently used segments if need be. Exports under way together can thus never
// hold more than the budget between them.
func (c *Cache) reserve(n int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.used+c.reserved+n > c.budget && c.lru.Len() > 0 {
		c.remove(c.lru.Back().Value.(*segment))
		c.evicted++
	}
	if c.used+c.reserved+n > c.budget {
		return false
	}
	c.reserved += n
	return true
}

// force reserves n bytes even past the budget, after evicting what it can:
// records an export holds that no tier has yet, which it keeps until its
// writer has stored them rather than read them again.
func (c *Cache) force(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.used+c.reserved+n > c.budget && c.lru.Len() > 0 {
		c.remove(c.lru.Back().Value.(*segment))
		c.evicted++
	}
	c.reserved += n
}

// adjust changes a reservation by delta, without evicting: an export's
// records now held as columns, usually far fewer bytes.
func (c *Cache) adjust(delta int64) {
	c.mu.Lock()
	c.reserved += delta
	c.mu.Unlock()
}

func (c *Cache) release(n int64) {
	c.mu.Lock()
	c.reserved -= n
	c.mu.Unlock()
}

// CacheStats describe a cache's content.
type CacheStats struct {
	Segments int
	Bytes    int64
	Reserved int64
	Budget   int64
	Evicted  int64
}

// Stats returns the cache's current content.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Segments: c.lru.Len(), Bytes: c.used, Reserved: c.reserved, Budget: c.budget, Evicted: c.evicted}
}

// Clear drops every segment.
func (c *Cache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for el := c.lru.Front(); el != nil; el = el.Next() {
		el.Value.(*segment).el = nil
	}
	c.lanes = map[laneKey]*cacheLane{}
	c.lru.Init()
	c.used = 0
}

// maxSegmentBytes bounds a cached segment, so eviction frees memory in small steps.
const maxSegmentBytes = 256 << 10

// recordsPerColumnByte is about how many bytes of decoded records (what
// endpoint.size estimates, and what the retainer holds) one byte of their
// columns takes: 5 to 9 for conversations and messages.
const recordsPerColumnByte = 6

// segmentTarget is what a segment is planned at, in bytes of decoded records:
// about maxSegmentBytes once held as columns (a sixteenth of a small budget at
// most). Segments held as columns that were planned by their decoded size would
// be an eighth of that: a few hundred records, where a query's work per batch
// (resolving its groups and filters against the batch's dictionaries) would
// weigh as much as the records.
func (s *Source) segmentTarget() int64 {
	return min(maxSegmentBytes, s.cfg.Cache.budget/16) * recordsPerColumnByte
}
