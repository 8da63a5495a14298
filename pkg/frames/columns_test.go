package frames

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestBucketCursorIsIndex checks the cursor and IndexNanos against Index, in
// and out of order, inside, at the edges of and outside the buckets.
func TestBucketCursorIsIndex(t *testing.T) {
	from := time.Date(2026, 10, 1, 0, 17, 3, 0, time.UTC)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, b := range []Buckets{NewBuckets(from, from.Add(48*time.Hour), time.Hour), NewBuckets(from, from.Add(time.Hour), 7*time.Minute),
		RangeBucket(from, from.Add(36*time.Hour))} {
		c := b.Cursor()
		times := []int64{math.MinInt64, math.MaxInt64, 0, from.UnixNano(), from.UnixNano() - 1, from.Add(48 * time.Hour).UnixNano()}
		for range 2000 {
			times = append(times, from.UnixNano()+rng.Int64N(int64(50*time.Hour))-int64(time.Hour))
		}
		for k := range times {
			if k == len(times)/2 {
				// The rest ascending, as a batch's records come.
				slices.Sort(times[k:])
			}
			tn := times[k]
			want := b.Index(time.Unix(0, tn))
			if got := b.IndexNanos(tn); got != want {
				t.Fatalf("IndexNanos(%d) = %d, want %d", tn, got, want)
			}
			if got := c.Index(tn); got != want {
				t.Fatalf("cursor at %d = %d, want %d", tn, got, want)
			}
		}
	}
}
