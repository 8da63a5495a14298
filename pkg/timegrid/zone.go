package timegrid

import (
	"math"
	"time"
)

const day = 24 * time.Hour

// Zoned reports whether cells of size follow a time zone's clock: whole hours and
// more. Minute cells keep the epoch grid, which every zone's clock shares.
func Zoned(size time.Duration) bool {
	return size >= time.Hour && size%time.Hour == 0
}

// wallGrid is the grid cells of size draw on a zone's clock, in wall-clock
// nanoseconds since 1970-01-01 00:00 local: points phase + k·period. Whole days
// count from 1970-01-01, 7 days from Monday 1969-12-29 (ISO weeks). Day cells
// start where the clock first reaches their midnight, so a clock that goes back
// over midnight does not start the day twice; hour cells start each time the
// clock reads a whole hour, so New York's repeated 01:00 is two hours.
func wallGrid(size time.Duration) (period, phase int64, firstOnly bool) {
	switch {
	case size == 7*day:
		return int64(size), -3 * int64(day), true
	case size%day == 0:
		return int64(size), 0, true
	}
	return int64(size), 0, false
}

// Edges are the starts of the cells of size on loc's clock that cover [from, to),
// followed by the end of the last: e[0] <= from < e[1] < … and the last edge is
// at or after to. A cell starts where the clock reads a grid point, or skips one
// (a daylight-saving gap over midnight starts the day at the jump), so cells are
// 23 or 25 hours on daylight-saving days. Empty when from is not before to.
func Edges(from, to time.Time, size time.Duration, loc *time.Location) []int64 {
	if !from.Before(to) {
		return nil
	}
	period, phase, firstOnly := wallGrid(size)
	lo, hi := from.UnixNano(), to.UnixNano()
	// A cell holding from starts at most a period and a clock change before it.
	t := lo - period - int64(2*day)
	var out []int64
	add := func(e int64) {
		if len(out) == 0 || e > out[len(out)-1] {
			out = append(out, e)
		}
	}
	readUpTo := int64(math.MinInt64) // the clock has shown every wall time below this
	prevWall, first := int64(0), true
	for {
		at := time.Unix(0, t).In(loc)
		_, offSec := at.Zone()
		off := int64(offSec) * int64(time.Second)
		segEnd := int64(math.MaxInt64)
		if _, end := at.ZoneBounds(); !end.IsZero() {
			segEnd = end.UnixNano()
		}
		wall := t + off
		if !first && wall > prevWall {
			// The clock jumps from prevWall to wall: a skipped grid point starts a cell here.
			from := prevWall
			if firstOnly && readUpTo > from {
				from = readUpTo
			}
			if g := ceilGrid(from, period, phase); g < wall {
				add(t)
			}
		}
		start := wall
		if firstOnly && readUpTo > start {
			start = readUpTo
		}
		for g := ceilGrid(start, period, phase); ; g += period {
			e := g - off
			if e >= segEnd {
				break
			}
			add(e)
			if e >= hi {
				return trim(out, lo)
			}
		}
		if segEnd != math.MaxInt64 {
			if w := segEnd + off; w > readUpTo {
				readUpTo = w
			}
			prevWall = segEnd + off
		}
		first = false
		t = segEnd
	}
}

// ceilGrid is the first grid point at or after w.
func ceilGrid(w, period, phase int64) int64 {
	k := FloorDiv(w-phase, period)
	g := phase + k*period
	if g < w {
		g += period
	}
	return g
}

// trim drops the edges before the one at or before lo.
func trim(e []int64, lo int64) []int64 {
	i := 0
	for i+1 < len(e) && e[i+1] <= lo {
		i++
	}
	return e[i:]
}

// ZonedCount is the number of cells of size on loc's clock that [from, to)
// touches. Ranges far past limit epoch cells are not laid out: they answer the
// epoch count, which is then past limit too.
func ZonedCount(from, to time.Time, size time.Duration, loc *time.Location, limit int64) int64 {
	if loc == nil || !Zoned(size) {
		return Count(from, to, size)
	}
	if n := Count(from, to, size); n > 2*limit+2 {
		return n
	}
	e := Edges(from, to, size, loc)
	if len(e) == 0 {
		return 0
	}
	return int64(len(e) - 1)
}
