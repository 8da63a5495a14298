package frames

// Entry points for aggregations over columns: a query finds a group's row once
// per batch and code, then counts each record by an index, with no map lookup
// and no time.Time per record.

// IndexNanos returns the bucket holding the instant t Unix nanoseconds, or -1
// when it lies outside every bucket: Index without a time.Time, with the same
// arithmetic, so both always agree.
func (b Buckets) IndexNanos(t int64) int {
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
