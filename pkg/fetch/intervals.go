package fetch

import (
	"slices"
	"time"
)

// interval is the half-open time range [from, to).
type interval struct {
	from, to time.Time
}

func (i interval) empty() bool { return !i.from.Before(i.to) }

func (i interval) contains(t time.Time) bool { return !t.Before(i.from) && t.Before(i.to) }

func (i interval) length() time.Duration { return i.to.Sub(i.from) }

// intersect is the overlap of a and b, possibly empty.
func intersect(a, b interval) interval {
	return interval{from: maxTime(a.from, b.from), to: minTime(a.to, b.to)}
}

// subtract removes cut from every piece; the result stays sorted when pieces are.
func subtract(pieces []interval, cut interval) []interval {
	if cut.empty() {
		return pieces
	}
	out := make([]interval, 0, len(pieces)+1)
	for _, p := range pieces {
		if intersect(p, cut).empty() {
			out = append(out, p)
			continue
		}
		if head := (interval{from: p.from, to: minTime(p.to, cut.from)}); !head.empty() {
			out = append(out, head)
		}
		if tail := (interval{from: maxTime(p.from, cut.to), to: p.to}); !tail.empty() {
			out = append(out, tail)
		}
	}
	return out
}

// overlaps returns the parts of pieces that lie inside cover.
func overlaps(pieces []interval, cover interval) []interval {
	var out []interval
	for _, p := range pieces {
		if o := intersect(p, cover); !o.empty() {
			out = append(out, o)
		}
	}
	return out
}

// intersectAll is the time both a and b hold, merged.
func intersectAll(a, b []interval) []interval {
	var both []interval
	for _, iv := range b {
		both = append(both, overlaps(a, iv)...)
	}
	return merge(both)
}

func inAny(pieces []interval, t time.Time) bool {
	for _, p := range pieces {
		if p.contains(t) {
			return true
		}
	}
	return false
}

func totalLength(pieces []interval) time.Duration {
	var d time.Duration
	for _, p := range pieces {
		d += p.length()
	}
	return d
}

// merge sorts pieces and joins those that touch or overlap.
func merge(pieces []interval) []interval {
	slices.SortFunc(pieces, func(a, b interval) int { return a.from.Compare(b.from) })
	var out []interval
	for _, p := range pieces {
		if p.empty() {
			continue
		}
		if n := len(out); n > 0 && !p.from.After(out[n-1].to) {
			out[n-1].to = maxTime(out[n-1].to, p.to)
			continue
		}
		out = append(out, p)
	}
	return out
}

// keep returns the records of page for which in holds: page itself when all do,
// so that the common case copies nothing.
func keep[T any](page []T, in func(*T) bool) []T {
	for i := range page {
		if !in(&page[i]) {
			kept := make([]T, 0, len(page))
			for j := range page {
				if in(&page[j]) {
					kept = append(kept, page[j])
				}
			}
			return kept
		}
	}
	return page
}

// splitAt cuts pieces so that none straddles a boundary of cuts: segments made
// of each part then line up with what the tiers already have.
func splitAt(pieces, cuts []interval) []interval {
	var out []interval
	for _, p := range pieces {
		inside := overlaps(cuts, p)
		out = append(out, inside...)
		out = append(out, subtractAll([]interval{p}, inside)...)
	}
	slices.SortFunc(out, func(a, b interval) int { return a.from.Compare(b.from) })
	return out
}

func subtractAll(pieces, cuts []interval) []interval {
	for _, c := range cuts {
		pieces = subtract(pieces, c)
	}
	return pieces
}
