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

var conversationColumns = columns[exportapi.Conversation]{
	build: func(recs []exportapi.Conversation) (batch, error) {
		b, err := columnar.BuildConversations(recs)
		if err != nil {
			return nil, err
		}
		return b, nil
	},
	decode: func(data []byte) (batch, error) {
		b, err := columnar.DecodeConversations(data)
		if err != nil {
			return nil, err
		}
		return b, nil
	},
	records: func(dst []exportapi.Conversation, b batch, from, to int) ([]exportapi.Conversation, error) {
		return b.(*columnar.Conversations).AppendRecords(dst, from, to)
	},
	weakly: func(b batch, gone func()) func() batch {
		p := b.(*columnar.Conversations)
		w := weak.Make(p)
		runtime.AddCleanup(p, func(f func()) { f() }, gone)
		return func() batch {
			if v := w.Value(); v != nil {
				return v
			}
			return nil
		}
	},
}

var messageColumns = columns[exportapi.Message]{
	build: func(recs []exportapi.Message) (batch, error) {
		b, err := columnar.BuildMessages(recs)
		if err != nil {
			return nil, err
		}
		return b, nil
	},
	decode: func(data []byte) (batch, error) {
		b, err := columnar.DecodeMessages(data)
		if err != nil {
			return nil, err
		}
		return b, nil
	},
	records: func(dst []exportapi.Message, b batch, from, to int) ([]exportapi.Message, error) {
		return b.(*columnar.Messages).AppendRecords(dst, from, to)
	},
	weakly: func(b batch, gone func()) func() batch {
		p := b.(*columnar.Messages)
		w := weak.Make(p)
		runtime.AddCleanup(p, func(f func()) { f() }, gone)
		return func() batch {
			if v := w.Value(); v != nil {
				return v
			}
			return nil
		}
	},
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
