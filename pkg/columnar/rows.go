package columnar

import (
	"slices"
	"time"
)

// Rows is the range of records [i, j) whose time lies in [from, to): records
// are sorted by time, so a window is two binary searches, and a batch wholly
// inside it is (0, Len()) with no per-record check.
func (b *Conversations) Rows(from, to time.Time) (i, j int) { return rowsOf(b.Start, from, to) }

// Rows is the range of records [i, j) whose time lies in [from, to).
func (b *Messages) Rows(from, to time.Time) (i, j int) { return rowsOf(b.Time, from, to) }

func rowsOf(times []int64, from, to time.Time) (int, int) {
	i := bound(times, from)
	return i, max(i, bound(times, to))
}

// bound is the first record at or after t.
func bound(times []int64, t time.Time) int {
	if len(times) == 0 {
		return 0
	}
	// Instants beyond Unix nanoseconds fall before or after every record.
	if t.Before(fromNanos(times[0])) {
		return 0
	}
	if t.After(fromNanos(times[len(times)-1])) {
		return len(times)
	}
	i, _ := slices.BinarySearch(times, t.UnixNano())
	return i
}
