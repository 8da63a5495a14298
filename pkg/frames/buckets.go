package frames

import (
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/timegrid"
)

// Buckets are the epoch-aligned (UTC) buckets of size Step that cover [from, to):
// the first starts at or before from, the last holds the instant just before to.
type Buckets struct {
	start int64 // Unix nanoseconds of the first bucket's start
	step  int64
	n     int
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
func (b Buckets) Index(t time.Time) int {
	off := t.UnixNano() - b.start
	if off < 0 {
		return -1
	}
	i := off / b.step
	if i >= int64(b.n) {
		return -1
	}
	return int(i)
}

// Times returns each bucket's start time.
func (b Buckets) Times() []time.Time {
	out := make([]time.Time, b.n)
	for i := range out {
		out[i] = time.Unix(0, b.start+int64(i)*b.step).UTC()
	}
	return out
}
