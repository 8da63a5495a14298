// Package frames turns Export API records into Grafana data frames. Everything here
// is pure: records in, frames out, no I/O, so each shape can be tested on its own.
package frames

import (
	"cmp"
	"slices"
	"time"
)

// newest keeps the limit newest of the records added to it, in bounded memory:
// it lets the buffer grow to twice the limit, then sorts and cuts it back.
type newest[T any] struct {
	limit int
	key   func(*T) (time.Time, string)
	rows  []T
	total int
}

func newNewest[T any](limit int, key func(*T) (time.Time, string)) *newest[T] {
	return &newest[T]{limit: limit, key: key}
}

func (n *newest[T]) add(records []T) {
	n.total += len(records)
	n.rows = append(n.rows, records...)
	if len(n.rows) >= 2*n.limit && len(n.rows) > n.limit {
		n.trim()
	}
}

// sorted returns the kept rows newest first; ties break on the id for a stable order.
func (n *newest[T]) sorted() []T {
	n.trim()
	return n.rows
}

func (n *newest[T]) trim() {
	slices.SortFunc(n.rows, func(a, b T) int {
		ta, ia := n.key(&a)
		tb, ib := n.key(&b)
		if c := tb.Compare(ta); c != 0 {
			return c
		}
		return cmp.Compare(ia, ib)
	})
	if len(n.rows) > n.limit {
		clear(n.rows[n.limit:])
		n.rows = n.rows[:n.limit]
	}
}
