package columnar

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// errTime marks a record time that Unix nanoseconds cannot hold (before 1678 or after 2262).
var errTime = errors.New("columnar: record time outside the range of Unix nanoseconds")

// timeOrder is the order of n records by time, records of the same instant in
// their given order.
func timeOrder(n int, at func(i int) time.Time) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return at(a).Compare(at(b)) })
	return order
}

// nanos is t in Unix nanoseconds, or an error when that would not round-trip.
func nanos(t time.Time) (int64, error) {
	n := t.UnixNano()
	if t.IsZero() || !time.Unix(0, n).Equal(t) {
		return 0, fmt.Errorf("%w: %s", errTime, t.Format(time.RFC3339Nano))
	}
	return n, nil
}

func unixUTC(sec, nsec int64) time.Time { return time.Unix(sec, nsec).UTC() }

// fromNanos is the instant of n as the decoder gives times: UTC.
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// Optional times (a conversation's last action) are Unix nanoseconds with two
// reserved values: noTime for the zero time (unreadable), otherTime for an
// instant nanoseconds cannot hold or that collides with a reserved value, kept
// exactly beside the column.
const (
	noTime    int64 = 0
	otherTime int64 = math.MinInt64
)

// OptionalTimes is an optional instant per record.
type OptionalTimes struct {
	// Nanos is each record's instant; noTime: none; otherTime: see At.
	Nanos  []int64
	others []timeException
}

type timeException struct {
	row uint32
	t   time.Time
}

// nearRange bounds the instants kept in the column (1823 to 2116): their
// difference from a record's start always fits the wire's signed varint.
const nearRange = 1 << 62

// buildOptionalTimes builds the column of n records that start at start.
func buildOptionalTimes(start []int64, at func(i int) time.Time) OptionalTimes {
	n := len(start)
	o := OptionalTimes{Nanos: make([]int64, n)}
	for i := range n {
		t := at(i)
		if t.IsZero() {
			continue
		}
		v, err := nanos(t)
		if err != nil || v == noTime || v < -nearRange || v > nearRange || start[i] < -nearRange || start[i] > nearRange {
			o.Nanos[i] = otherTime
			o.others = append(o.others, timeException{row: uint32(i), t: t.UTC()})
			continue
		}
		o.Nanos[i] = v
	}
	return o
}

// At is record i's instant (the zero time when it has none).
func (o *OptionalTimes) At(i int) time.Time {
	switch v := o.Nanos[i]; v {
	case noTime:
		return time.Time{}
	case otherTime:
		j, _ := slices.BinarySearchFunc(o.others, uint32(i), func(e timeException, row uint32) int { return int(e.row) - int(row) })
		return o.others[j].t
	default:
		return fromNanos(v)
	}
}
