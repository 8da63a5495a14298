// Package timegrid aligns time to a grid anchored at the Unix epoch (UTC): the
// buckets of time series and the chunks of the cache. Aligning to the epoch, not
// to a query's start, makes two queries over overlapping ranges share buckets and
// chunks exactly.
package timegrid

import "time"

// FloorDiv divides rounding toward minus infinity, so that cells before 1970
// align too.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Floor is the start of the cell of size that holds t.
func Floor(t time.Time, size time.Duration) time.Time {
	return time.Unix(0, FloorDiv(t.UnixNano(), int64(size))*int64(size)).UTC()
}

// Ceil is the end of the cell of size that holds t, or t itself on a cell's edge.
func Ceil(t time.Time, size time.Duration) time.Time {
	if f := Floor(t, size); f.Equal(t) {
		return f
	}
	return Floor(t, size).Add(size)
}

// Count is the number of cells of size that [from, to) touches.
func Count(from, to time.Time, size time.Duration) int64 {
	if !from.Before(to) {
		return 0
	}
	first := FloorDiv(from.UnixNano(), int64(size))
	last := FloorDiv(to.UnixNano()-1, int64(size))
	return last - first + 1
}
