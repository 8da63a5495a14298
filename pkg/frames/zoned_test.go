package frames

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// TestZonedCursorAgreesWithIndex: a cursor over buckets of unequal length finds
// what Index finds, for ascending times (a batch) and for times in any order.
func TestZonedCursorAgreesWithIndex(t *testing.T) {
	loc, _ := time.LoadLocation("Australia/Lord_Howe")
	from := time.Date(2026, 4, 3, 5, 17, 0, 0, loc)
	to := time.Date(2026, 4, 8, 0, 0, 0, 0, loc)
	for _, step := range []time.Duration{time.Hour, 6 * time.Hour, 24 * time.Hour} {
		b := NewZonedBuckets(from, to, step, loc)
		rng := rand.New(rand.NewPCG(1, 2))
		lo, hi := from.Add(-3*time.Hour).UnixNano(), to.Add(3*time.Hour).UnixNano()
		ts := make([]int64, 4000)
		for i := range ts {
			ts[i] = lo + rng.Int64N(hi-lo)
		}
		for _, order := range []string{"random", "ascending"} {
			if order == "ascending" {
				slices.Sort(ts)
			}
			cur := b.Cursor()
			for _, ns := range ts {
				want := -1
				for i := 0; i < b.Len(); i++ {
					if s, e := b.Bounds(i); ns >= s && ns < e {
						want = i
					}
				}
				if got := cur.Index(ns); got != want {
					t.Fatalf("%v %s: cursor %d, want %d at %s", step, order, got, want, time.Unix(0, ns).In(loc))
				}
				if got := b.IndexNanos(ns); got != want {
					t.Fatalf("%v: index %d, want %d", step, got, want)
				}
			}
		}
		if ns := from.UnixNano(); b.Index(from) != 0 || b.IndexNanos(to.UnixNano()-1) != b.Len()-1 || b.IndexNanos(ns-int64(2*step)-int64(2*time.Hour)) != -1 {
			t.Errorf("%v: the range's ends are not its first and last buckets", step)
		}
	}
}

// BenchmarkCursor: a batch's ascending start times over 1h buckets for a week,
// on the epoch and on a zone's clock (edges and a cursor instead of a division).
func BenchmarkCursor(b *testing.B) {
	loc, _ := time.LoadLocation("Australia/Lord_Howe")
	from := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(7 * 24 * time.Hour)
	ts := make([]int64, 100_000)
	for i := range ts {
		ts[i] = from.UnixNano() + int64(i)*(int64(to.Sub(from))/int64(len(ts)))
	}
	for _, c := range []struct {
		name string
		b    Buckets
	}{{"epoch", NewBuckets(from, to, time.Hour)}, {"zoned", NewZonedBuckets(from, to, time.Hour, loc)}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				cur := c.b.Cursor()
				for _, t := range ts {
					_ = cur.Index(t)
				}
			}
		})
	}
}

// TestShiftSeriesByKeepsTimesAscending: New York's two 01:00 buckets of
// 2025-11-02, moved a week later by calendar days, name one local time twice;
// the second is shown halfway to the next, and the rest keep their hours.
func TestShiftSeriesByKeepsTimesAscending(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	from := time.Date(2025, 11, 2, 0, 0, 0, 0, ny)
	b := NewZonedBuckets(from, from.Add(5*time.Hour), time.Hour, ny)
	f := data.NewFrame("x", data.NewField("time", nil, b.Times()), data.NewField("v", nil, make([]int64, b.Len())))
	ShiftSeriesBy(data.Frames{f}, func(t time.Time) time.Time { return t.In(ny).AddDate(0, 0, 7) }, "7d")
	var got []string
	for i := 0; i < f.Fields[0].Len(); i++ {
		got = append(got, f.Fields[0].At(i).(time.Time).In(ny).Format("01-02 15:04 -0700"))
	}
	want := []string{"11-09 00:00 -0500", "11-09 01:00 -0500", "11-09 01:30 -0500", "11-09 02:00 -0500", "11-09 03:00 -0500"}
	if !slices.Equal(got, want) {
		t.Errorf("shifted times %v, want %v", got, want)
	}
}

// TestMaskBucketsToTheirEnd: Berlin's 25-hour day whose last hour is unread is
// null; a 24-hour step would have called it complete.
func TestMaskBucketsToTheirEnd(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	from := time.Date(2025, 10, 26, 0, 0, 0, 0, berlin)
	to := time.Date(2025, 10, 27, 0, 0, 0, 0, berlin)
	b := NewZonedBuckets(from, to, 24*time.Hour, berlin)
	if b.Len() != 1 || b.Times()[0].Add(25*time.Hour) != to.UTC() {
		t.Fatalf("the day of the October change: %d buckets from %v", b.Len(), b.Times())
	}
	unread := []exportapi.Window{{From: to.Add(-30 * time.Minute), To: to}}
	f := data.NewFrame("x", data.NewField("time", nil, b.Times()), data.NewField("v", nil, []int64{7}))
	MaskBuckets(data.Frames{f}, unread, b)
	if v := f.Fields[1].At(0).(*int64); v != nil {
		t.Errorf("a day with its last half hour unread shows %d", *v)
	}
}
