package fetch_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestAnInterruptedReadKeepsWhatItRead: a cold read of a settled 3-day range is
// cancelled after part of its pages; reading the same range again pays only for
// the pages that were not kept, and its numbers are exact: in a new process
// (new memory, the same bbolt file), and in the same process with memory alone.
func TestAnInterruptedReadKeepsWhatItRead(t *testing.T) {
	testparallel.SkipUnderShort(t)
	t.Parallel() // its own simulator and store; mostly waiting on its pacing
	now := time.Date(2026, 11, 20, 12, 34, 56, 0, time.UTC)
	data := simulator.NewDataset(simulator.Config{Bots: []string{"bot"}, Days: 4, PerHour: 600, Seed: 21, Now: func() time.Time { return now }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: tierKey, RequestsPerSecond: -1})
	var pages, cutAt atomic.Int64
	var cut atomic.Pointer[chan struct{}]
	const cutAfter = 20
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := pages.Add(1); n == cutAt.Load() {
			close(*cut.Load())
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	w := exportapi.Window{From: now.Add(-3*24*time.Hour - 7*time.Minute), To: now.Add(-3 * time.Hour)}
	var want []string
	for _, c := range data.Conversations("bot", w.From, w.To) {
		want = append(want, c.ID)
	}
	slices.Sort(want)
	process := func(tiers ...fetch.Tier) (*fetch.Source, *fetch.Flights) {
		// The simulator sets no limit here, and the bound below counts the legs
		// each read used, whatever the machine's speed or the pacing (a leg has
		// one page on its way at a time): 30 requests a second only make the
		// reads shorter.
		client, err := exportapi.New(exportapi.Config{BaseURL: hs.URL, APIKey: tierKey, Limiters: (&exportapi.LimiterPool{}).Acquire(hs.URL, tierKey, 30)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(client.Close)
		fl := fetch.NewFlights()
		return fetch.New(fetch.Config{Client: client, BaseURL: hs.URL, APIKey: tierKey, Live: time.Hour, TTL: time.Hour,
			Final: 24 * time.Hour, Cache: fetch.NewCache(256 << 20), Tiers: tiers, Flights: fl,
			Now: func() time.Time { return now }}), fl
	}
	read := func(ctx context.Context, s *fetch.Source) ([]string, fetch.Stats, error) {
		var got []string
		st, err := s.Conversations(ctx, fetch.Request{Bot: "bot", Window: w}, func(p []exportapi.Conversation) {
			for _, c := range p {
				got = append(got, c.ID)
			}
		})
		slices.Sort(got)
		return got, st, err
	}
	// interrupt reads the range and cancels the read at the cutAfter-th page
	// from now; it returns once the flight has ended on its own goroutine.
	interrupt := func(s *fetch.Source, fl *fetch.Flights) (paid int64, st fetch.Stats) {
		ch := make(chan struct{})
		cut.Store(&ch)
		before := pages.Load()
		cutAt.Store(before + cutAfter)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go func() { <-ch; cancel() }()
		_, st, err := read(ctx, s)
		if err == nil {
			t.Fatal("the interrupted read did not fail")
		}
		for deadline := time.Now().Add(time.Minute); fl.Busy() > 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the cancelled flight did not end within a minute")
			}
		}
		cutAt.Store(0)
		return pages.Load() - before, st
	}
	// again reads the range whole and checks what it paid against the
	// interrupted read: per leg of the interrupted read, the page in flight at
	// the cut is lost and the chunk the cut fell in is read again; per leg of
	// the new read, one more partial page. Everything else was read once.
	again := func(name string, s *fetch.Source, whole, interrupted int64, cutSt fetch.Stats) {
		before := pages.Load()
		got, st, err := read(t.Context(), s)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s: %d conversations, want %d (%v)", name, len(got), len(want), err)
		}
		paid := pages.Load() - before
		t.Logf("%s: whole range %d pages; interrupted after %d (%d legs); the new read paid %d (%d legs; from the store: %d segments)",
			name, whole, interrupted, cutSt.Exports, paid, st.Exports, st.TierHits)
		if slack := int64(2*cutSt.Exports + st.Exports); interrupted+paid > whole+slack || cutSt.Exports == 0 {
			t.Fatalf("%s: the interrupted read and the new one paid %d+%d pages for a range of %d", name, interrupted, paid, whole)
		}
	}

	// What the range costs read whole, cold, without a store.
	cold, _ := process()
	before := pages.Load()
	got, st, err := read(t.Context(), cold)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("cold read: %d conversations, want %d (%v)", len(got), len(want), err)
	}
	whole := pages.Load() - before
	if whole != int64(st.Requests) {
		t.Fatalf("the cold read counted %d requests, the server %d", st.Requests, whole)
	}

	dir := t.TempDir()
	first := diskcache.Open(dir, 1<<30, newTestLog(t))
	s, fl := process(first)
	interrupted, cutSt := interrupt(s, fl)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := diskcache.Open(dir, 1<<30, newTestLog(t))
	t.Cleanup(func() { _ = second.Close() })
	s, _ = process(second)
	again("after a restart, from the disk store", s, whole, interrupted, cutSt)

	// Memory alone: no tier, so no writer stores chunks as the legs go; what
	// the cancelled flight wholly read goes to the memory cache as it ends.
	s, fl = process()
	interrupted, cutSt = interrupt(s, fl)
	again("in the same process, memory alone", s, whole, interrupted, cutSt)
}
