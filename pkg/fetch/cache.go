package fetch

import (
	"container/list"
	"sync"
	"time"
)

// Cache keeps the records of settled chunks under a memory budget, evicting the
// least recently used. One cache serves the whole plugin process, so data sources
// that share a base URL and key share their chunks too.
type Cache struct {
	mu       sync.Mutex
	budget   int64
	used     int64
	reserved int64 // held by exports under way for the chunks they will store
	entries  map[chunkKey]*list.Element
	lru      *list.List // front: most recently used
	hits     int64
	evicted  int64
}

type chunkKey struct {
	scope, bot, endpoint, conversationID string
	start                                int64 // Unix nanoseconds
}

type cacheEntry struct {
	key     chunkKey
	records any // []T of the chunk, all of it
	size    int64
	expires time.Time
}

// NewCache returns a cache that holds at most budget bytes of records (estimated).
func NewCache(budget int64) *Cache {
	return &Cache{budget: budget, entries: map[chunkKey]*list.Element{}, lru: list.New()}
}

func (c *Cache) get(k chunkKey, now time.Time) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	if now.After(e.expires) {
		c.remove(el)
		return nil, false
	}
	c.lru.MoveToFront(el)
	c.hits++
	return e.records, true
}

// put stores a chunk, evicting older ones to stay within the budget. A chunk
// larger than the whole budget is not kept.
func (c *Cache) put(k chunkKey, records any, size int64, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.budget {
		return
	}
	if el, ok := c.entries[k]; ok {
		c.remove(el)
	}
	for c.used+size > c.budget && c.lru.Len() > 0 {
		c.remove(c.lru.Back())
		c.evicted++
	}
	c.entries[k] = c.lru.PushFront(&cacheEntry{key: k, records: records, size: size, expires: expires})
	c.used += size
}

func (c *Cache) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.lru.Remove(el)
	delete(c.entries, e.key)
	c.used -= e.size
}

// reserve sets n bytes aside for records an export is collecting, evicting the
// least recently used chunks if need be. Exports under way together can thus never
// hold more than the budget between them.
func (c *Cache) reserve(n int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.used+c.reserved+n > c.budget && c.lru.Len() > 0 {
		c.remove(c.lru.Back())
		c.evicted++
	}
	if c.used+c.reserved+n > c.budget {
		return false
	}
	c.reserved += n
	return true
}

func (c *Cache) release(n int64) {
	c.mu.Lock()
	c.reserved -= n
	c.mu.Unlock()
}

// CacheStats describe a cache's content.
type CacheStats struct {
	Chunks  int
	Bytes   int64
	Budget  int64
	Evicted int64
}

// Stats returns the cache's current content.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Chunks: c.lru.Len(), Bytes: c.used, Budget: c.budget, Evicted: c.evicted}
}

// Clear drops every chunk.
func (c *Cache) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = map[chunkKey]*list.Element{}
	c.lru.Init()
	c.used = 0
}
