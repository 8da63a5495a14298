package fetch

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// pacedSource reads through a client at rps, as the plugin does at the API's rate
// limit, with live records reused for reuse.
func (f *fixture) pacedSource(t *testing.T, rps float64, ttl, reuse time.Duration) *Source {
	t.Helper()
	client, err := exportapi.New(exportapi.Config{BaseURL: f.url, APIKey: key, Limiters: (&exportapi.LimiterPool{}).Acquire(f.url, key, rps)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return New(Config{Client: client, BaseURL: f.url, APIKey: key, Live: time.Hour, TTL: ttl, Reuse: reuse,
		Cache: f.cache, Flights: f.flights, Now: f.clock.now})
}

// fewestPages is what the window costs read as one export.
func (f *fixture) fewestPages(w exportapi.Window) int64 {
	return int64(len(f.want(w))+exportapi.MaxPerPage-1) / exportapi.MaxPerPage
}

// waitForRequests blocks until the simulator has been asked n requests in all.
func (f *fixture) waitForRequests(t *testing.T, n int64) {
	t.Helper()
	for f.requests() < n {
		select {
		case <-t.Context().Done():
			t.Fatal("the simulator was never asked")
		case <-time.After(time.Millisecond):
		}
	}
}

// TestPanelsThatArriveApartReadEachRecordOnce starts eight reads of the same range
// one after another, each once the export has made more progress, as a
// dashboard's panels arrive: the later ones take what the export has received so
// far and the rest as it comes, so the range costs its pages once.
func TestPanelsThatArriveApartReadEachRecordOnce(t *testing.T) {
	t.Parallel() // its own simulator, cache and flights; mostly waiting on its pacing
	for _, ttl := range []time.Duration{0, time.Hour} {
		f := newFixture(t, simulator.Faults{Latency: 40 * time.Millisecond})
		// At the API's 3 requests/s one leg keeps up until answers take a third of a
		// second, so a busy machine does not add the partial pages of more legs.
		s := f.pacedSource(t, 3, ttl, 10*time.Second)
		now := f.clock.now()
		w := exportapi.Window{From: now.Add(-48 * time.Hour), To: now}
		want := f.want(w)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			// Arrive before the first answer, then after the first, second, … page.
			f.waitForRequests(t, int64(min(i, 3)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				if got, _ := ids(t, t.Context(), s, w); !slices.Equal(got, want) {
					t.Errorf("ttl %s, panel %d: %d conversations, want %d", ttl, i, len(got), len(want))
				}
			}()
		}
		wg.Wait()
		// One more panel after the export ended: the live records are reused.
		if got, st := ids(t, t.Context(), s, w); !slices.Equal(got, want) || st.Requests != 0 {
			t.Fatalf("ttl %s: a panel right after the export: %d conversations, %d requests", ttl, len(got), st.Requests)
		}
		if n, fewest := f.requests(), f.fewestPages(w); n > fewest+2 {
			t.Fatalf("ttl %s: nine panels made %d requests, the range has %d pages", ttl, n, fewest)
		}
	}
}

// TestOverlappingRangesReadOnlyWhatIsNotUnderWay: a 7-day panel that arrives while
// a 2-day panel's export runs reads only the five days before it.
func TestOverlappingRangesReadOnlyWhatIsNotUnderWay(t *testing.T) {
	t.Parallel() // its own simulator, cache and flights; mostly waiting on its pacing
	f := newFixture(t, simulator.Faults{Latency: 40 * time.Millisecond})
	s := f.pacedSource(t, 3, time.Hour, 10*time.Second)
	now := f.clock.now()
	short := exportapi.Window{From: now.Add(-48 * time.Hour), To: now}
	long := exportapi.Window{From: now.Add(-5 * 24 * time.Hour), To: now}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if got, _ := ids(t, t.Context(), s, short); !slices.Equal(got, f.want(short)) {
			t.Errorf("2 days: %d conversations, want %d", len(got), len(f.want(short)))
		}
	}()
	f.waitForRequests(t, 2) // the first page has been delivered
	got, st := ids(t, t.Context(), s, long)
	wg.Wait()
	if !slices.Equal(got, f.want(long)) {
		t.Fatalf("5 days: %d conversations, want %d", len(got), len(f.want(long)))
	}
	if st.SharedExports == 0 {
		t.Fatal("the long read did not take from the short one's export")
	}
	if n, fewest := f.requests(), f.fewestPages(long); n > fewest+2 {
		t.Fatalf("both panels made %d requests, the long range has %d pages", n, fewest)
	}
}

// TestLiveRecordsAreReusedOnlyBriefly: a read right after another takes its live
// records; once the reuse time has passed, the live tail is read again.
func TestLiveRecordsAreReusedOnlyBriefly(t *testing.T) {
	f := newFixture(t, simulator.Faults{})
	s := f.pacedSource(t, 1000, time.Hour, 10*time.Second)
	now := f.clock.now()
	w := exportapi.Window{From: now.Add(-3 * time.Hour), To: now}
	ids(t, t.Context(), s, w)
	before := f.requests()
	f.clock.add(5 * time.Second)
	w5 := exportapi.Window{From: w.From.Add(5 * time.Second), To: w.To.Add(5 * time.Second)}
	if _, st := ids(t, t.Context(), s, w5); st.Requests != 0 || f.requests() != before {
		t.Fatalf("a read 5 s later made %d requests", f.requests()-before)
	}
	f.clock.add(6 * time.Second)
	w11 := exportapi.Window{From: w.From.Add(11 * time.Second), To: w.To.Add(11 * time.Second)}
	got, _ := ids(t, t.Context(), s, w11)
	if f.requests() == before {
		t.Fatal("a read after the reuse time did not read the live tail again")
	}
	if !slices.Equal(got, f.want(w11)) {
		t.Fatalf("%d conversations, want %d", len(got), len(f.want(w11)))
	}
}

// TestCostFollowsRecordsNotRangeLength reads 54 years that hold five days of
// records: the cache holds a handful of segments, and the read answers at once.
func TestCostFollowsRecordsNotRangeLength(t *testing.T) {
	f := newFixture(t, simulator.Faults{})
	s := f.source(time.Hour)
	now := f.clock.now()
	w := exportapi.Window{From: time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC), To: now}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got, st := ids(t, t.Context(), s, w)
	if !slices.Equal(got, f.want(w)) {
		t.Fatalf("%d conversations, want %d", len(got), len(f.want(w)))
	}
	cs := f.cache.Stats()
	// About 256 KB of records per segment (several hundred records); the empty
	// decades cost one segment, where 15-minute chunks would have been 1.9 million.
	if records := int64(len(got)); cs.Segments > int(records/250)+4 || st.Requests > int(f.fewestPages(w))+4 {
		t.Fatalf("%d records cost %d segments and %d requests", records, cs.Segments, st.Requests)
	}
	// A repeat walks segments, not 15-minute chunks: nearly free.
	again, st2 := ids(t, t.Context(), s, w)
	if !slices.Equal(again, got) || st2.Requests > 1 {
		t.Fatalf("repeat: %d conversations, %d requests", len(again), st2.Requests)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 64<<20 {
		t.Fatalf("the heap grew by %d MB for %d records", grown>>20, len(got))
	}
}

// TestACancelledLongReadLeavesNothingRunning cancels a read of decades and checks
// that no request follows and the flight is gone.
func TestACancelledLongReadLeavesNothingRunning(t *testing.T) {
	f := newFixture(t, simulator.Faults{Latency: 50 * time.Millisecond})
	s := f.source(time.Hour)
	now := f.clock.now()
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		f.waitForRequests(t, 1)
		cancel()
	}()
	_, err := s.Conversations(ctx, Request{Bot: "bot", Window: exportapi.Window{From: time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC), To: now}},
		func([]exportapi.Conversation) {})
	if exportapi.KindOf(err) != exportapi.KindCanceled {
		t.Fatalf("got %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.flights.mu.Lock()
		n := len(f.flights.lanes)
		f.flights.mu.Unlock()
		if n == 0 && f.cache.Stats().Reserved == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d lanes of flights and %d reserved bytes left after the read was cancelled", n, f.cache.Stats().Reserved)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFinalTimeIsNeverReadAgainForAge: segments older than Final stay until the
// budget evicts them; settled time younger than that is read again after TTL.
func TestFinalTimeIsNeverReadAgainForAge(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newFixture(t, simulator.Faults{})
	client := f.client
	s := New(Config{Client: client, BaseURL: f.url, APIKey: key, Live: time.Hour, TTL: time.Hour, Final: 24 * time.Hour,
		Cache: f.cache, Flights: f.flights, Now: f.clock.now})
	now := f.clock.now()
	old := exportapi.Window{From: now.Add(-96 * time.Hour), To: now.Add(-48 * time.Hour)}
	recent := exportapi.Window{From: now.Add(-20 * time.Hour), To: now.Add(-2 * time.Hour)}
	ids(t, t.Context(), s, old)
	ids(t, t.Context(), s, recent)
	f.clock.add(3 * time.Hour) // past the TTL of everything read
	before := f.requests()
	if got, _ := ids(t, t.Context(), s, old); !slices.Equal(got, f.want(old)) || f.requests() != before {
		t.Fatalf("final time: %d conversations (want %d), %d requests", len(got), len(f.want(old)), f.requests()-before)
	}
	if got, _ := ids(t, t.Context(), s, recent); !slices.Equal(got, f.want(recent)) || f.requests() == before {
		t.Fatalf("settled time younger than Final was not read again after the TTL (%d conversations)", len(got))
	}
}
