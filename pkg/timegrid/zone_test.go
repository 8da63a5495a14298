package timegrid

import (
	"slices"
	"testing"
	"time"
)

// civilDay is the number of days from 1970-01-01 to t's local date.
func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// referenceEdges walks the clock minute by minute (every zone's changes fall on
// whole minutes): a day cell starts the first time the clock shows its date, an
// hour cell each time the clock shows its whole hour or jumps past it.
func referenceEdges(from, to time.Time, size time.Duration, loc *time.Location) []int64 {
	var out []int64
	step := time.Minute
	start := from.Add(-size - 48*time.Hour).Truncate(time.Minute)
	days := size%(24*time.Hour) == 0
	n := int64(size / time.Hour)
	cell := func(t time.Time) int64 {
		l := t.In(loc)
		if days {
			d := civilDay(l)
			if size == 7*24*time.Hour {
				return FloorDiv(d+3, 7)
			}
			return FloorDiv(d, int64(size/(24*time.Hour)))
		}
		return FloorDiv(civilDay(l)*24+int64(l.Hour()), n)
	}
	maxCell := cell(start)
	prev := maxCell
	for t := start.Add(step); ; t = t.Add(step) {
		c := cell(t)
		l := t.In(loc)
		edge := false
		if days {
			edge = c > maxCell
		} else {
			edge = c != prev || (l.Minute() == 0 && (civilDay(l)*24+int64(l.Hour()))%n == 0)
		}
		if c > maxCell {
			maxCell = c
		}
		prev = c
		if edge {
			out = append(out, t.UnixNano())
			if !t.Before(to) {
				break
			}
		}
	}
	return trim(out, from.UnixNano())
}

func TestEdgesFollowTheClockAcrossDaylightSaving(t *testing.T) {
	cases := []struct {
		zone   string
		change string // a local date with a clock change (or none, for Kolkata)
	}{
		{"America/New_York", "2025-03-09"}, {"America/New_York", "2025-11-02"},
		{"Europe/Berlin", "2025-03-30"}, {"Europe/Berlin", "2025-10-26"},
		{"Asia/Kolkata", "2025-06-15"},
		{"Australia/Lord_Howe", "2025-04-06"}, {"Australia/Lord_Howe", "2025-10-05"},
		{"America/Santiago", "2025-09-07"}, {"America/Santiago", "2025-04-06"},
		{"UTC", "2025-03-09"},
	}
	for _, c := range cases {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		mid, _ := time.ParseInLocation("2006-01-02", c.change, loc)
		for _, size := range []time.Duration{time.Hour, 3 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour} {
			span := 3 * 24 * time.Hour
			if size == 7*24*time.Hour {
				span = 15 * 24 * time.Hour
			}
			for _, skew := range []time.Duration{0, 17 * time.Minute, 5*time.Hour + 30*time.Minute} {
				from, to := mid.Add(-span+skew), mid.Add(span+skew)
				got, want := Edges(from, to, size, loc), referenceEdges(from, to, size, loc)
				if !slices.Equal(got, want) {
					t.Errorf("%s %s %v from %s: edges\n%v\nwant\n%v", c.zone, c.change, size, from.In(loc), show(got, loc), show(want, loc))
				}
			}
		}
	}
}

func show(e []int64, loc *time.Location) []string {
	var out []string
	for _, n := range e {
		out = append(out, time.Unix(0, n).In(loc).Format("01-02 15:04 -0700"))
	}
	return out
}

// A daylight-saving day is 23 or 25 hours; weeks start on Monday.
func TestZonedDaysAndWeeks(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	from := time.Date(2025, 3, 8, 0, 0, 0, 0, ny)
	to := time.Date(2025, 3, 11, 0, 0, 0, 0, ny)
	e := Edges(from, to, 24*time.Hour, ny)
	var hours []float64
	for i := 1; i < len(e); i++ {
		hours = append(hours, time.Duration(e[i]-e[i-1]).Hours())
	}
	if !slices.Equal(hours, []float64{24, 23, 24}) {
		t.Errorf("days around the spring change are %v hours", hours)
	}
	w := Edges(from, from.Add(time.Hour), 7*24*time.Hour, ny)
	if d := time.Unix(0, w[0]).In(ny); d.Weekday() != time.Monday || d.Hour() != 0 || d.Day() != 3 {
		t.Errorf("the week holding 2025-03-08 starts %s", d)
	}
	if n := ZonedCount(from, to, 24*time.Hour, ny, 11000); n != 3 {
		t.Errorf("count %d", n)
	}
}
