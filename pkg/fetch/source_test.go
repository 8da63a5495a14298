package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

const key = "fetch-test-key"

// clock is the shared "now" of the simulator and the source, movable by tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	sim     *simulator.Server
	clock   *clock
	cache   *Cache
	flights *Flights
	client  *exportapi.Client
	url     string
}

// fixtureStart is a fixture's clock when it starts.
var fixtureStart = time.Date(2026, 11, 20, 12, 34, 56, 789_000_000, time.UTC)

func newFixture(t *testing.T, faults simulator.Faults) *fixture {
	t.Helper()
	return newFixtureBehind(t, faults, nil)
}

// newFixtureBehind is newFixture with the simulator behind front, a handler
// that sees each request first (nil: none).
func newFixtureBehind(t *testing.T, faults simulator.Faults, front func(sim http.Handler) http.Handler) *fixture {
	t.Helper()
	clk := &clock{t: fixtureStart}
	data := simulator.NewDataset(simulator.Config{Bots: []string{"bot"}, Days: 5, PerHour: 60, Seed: 9, Now: clk.now})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: key, RequestsPerSecond: -1, Faults: faults})
	var h http.Handler = sim
	if front != nil {
		h = front(sim)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	client, err := exportapi.New(exportapi.Config{BaseURL: hs.URL, APIKey: key, Limiters: (&exportapi.LimiterPool{}).Acquire(hs.URL, key, 1000)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return &fixture{sim: sim, clock: clk, cache: NewCache(64 << 20), flights: NewFlights(), client: client, url: hs.URL}
}

func (f *fixture) source(ttl time.Duration) *Source {
	return New(Config{Client: f.client, BaseURL: f.url, APIKey: key, Live: time.Hour, TTL: ttl, Cache: f.cache, Flights: f.flights, Now: f.clock.now})
}

func (f *fixture) requests() int64 {
	c := f.sim.Counts()
	return c.Conversations + c.Messages
}

// ids reads a window and returns the conversation ids it delivered, failing on a repeat.
func ids(t *testing.T, ctx context.Context, s *Source, w exportapi.Window) ([]string, Stats) {
	t.Helper()
	var mu sync.Mutex
	var out []string
	st, err := s.Conversations(ctx, Request{Bot: "bot", Window: w}, func(page []exportapi.Conversation) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range page {
			out = append(out, c.ID)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, id := range out {
		if seen[id] {
			t.Fatalf("conversation %s delivered twice", id)
		}
		seen[id] = true
	}
	slices.Sort(out)
	return out, st
}

func (f *fixture) want(w exportapi.Window) []string {
	var out []string
	for _, c := range f.sim.Dataset().Conversations("bot", w.From, w.To) {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

func TestCacheGivesExactNumbersAndSkipsSettledTime(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newFixture(t, simulator.Faults{})
	now := f.clock.now()
	w := exportapi.Window{From: now.Add(-50*time.Hour - 7*time.Minute), To: now}
	for _, ttl := range []time.Duration{0, time.Hour} {
		f.cache.Clear()
		s := f.source(ttl)
		got, st := ids(t, t.Context(), s, w)
		if !slices.Equal(got, f.want(w)) {
			t.Fatalf("ttl %s: %d conversations, want %d", ttl, len(got), len(f.want(w)))
		}
		before := f.requests()
		again, st2 := ids(t, t.Context(), s, w)
		if !slices.Equal(again, got) {
			t.Fatalf("ttl %s: a repeat gave other numbers", ttl)
		}
		repeatCost := f.requests() - before
		if ttl == 0 && repeatCost < int64(st.Requests)-3 {
			t.Fatalf("without a cache a repeat should read again: %d requests, first read %d", repeatCost, st.Requests)
		}
		if ttl > 0 {
			// Only the live hour (and the chunk it starts in) is read again.
			if repeatCost != 1 || st2.CacheHits == 0 || st2.CacheMisses != 0 {
				t.Fatalf("repeat with cache: %d requests, stats %+v", repeatCost, st2)
			}
		}
	}
}

func TestRepeatOfASettledRangeCostsNothing(t *testing.T) {
	f := newFixture(t, simulator.Faults{})
	s := f.source(time.Hour)
	now := f.clock.now()
	w := exportapi.Window{From: now.Add(-30 * time.Hour), To: now.Add(-3*time.Hour + 7*time.Second)}
	first, _ := ids(t, t.Context(), s, w)
	before := f.requests()
	// The same range, a zoom into it and a shift inside it: all settled, all cached.
	for _, v := range []exportapi.Window{w, {From: w.From.Add(5 * time.Hour), To: w.To.Add(-4 * time.Hour)}, {From: w.From.Add(time.Minute), To: w.To.Add(-time.Minute)}} {
		got, st := ids(t, t.Context(), s, v)
		if !slices.Equal(got, f.want(v)) || st.Requests != 0 {
			t.Fatalf("window %v: %d conversations (want %d), %d requests", v, len(got), len(f.want(v)), st.Requests)
		}
	}
	if f.requests() != before || len(first) == 0 {
		t.Fatalf("cached reads made %d requests", f.requests()-before)
	}
}

func TestRefreshAMinuteLaterRereadsOnlyTheLiveTail(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newFixture(t, simulator.Faults{})
	s := f.source(time.Hour)
	now := f.clock.now()
	ids(t, t.Context(), s, exportapi.Window{From: now.Add(-7 * 24 * time.Hour), To: now})
	f.clock.add(time.Minute)
	now = f.clock.now()
	w := exportapi.Window{From: now.Add(-7 * 24 * time.Hour), To: now}
	before := f.requests()
	got, st := ids(t, t.Context(), s, w)
	if !slices.Equal(got, f.want(w)) {
		t.Fatalf("refresh: %d conversations, want %d", len(got), len(f.want(w)))
	}
	if n := f.requests() - before; n > 2 {
		t.Fatalf("refresh a minute later made %d requests (%+v)", n, st)
	}
}

func TestLiveRecordsAreReadAgainAndShowChanges(t *testing.T) {
	f := newFixture(t, simulator.Faults{})
	s := f.source(time.Hour)
	now := f.clock.now()
	w := exportapi.Window{From: now.Add(-20 * time.Minute), To: now}
	tagsAt := func() map[string]int {
		tags := map[string]int{}
		_, err := s.Conversations(t.Context(), Request{Bot: "bot", Window: w}, func(p []exportapi.Conversation) {
			for _, c := range p {
				tags[c.ID] = len(c.Tags)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return tags
	}
	before := tagsAt()
	f.clock.add(30 * time.Minute) // conversations under way have ended and got their outcome tag
	after := tagsAt()
	changed := 0
	for id, n := range before {
		if after[id] != n {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("a live conversation's new tags were not seen: live records must not come from the cache")
	}
}

func TestConcurrentReadsShareOneExport(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newFixture(t, simulator.Faults{Latency: 50 * time.Millisecond})
	now := f.clock.now()
	w := exportapi.Window{From: now.Add(-40 * time.Hour), To: now}
	for _, ttl := range []time.Duration{0, time.Hour} {
		f.cache.Clear()
		s := f.source(ttl)
		// What one read costs on its own.
		before := f.requests()
		ids(t, t.Context(), f.source(0), w)
		alone := f.requests() - before

		before = f.requests()
		var wg sync.WaitGroup
		var shared atomic.Int64
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, st := ids(t, t.Context(), s, w)
				if !slices.Equal(got, f.want(w)) {
					t.Errorf("a concurrent read got %d conversations, want %d", len(got), len(f.want(w)))
				}
				shared.Add(int64(st.SharedExports))
			}()
		}
		wg.Wait()
		if n := f.requests() - before; n > alone || shared.Load() == 0 {
			t.Fatalf("ttl %s: 8 concurrent reads made %d requests, one alone %d; %d shared exports", ttl, n, alone, shared.Load())
		}
	}
}

func TestACancelledReadDoesNotCancelAnotherReadsExport(t *testing.T) {
	testparallel.BesideWaiting(t)
	// Each page takes longer than the cancel comes, whatever the number of legs.
	f := newFixture(t, simulator.Faults{Latency: 100 * time.Millisecond})
	s := f.source(0)
	now := f.clock.now()
	w := exportapi.Window{From: now.Add(-48 * time.Hour), To: now}
	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, 1)
	go func() {
		_, err := s.Conversations(ctx, Request{Bot: "bot", Window: w}, func([]exportapi.Conversation) {})
		errs <- err
	}()
	time.Sleep(5 * time.Millisecond) // the first read starts the exports
	done := make(chan []string)
	go func() {
		got, st := ids(t, t.Context(), s, w)
		if st.SharedExports == 0 {
			t.Error("the second read did not join the first's exports")
		}
		done <- got
	}()
	time.Sleep(80 * time.Millisecond)
	cancel()
	if err := <-errs; exportapi.KindOf(err) != exportapi.KindCanceled {
		t.Fatalf("the cancelled read returned %v", err)
	}
	if got := <-done; !slices.Equal(got, f.want(w)) {
		t.Fatalf("the remaining read got %d conversations, want %d", len(got), len(f.want(w)))
	}
}

func TestTheLastReadToLeaveStopsTheExport(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newFixture(t, simulator.Faults{Latency: 40 * time.Millisecond})
	s := f.source(0)
	now := f.clock.now()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := s.Conversations(ctx, Request{Bot: "bot", Window: exportapi.Window{From: now.Add(-100 * time.Hour), To: now}}, func([]exportapi.Conversation) {})
	if !errors.Is(err, context.Canceled) && exportapi.KindOf(err) != exportapi.KindCanceled {
		t.Fatalf("got %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	settled := f.requests()
	time.Sleep(200 * time.Millisecond)
	if f.requests() != settled {
		t.Fatal("the export went on after its only reader left")
	}
}

func TestCacheStaysWithinItsBudget(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newFixture(t, simulator.Faults{})
	f.cache = NewCache(200 << 10) // far less than five days of records
	s := f.source(time.Hour)
	now := f.clock.now()
	w := exportapi.Window{From: now.Add(-5 * 24 * time.Hour), To: now}
	got, _ := ids(t, t.Context(), s, w)
	if !slices.Equal(got, f.want(w)) {
		t.Fatalf("%d conversations, want %d", len(got), len(f.want(w)))
	}
	if st := f.cache.Stats(); st.Bytes > st.Budget || st.Segments == 0 {
		t.Fatalf("cache holds %d bytes in %d segments, budget %d", st.Bytes, st.Segments, st.Budget)
	}
	// Reading again still gives exact numbers, from what is cached and what is not.
	if again, _ := ids(t, t.Context(), s, w); !slices.Equal(again, got) {
		t.Fatal("a read over a partly cached range gave other numbers")
	}
}

func TestOverlappingRangesFromManyGoroutines(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newFixture(t, simulator.Faults{ServerErrors: 0.05})
	s := f.source(time.Hour)
	now := f.clock.now()
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		w := exportapi.Window{From: now.Add(-time.Duration(10+i*3) * time.Hour), To: now.Add(-time.Duration(i) * 17 * time.Minute)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _ := ids(t, t.Context(), s, w)
			if !slices.Equal(got, f.want(w)) {
				t.Errorf("window %v: %d conversations, want %d", w, len(got), len(f.want(w)))
			}
		}()
	}
	wg.Wait()
}

func TestMaxRecordsStopsTheQuery(t *testing.T) {
	f := newFixture(t, simulator.Faults{})
	s := f.source(time.Hour)
	now := f.clock.now()
	_, err := s.Conversations(t.Context(), Request{Bot: "bot", Window: exportapi.Window{From: now.Add(-48 * time.Hour), To: now}, MaxRecords: 100},
		func([]exportapi.Conversation) {})
	if exportapi.KindOf(err) != exportapi.KindTooManyRecords {
		t.Fatalf("got %v", err)
	}
}

func TestSplitCutsAtChunkBoundaries(t *testing.T) {
	from := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	to := from.Add(48*time.Hour + 7*time.Minute)
	parts := split([]span{{from: from, to: to, cacheFrom: from, cacheTo: to.Add(-7 * time.Minute)}}, 3)
	if len(parts) != 3 || !parts[0].from.Equal(from) || !parts[2].to.Equal(to) {
		t.Fatalf("parts %+v", parts)
	}
	for i := 1; i < len(parts); i++ {
		if !parts[i].from.Equal(parts[i-1].to) || !parts[i].from.Equal(chunkFloor(parts[i].from)) {
			t.Fatalf("part %d does not start where the last ended, on a chunk boundary: %+v", i, parts)
		}
	}
	if !parts[2].cacheTo.Equal(to.Add(-7*time.Minute)) || !parts[1].cacheFrom.Equal(parts[1].from) {
		t.Fatalf("cacheable ranges not carried over: %+v", parts)
	}
}

// TestAFailureIsNotAnsweredPartially: a dashboard query that reads its range in
// two exports, one slow and one that fails (the key is refused for its time),
// says the failure as soon as it comes, rather than a partial answer at its
// AnswerBy that would hide it until the slow export ends: whether the failing
// export is the query's own or one it joined.
func TestAFailureIsNotAnsweredPartially(t *testing.T) {
	for _, joinedFails := range []bool{false, true} {
		name := map[bool]string{false: "its own export fails", true: "the export it joined fails"}[joinedFails]
		t.Run(name, func(t *testing.T) {
			testparallel.BesideWaiting(t)
			now := fixtureStart
			split := chunkFloor(now.Add(-5 * time.Hour)) // the exports read whole chunks
			slowArrived, failingArrived := make(chan struct{}, 64), make(chan struct{}, 64)
			release, fail := make(chan struct{}), make(chan struct{})
			if !joinedFails {
				close(fail)
			}
			f := newFixtureBehind(t, simulator.Faults{}, func(sim http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					start, _ := strconv.ParseInt(r.URL.Query().Get("start_time"), 10, 64)
					if start >= split.Unix() {
						failingArrived <- struct{}{}
						<-fail
						http.Error(w, "forbidden", http.StatusForbidden)
						return
					}
					slowArrived <- struct{}{}
					<-release
					sim.ServeHTTP(w, r)
				})
			})
			t.Cleanup(func() { close(release) }) // before the server closes: cleanups run last first
			s := f.source(time.Hour)
			read := func(w exportapi.Window, answerBy time.Time) error {
				_, err := s.Conversations(t.Context(), Request{Bot: "bot", Window: w, AnswerBy: answerBy}, func([]exportapi.Conversation) {})
				return err
			}
			older, newer := exportapi.Window{From: now.Add(-10 * time.Hour), To: split}, exportapi.Window{From: split, To: now.Add(-2 * time.Hour)}

			// Another panel's read is under way first: the slow one, or the one that will fail.
			first := older
			if joinedFails {
				first = newer
			}
			go func() { _ = read(first, time.Time{}) }()
			if joinedFails {
				arrives(t, failingArrived)
			} else {
				arrives(t, slowArrived)
			}
			// However slow the machine, the refusal comes well before a minute is
			// up; the query says it then, not at its AnswerBy.
			asked := time.Now()
			answered := make(chan error, 1)
			go func() { answered <- read(exportapi.Window{From: older.From, To: newer.To}, asked.Add(time.Minute)) }()
			if joinedFails {
				arrives(t, slowArrived) // the query's own export of the older part is under way
				close(fail)
			}
			var err error
			select {
			case err = <-answered:
			case <-time.After(2 * time.Minute):
				t.Fatal("the dashboard query did not answer within 2 minutes")
			}
			if exportapi.KindOf(err) != exportapi.KindKeyRejected {
				t.Fatalf("the dashboard query answered %v, want the refused key", err)
			}
			if waited := time.Since(asked); waited > 50*time.Second {
				t.Fatalf("the refusal was said after %s, at the AnswerBy", waited)
			}
		})
	}
}

// arrives waits for a request to reach the test's server; a test that would
// otherwise hang fails after 2 minutes.
func arrives(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(2 * time.Minute):
		t.Fatal("the expected request did not reach the server within 2 minutes")
	}
}
