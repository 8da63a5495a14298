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
// limit, and the time not read at the end may be anywhere: a read in legs or
// newest first leaves the newest time unread while older time is complete. So
// the buffer lets go only of rows it knows it will never show: with read (the
// time wholly handed on so far, which only grows), a row of read time with limit
// newer rows of read time; every row of time still being read is kept (a page a
// leg, about). Without read, or past maxUnreadRows, it keeps the newest rows, and
// the notice says the table shows the newest of what it kept.
type newest[T any] struct {
	limit int
	key   func(*T) (time.Time, string)
	read  func() []exportapi.Window
	rows  []T
	next  int // the length at which the buffer is trimmed next
	total int
	// partial says unread time was dropped: the total is then not what the range holds.
	partial bool
}

// maxUnreadRows bounds the rows of time still being read that the buffer keeps:
// a read that hands out records out of time order claims no time as read.
const maxUnreadRows = 100_000

func newNewest[T any](limit int, key func(*T) (time.Time, string), read func() []exportapi.Window) *newest[T] {
	return &newest[T]{limit: limit, key: key, read: read, next: 3 * limit}
}

func (n *newest[T]) add(records []T) {
	n.total += len(records)
	n.rows = append(n.rows, records...)
	if len(n.rows) < n.next {
		return
	}
	if n.read == nil {
		n.trim(2 * n.limit)
	} else {
		n.trimRead(n.read())
	}
	// Trimming again only once the buffer has doubled keeps the work per record
	// constant however many rows of unread time it holds.
	n.next = max(3*n.limit, 2*len(n.rows))
}

// trimRead lets go of the rows of read time past the newest limit of them, and
// keeps every row of other time (up to maxUnreadRows).
func (n *newest[T]) trimRead(read []exportapi.Window) {
	var unread []T
	kept := slices.DeleteFunc(n.rows, func(r T) bool {
		t, _ := n.key(&r)
		if inAny(read, t) {
			return false
		}
		unread = append(unread, r)
		return true
	})
	if len(unread) > maxUnreadRows {
		n.rows = append(kept, unread...)
		n.trim(2 * n.limit)
		return
	}
	n.rows = kept
	n.trim(n.limit)
	n.rows = append(n.rows, unread...)
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
