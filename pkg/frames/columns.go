package frames

import "slices"

// Entry points for aggregations over columns: a query finds a group's row once
// per batch and code, then counts each record by an index, with no map lookup
// and no time.Time per record.

// IndexNanos returns the bucket holding the instant t Unix nanoseconds, or -1
// when it lies outside every bucket: Index without a time.Time, with the same
// arithmetic, so both always agree.
func (b Buckets) IndexNanos(t int64) int {
	if b.edges != nil {
		return b.zonedIndex(t)
	}
	off := t - b.start
	if off < 0 {
		return -1
	}
	i := off / b.step
	if i >= int64(b.n) {
		return -1
	}
	return int(i)
}

// Row returns a group's counts per bucket, making them on first use; nil when
// the group is new and past the bound (Err then says so).
func (v *Volume) Row(group string) []int64 { return v.row(group) }

// Rows returns a group's totals and hits per bucket, making them on first use;
// nil when the group is new and past the bound (Err then says so).
func (r *Rate) Rows(group string) (total, hits []int64) { return r.rows(group) }

// AddTotal counts n conversations in the share's whole, whatever their groups.
func (c *Counts) AddTotal(n int64) { c.total += n }

// AddGroup counts n more conversations in a group, reporting false when the
// group is new and past the bound (Err then says so). With n = 0 it admits the
// group where Add would first meet it.
func (c *Counts) AddGroup(group string, n int64) bool {
	if _, ok := c.counts[group]; ok || c.admit(group) {
		c.counts[group] += n
		return true
	}
	return false
}

// BucketCursor finds the buckets of instants that mostly come in ascending
// order (a batch's records) with a comparison rather than a division each.
type BucketCursor struct {
	b      Buckets
	i      int
	lo, hi int64 // bucket i is [lo, hi); empty when unknown
}

// Cursor starts a cursor over b.
func (b Buckets) Cursor() BucketCursor { return BucketCursor{b: b, lo: 1} }

// Index is b.IndexNanos(t).
func (c *BucketCursor) Index(t int64) int {
	if t >= c.lo && t < c.hi {
		return c.i
	}
	return c.seek(t)
}

func (c *BucketCursor) seek(t int64) int {
	var i int
	if e := c.b.edges; e != nil && c.hi > c.lo && c.i+2 < len(e) && t >= c.hi && t < e[c.i+2] {
		// Ascending times mostly move on to the next bucket: no search.
		i = c.i + 1
	} else {
		i = c.b.IndexNanos(t)
	}
	c.i, c.lo, c.hi = i, 1, 0
	if i >= 0 {
		if lo, hi := c.b.Bounds(i); hi > lo {
			c.lo, c.hi = lo, hi
		}
	}
	return i
}

// zonedIndex finds t among buckets of unequal length by binary search.
func (b Buckets) zonedIndex(t int64) int {
	e := b.edges
	if t < e[0] || t >= e[len(e)-1] {
		return -1
	}
	i, _ := slices.BinarySearch(e, t)
	if i == len(e) || e[i] != t {
		i--
	}
	return i
}
