package fetch

import (
	"runtime"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// heapOf measures what keeping the records that read delivers costs the heap.
func heapOf[T any](t *testing.T, read func(fn func([]T)) error) ([]T, int64) {
	t.Helper()
	// A first read warms what the simulator, in this process, keeps of its own.
	if err := read(func([]T) {}); err != nil {
		t.Fatal(err)
	}
	var kept []T
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var pages [][]T
	if err := read(func(p []T) { pages = append(pages, append([]T(nil), p...)) }); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range pages {
		n += len(p)
	}
	kept = make([]T, 0, n)
	for _, p := range pages {
		kept = append(kept, p...)
	}
	pages = nil
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return kept, int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// TestSizeEstimatesCoverTheRealHeap keeps a few thousand records of each kind
// and checks that what the budget counts for them is at least what the heap
// holds, so that the cache's budget bounds real memory.
func TestSizeEstimatesCoverTheRealHeap(t *testing.T) {
	f := newFixture(t, simulator.Faults{})
	now := f.clock.now()
	w := exportapi.Window{From: now.Add(-72 * time.Hour), To: now}
	req := exportapi.Request{Bot: "bot", Window: w}
	convs, heap := heapOf(t, func(fn func([]exportapi.Conversation)) error {
		_, err := f.client.Conversations(t.Context(), req, func(p []exportapi.Conversation) error { fn(p); return nil })
		return err
	})
	var est int64
	for i := range convs {
		est += conversations.size(&convs[i])
	}
	t.Logf("%d conversations: heap %d B/record, estimate %d B/record", len(convs), heap/int64(len(convs)), est/int64(len(convs)))
	if est < heap || len(convs) < 1000 {
		t.Fatalf("conversations: the estimate %d is below the heap's %d", est, heap)
	}
	msgs, heap := heapOf(t, func(fn func([]exportapi.Message)) error {
		_, err := f.client.Messages(t.Context(), req, func(p []exportapi.Message) error { fn(p); return nil })
		return err
	})
	est = 0
	for i := range msgs {
		est += messages.size(&msgs[i])
	}
	t.Logf("%d messages: heap %d B/record, estimate %d B/record", len(msgs), heap/int64(len(msgs)), est/int64(len(msgs)))
	if est < heap || len(msgs) < 1000 {
		t.Fatalf("messages: the estimate %d is below the heap's %d", est, heap)
	}
}
