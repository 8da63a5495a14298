package fetch

import (
	"runtime"
	"time"
	"weak"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// batch is a segment's records as columns: a *columnar.Conversations or a
// *columnar.Messages, the same in memory and, encoded, in every tier. It is
// built once and never changed, so queries, the cache and the tiers share it.
type batch interface {
	Len() int
	Size() int
	Encode() []byte
	Rows(from, to time.Time) (int, int)
}

// columns is what the fetch layer does with one record type's batches.
type columns[T any] struct {
	build  func([]T) (batch, error)
	decode func([]byte) (batch, error)
	// records appends rows [from, to) of b to dst, for callers that want structs.
	records func(dst []T, b batch, from, to int) ([]T, error)
	// weakly holds b without keeping it alive: get returns nil once it is
	// collected, and gone runs then (see shared.go).
	weakly func(b batch, gone func()) (get func() batch)
}

var (
	conversationColumns = columnsOf[exportapi.Conversation](columnar.BuildConversations, columnar.DecodeConversations, (*columnar.Conversations).AppendRecords)
	messageColumns      = columnsOf[exportapi.Message](columnar.BuildMessages, columnar.DecodeMessages, (*columnar.Messages).AppendRecords)
)

// columnsOf is the columns of records T whose batches are *B.
func columnsOf[T, B any, P interface {
	*B
	batch
}](build func([]T) (P, error), decode func([]byte) (P, error), records func(P, []T, int, int) ([]T, error)) columns[T] {
	// A nil P in a batch interface would not be nil: errors return a nil batch.
	asBatch := func(b P, err error) (batch, error) {
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	return columns[T]{
		build:  func(recs []T) (batch, error) { return asBatch(build(recs)) },
		decode: func(data []byte) (batch, error) { return asBatch(decode(data)) },
		records: func(dst []T, b batch, from, to int) ([]T, error) {
			return records(b.(P), dst, from, to)
		},
		weakly: func(b batch, gone func()) func() batch {
			p := (*B)(b.(P))
			w := weak.Make(p)
			runtime.AddCleanup(p, func(f func()) { f() }, gone)
			return func() batch {
				if v := w.Value(); v != nil {
					return P(v)
				}
				return nil
			}
		},
	}
}

// rowsIn is the rows of b whose time lies in both a and b's span sp: a segment
// wholly inside the window is all its rows, found by two binary searches and
// no per-record check.
func rowsIn(b batch, sp interval, w exportapi.Window) (int, int) {
	iv := intersect(sp, interval{from: w.From, to: w.To})
	if iv.empty() {
		return 0, 0
	}
	return b.Rows(iv.from, iv.to)
}

// segmentSize is what a segment of b costs the memory budget. Size counts the
// columns and the allocator's average rounding; the heap measured through the
// fetch path holds up to 4% more for conversation segments of a few hundred
// records (the rounding of their particular allocations), so a sixteenth more
// keeps the count at or above the heap.
func segmentSize(b batch) int64 {
	n := int64(b.Size())
	return n + n/16 + segmentOverhead
}
