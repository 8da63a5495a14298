package frames

import (
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/timegrid"
)

// Buckets are the buckets of size Step that cover [from, to): the first starts at
// or before from, the last holds the instant just before to. They are aligned to
// the Unix epoch (UTC), or to a time zone's clock (NewZonedBuckets), where days
// may be 23 or 25 hours long.
type Buckets struct {
	start int64 // Unix nanoseconds of the first bucket's start
	step  int64
	n     int
	// edges, for buckets on a zone's clock, are the n bucket starts and the end
	// of the last; nil for equal buckets.
	edges []int64
}

// NewZonedBuckets covers [from, to) with buckets of size step on loc's clock:
// local days, ISO weeks, local whole hours (timegrid.Edges). Without a zone, or
// for minute buckets, they are NewBuckets.
func NewZonedBuckets(from, to time.Time, step time.Duration, loc *time.Location) Buckets {
	if loc == nil || !timegrid.Zoned(step) {
		return NewBuckets(from, to, step)
	}
	e := timegrid.Edges(from, to, step, loc)
	if len(e) == 0 {
		return Buckets{step: int64(step)}
	}
	return Buckets{start: e[0], step: int64(step), n: len(e) - 1, edges: e}
}

// NewBuckets covers [from, to) with buckets of size step.
func NewBuckets(from, to time.Time, step time.Duration) Buckets {
	n := timegrid.Count(from, to, step)
	return Buckets{start: timegrid.FloorDiv(from.UnixNano(), int64(step)) * int64(step), step: int64(step), n: int(n)}
}

// RangeBucket is the single bucket [from, to), aligned to from rather than to the epoch.
func RangeBucket(from, to time.Time) Buckets {
	return Buckets{start: from.UnixNano(), step: int64(to.Sub(from)), n: 1}
}

// Len is the number of buckets.
func (b Buckets) Len() int { return b.n }

// Step is the bucket size.
func (b Buckets) Step() time.Duration { return time.Duration(b.step) }

// Index returns the bucket holding t, or -1 when t lies outside every bucket.
func (b Buckets) Index(t time.Time) int { return b.IndexNanos(t.UnixNano()) }

// Bounds returns bucket i's start and end in Unix nanoseconds.
func (b Buckets) Bounds(i int) (lo, hi int64) {
	if b.edges != nil {
		return b.edges[i], b.edges[i+1]
	}
	lo = b.start + int64(i)*b.step
	return lo, lo + b.step
}

// Times returns each bucket's start time.
func (b Buckets) Times() []time.Time {
	out := make([]time.Time, b.n)
	for i := range out {
		lo, _ := b.Bounds(i)
		out[i] = time.Unix(0, lo).UTC()
	}
	return out
}
