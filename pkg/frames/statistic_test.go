package frames

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// referenceStatistic is the statistic as it was before cells kept their values
// in rankedValues: a map histogram per cell, its keys sorted for each
// percentile. Today's Statistic must answer exactly what it answers.
type referenceStatistic struct {
	b     Buckets
	stat  string
	unit  float64
	cells map[string][]referenceCell
}

type referenceCell struct {
	n, sum, max int64
	hist        map[int64]int64
}

func newReferenceStatistic(b Buckets, stat string, unit float64) *referenceStatistic {
	return &referenceStatistic{b: b, stat: stat, unit: unit, cells: map[string][]referenceCell{}}
}

func (s *referenceStatistic) Add(t time.Time, groups []string, count int64) {
	i := s.b.Index(t)
	if i < 0 {
		return
	}
	percentile := s.stat == query.StatP50 || s.stat == query.StatP90
	for _, g := range groups {
		r, ok := s.cells[g]
		if !ok {
			r = make([]referenceCell, s.b.Len())
			s.cells[g] = r
		}
		c := &r[i]
		c.n++
		c.sum += count
		if count > c.max {
			c.max = count
		}
		if percentile {
			if c.hist == nil {
				c.hist = map[int64]int64{}
			}
			c.hist[count]++
		}
	}
}

func (s *referenceStatistic) value(c *referenceCell) *float64 {
	if c.n == 0 {
		if s.stat == query.StatSum {
			zero := 0.0
			return &zero
		}
		return nil
	}
	var v float64
	switch s.stat {
	case query.StatSum:
		v = float64(c.sum)
	case query.StatMax:
		v = float64(c.max)
	case query.StatP50:
		v = float64(nearestRank(c.hist, c.n, 50))
	case query.StatP90:
		v = float64(nearestRank(c.hist, c.n, 90))
	default:
		v = float64(c.sum) / float64(c.n)
	}
	v *= s.unit
	return &v
}

// nearestRank is the smallest count that at least p% of the n conversations do
// not exceed, by a sort of the histogram's keys: the reference.
func nearestRank(hist map[int64]int64, n int64, p int64) int64 {
	keys := make([]int64, 0, len(hist))
	for k := range hist {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var seen int64
	for _, k := range keys {
		seen += hist[k]
		if seen*100 >= p*n {
			return k
		}
	}
	return keys[len(keys)-1]
}

// valueKinds draw the values of one cell: each stresses another part of
// rankedValues (per-value counts, their growth, others, the selection).
var valueKinds = map[string]func(rng *rand.Rand) int64{
	"small":     func(rng *rand.Rand) int64 { return rng.Int64N(13) },
	"messages":  func(rng *rand.Rand) int64 { return []int64{0, 1, 2, 3, 5, 8, 40, 150, 1023, 1024, 5000}[rng.IntN(11)] },
	"repeats":   func(rng *rand.Rand) int64 { return []int64{3, 3_000_000, 7}[rng.IntN(3)] },
	"single":    func(*rand.Rand) int64 { return 42 },
	"durations": func(rng *rand.Rand) int64 { return rng.Int64N(2 * 86_400_000_000) },
	"mixed": func(rng *rand.Rand) int64 {
		switch rng.IntN(4) {
		case 0:
			return rng.Int64N(2000)
		case 1:
			return -rng.Int64N(50)
		case 2:
			return rng.Int64N(64)
		}
		return rng.Int64()>>rng.IntN(63) - 1<<20
	},
	"negative": func(rng *rand.Rand) int64 { return -rng.Int64N(1 << 40) },
	"growing":  func(rng *rand.Rand) int64 { return rng.Int64N(1100) }, // counts widen while others hold values they then take
}

// TestRankedValuesMatchTheSortedHistogram: every percentile from 0 to 100 of
// random cells is the reference's, and asking again (others reordered) too.
func TestRankedValuesMatchTheSortedHistogram(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for kind, draw := range valueKinds {
		for _, n := range []int{1, 2, 3, 10, 11, 17, 51, 100, 101, 1000, 1001, 20_000} {
			var r rankedValues
			hist := map[int64]int64{}
			for i := 1; i <= n; i++ {
				v := draw(rng)
				r.add(v, int64(i))
				hist[v]++
			}
			if got := int64(len(r.others)); got > int64(n) || int64(len(r.counts)) > 2*int64(n)+countSlack {
				t.Fatalf("%s, %d values: %d kept apart, %d counted slots", kind, n, got, len(r.counts))
			}
			for p := range int64(101 + 2) { // 0..100, then 50 and 90 again over reordered others
				if p > 100 {
					p = []int64{50, 90}[p-101]
				}
				if got, want := r.nearestRank(int64(n), p), nearestRank(hist, int64(n), p); got != want {
					t.Fatalf("%s, %d values: p%d = %d, want %d", kind, n, p, got, want)
				}
			}
		}
	}
}

// TestRankedValuesNearestRank: the cases of TestNearestRank, on rankedValues.
func TestRankedValuesNearestRank(t *testing.T) {
	var r rankedValues
	for i, v := range []int64{10, 1, 2, 1, 2, 1, 2, 1, 2, 1} { // 1×5, 2×4, 10×1
		r.add(v, int64(i+1))
	}
	for p, want := range map[int64]int64{50: 1, 51: 2, 90: 2, 91: 10, 100: 10} {
		if got := r.nearestRank(10, p); got != want {
			t.Errorf("p%d = %d, want %d", p, got, want)
		}
	}
	var one rankedValues
	one.add(7, 1)
	if got := one.nearestRank(1, 90); got != 7 {
		t.Errorf("one value: %d", got)
	}
}

// TestRankedValuesStayBoundedByTheirValues: a cell of durations keeps one
// int64 a value, with nothing counted per value; a cell of few large counts
// does not take a slot per possible count.
func TestRankedValuesStayBoundedByTheirValues(t *testing.T) {
	var d rankedValues
	for i := int64(1); i <= 10_000; i++ {
		d.add(3_600_000_000+i*1_000_003, i)
	}
	if len(d.counts) != 0 || len(d.others) != 10_000 {
		t.Fatalf("durations: %d counted slots, %d kept apart", len(d.counts), len(d.others))
	}
	var few rankedValues
	few.add(900, 1)
	few.add(1000, 2)
	if len(few.counts) != 0 {
		t.Fatalf("two values took %d counted slots", len(few.counts))
	}
}

func TestNthSmallestMatchesASort(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	shapes := map[string]func(i, n int) int64{
		"random":   func(int, int) int64 { return rng.Int64N(1000) - 500 },
		"sorted":   func(i, _ int) int64 { return int64(i) },
		"reversed": func(i, n int) int64 { return int64(n - i) },
		"equal":    func(int, int) int64 { return 5 },
		"organ":    func(i, n int) int64 { return int64(min(i, n-i)) },
		"two":      func(i, _ int) int64 { return int64(i % 2) },
		"extremes": func(i, _ int) int64 { return []int64{math.MinInt64, math.MaxInt64, 0}[i%3] },
	}
	for name, shape := range shapes {
		for _, n := range []int{1, 2, 16, 17, 33, 1000, 4097} {
			a := make([]int64, n)
			for i := range a {
				a[i] = shape(i, n)
			}
			sorted := slices.Sorted(slices.Values(a))
			for _, k := range []int{0, n / 10, n / 2, n * 9 / 10, n - 1} {
				if got := nthSmallest(a, k); got != sorted[k] {
					t.Fatalf("%s, n=%d, k=%d: %d, want %d", name, n, k, got, sorted[k])
				}
				if !slices.Equal(slices.Sorted(slices.Values(a)), sorted) {
					t.Fatalf("%s, n=%d: the values changed, not only their order", name, n)
				}
			}
		}
	}
}

// TestStatisticMatchesTheReference: every stat of random conversations in
// random buckets and overlapping groups is, bit for bit, the reference's.
func TestStatisticMatchesTheReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(12 * time.Hour)
	groupSets := [][]string{{"a"}, {"b"}, {"a", "b"}, {NoneGroup}, {"c", "a"}}
	for kind, draw := range valueKinds {
		for _, stat := range []string{query.StatSum, query.StatAvg, query.StatP50, query.StatP90, query.StatMax} {
			for _, unit := range []float64{1, 1e-6} {
				for _, n := range []int{0, 1, 5, 300, 5000} {
					name := fmt.Sprintf("%s/%s/unit %g/%d conversations", kind, stat, unit, n)
					b := NewBuckets(from, to, time.Hour)
					g := selection.Grouper{By: query.GroupTag}
					got := NewStatistic(b, SeriesSpec{Field: stat}, g, stat, unit, nil)
					want := newReferenceStatistic(b, stat, unit)
					for range n {
						at := from.Add(time.Duration(rng.Int64N(int64(13 * time.Hour)))) // some past the range
						groups := groupSets[rng.IntN(len(groupSets))]
						v := draw(rng)
						got.Add(at, groups, v)
						want.Add(at, groups, v)
					}
					compareWithReference(t, name, got.Frames(), want)
				}
			}
		}
	}
}

func compareWithReference(t *testing.T, name string, frames data.Frames, want *referenceStatistic) {
	t.Helper()
	groups := sortedGroups(want.cells)
	if len(groups) == 0 {
		if len(frames) != 1 || len(frames[0].Fields) != 0 {
			t.Fatalf("%s: no groups, but %d frames, the first with %d fields", name, len(frames), len(frames[0].Fields))
		}
		return
	}
	if len(frames) != len(groups) {
		t.Fatalf("%s: %d series, want %d", name, len(frames), len(groups))
	}
	for fi, f := range frames {
		cells := want.cells[groups[fi]]
		field := f.Fields[1]
		if field.Labels["tag"] != groups[fi] || field.Len() != len(cells) {
			t.Fatalf("%s: series %d is %v with %d values, want %s with %d", name, fi, field.Labels, field.Len(), groups[fi], len(cells))
		}
		for i := range cells {
			got, _ := field.At(i).(*float64)
			w := want.value(&cells[i])
			switch {
			case (got == nil) != (w == nil):
				t.Fatalf("%s: %s bucket %d is %v, want %v", name, groups[fi], i, got, w)
			case got != nil && math.Float64bits(*got) != math.Float64bits(*w):
				t.Fatalf("%s: %s bucket %d is %v, want %v", name, groups[fi], i, *got, *w)
			}
		}
	}
}
