// Package frames turns Export API records into Grafana data frames. Everything here
// is pure: records in, frames out, no I/O, so each shape can be tested on its own.
package frames

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// newest keeps the limit newest of the records added to it, in bounded memory.
// A partial answer drops the rows of time not wholly read before it applies the
// limit, and such rows may be among the newest (the record a read stopped at), so
// the buffer keeps limit more rows than it shows: it grows to three times the
// limit, then sorts and cuts back to twice. Every row cut is older than every row
// kept, so what is left after dropping unread time is always the newest rows of
// read time; only when more than limit of the kept rows were unread (a read that
// hands out records out of time order) can there be fewer than limit of them,
// and the notice then says the table shows the newest of the time read so far.
type newest[T any] struct {
	limit int
	key   func(*T) (time.Time, string)
	rows  []T
	total int
	// partial says unread time was dropped: the total is then not what the range holds.
	partial bool
}

func newNewest[T any](limit int, key func(*T) (time.Time, string)) *newest[T] {
	return &newest[T]{limit: limit, key: key}
}

func (n *newest[T]) add(records []T) {
	n.total += len(records)
	n.rows = append(n.rows, records...)
	if len(n.rows) >= 3*n.limit && len(n.rows) > 2*n.limit {
		n.trim(2 * n.limit)
	}
}

// sorted returns the newest limit rows outside the unread windows, newest first;
// ties break on the id for a stable order.
func (n *newest[T]) sorted(unread []exportapi.Window) []T {
	if len(unread) > 0 {
		n.partial = true
		n.rows = slices.DeleteFunc(n.rows, func(r T) bool {
			t, _ := n.key(&r)
			return inAny(unread, t)
		})
	}
	n.trim(n.limit)
	return n.rows
}

func (n *newest[T]) trim(keep int) {
	slices.SortFunc(n.rows, func(a, b T) int {
		ta, ia := n.key(&a)
		tb, ib := n.key(&b)
		if c := tb.Compare(ta); c != 0 {
			return c
		}
		return cmp.Compare(ia, ib)
	})
	if len(n.rows) > keep {
		clear(n.rows[keep:])
		n.rows = n.rows[:keep]
	}
}

// notice says when the frame shows fewer rows than the query's records.
func (n *newest[T]) notice(frame *data.Frame, what string) {
	shown := len(n.rows)
	switch {
	case n.partial && n.total > shown:
		frame.AppendNotices(data.Notice{
			Severity: data.NoticeSeverityWarning,
			Text:     fmt.Sprintf("Showing the newest %d %s of the time read so far; refresh to see more, or raise the query's limit.", shown, what),
		})
	case !n.partial:
		limitNotice(frame, shown, n.total, what)
	}
}

func inAny(ws []exportapi.Window, t time.Time) bool {
	for _, w := range ws {
		if w.Contains(t) {
			return true
		}
	}
	return false
}
