package frames

import (
	"math/bits"
	"slices"
)

// countedBelow is the first value rankedValues never counts per value: user
// message counts fall below it, durations in microseconds almost never do. It
// bounds the per-value slice of a cell to 8 KB.
const countedBelow = 1024

// countSlack lets a cell's per-value slice hold this many slots more than twice
// its values, so a cell of few conversations still counts small values per
// value without the slice outgrowing what it counts.
const countSlack = 16

// rankedValues keeps every value of one cell exactly, in memory bounded by its
// values (not by their range), for nearest-rank percentiles: small values are
// counted per value, all others kept as they came and selected from at query
// time, in linear time instead of a sort.
type rankedValues struct {
	counts []int64 // counts[v] is how many values were v, for 0 ≤ v < len(counts)
	others []int64 // every value outside [0, len(counts)), in no order
}

// add keeps v, the cell's n-th value.
func (r *rankedValues) add(v, n int64) {
	if uint64(v) < uint64(len(r.counts)) {
		r.counts[v]++
		return
	}
	if r.grow(v, n) {
		r.counts[v]++
		return
	}
	r.others = append(r.others, v)
}

// grow widens counts to hold v when that keeps the slice within countedBelow
// and within 2n + countSlack slots, and moves the values of others that fall
// into the new slots. Widths at least double, so others is scanned a few times
// in a cell's life, not once a value.
func (r *rankedValues) grow(v, n int64) bool {
	old := int64(len(r.counts))
	size := min(max(v+1, 2*old, 8), countedBelow)
	if v < 0 || v >= countedBelow || size > 2*n+countSlack {
		return false
	}
	r.counts = append(r.counts, make([]int64, size-old)...)
	kept := r.others[:0]
	for _, o := range r.others {
		if o >= old && o < size {
			r.counts[o]++
		} else {
			kept = append(kept, o)
		}
	}
	r.others = kept
	return true
}

// nearestRank is the smallest value that at least p% of the cell's n values do
// not exceed: the k-th smallest, k = ⌈p·n/100⌉. It reorders others.
func (r *rankedValues) nearestRank(n, p int64) int64 {
	k := min(max((p*n+99)/100, 1), n) // 1-based
	var below, counted int64          // others under 0 come before every counted value
	for _, o := range r.others {
		if o < 0 {
			below++
		}
	}
	if k <= below {
		return nthSmallest(r.others, int(k-1))
	}
	for _, c := range r.counts {
		counted += c
	}
	if k <= below+counted {
		seen := below
		for v, c := range r.counts {
			seen += c
			if seen >= k {
				return int64(v)
			}
		}
	}
	// Past the counted values: others sorted are those under 0, then those past counts.
	return nthSmallest(r.others, int(k-counted-1))
}

// nthSmallest is the value at index k of a sorted (0-based), found by
// quickselect with a median-of-three pivot and a three-way partition (repeated
// values end a round); after 2·log2 len(a) rounds it sorts what is left, so the
// worst case stays O(n log n). It reorders a.
func nthSmallest(a []int64, k int) int64 {
	lo, hi := 0, len(a)
	rounds := 2 * bits.Len(uint(len(a)))
	for hi-lo > 16 && rounds > 0 {
		rounds--
		p := median3(a[lo], a[lo+(hi-lo)/2], a[hi-1])
		// [lo, lt) < p, [lt, i) == p, [gt, hi) > p
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch x := a[i]; {
			case x < p:
				a[lt], a[i] = x, a[lt]
				lt++
				i++
			case x > p:
				gt--
				a[i], a[gt] = a[gt], x
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return p
		}
	}
	slices.Sort(a[lo:hi])
	return a[k]
}

func median3(a, b, c int64) int64 {
	if a > b {
		a, b = b, a
	}
	// a ≤ b: the median is b unless c is below it.
	return max(a, min(b, c))
}
