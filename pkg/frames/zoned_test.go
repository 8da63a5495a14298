package frames

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
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
