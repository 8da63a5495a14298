package fetch_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/sharedcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// Three replicas (each its own memory, flights, limiters and disk) share a
// real Redis and the simulator at its real rate limit, with expectedReplicas
// 3, and read the same two days of a small bot's messages at once while Redis
// is in trouble. The API must see no 429 and at most the pages + 10%.

type troubleReplica struct {
	src   *fetch.Source
	lease *exportapi.Lease
}

// troubleRead is what troubleSetup's replicas read, and how they hold leases.
type troubleRead struct {
	span   time.Duration // the window's length: two days unless set
	expiry time.Duration // the lease expiry: the production default unless set
}

func troubleSetup(t *testing.T, redisSrv *redistest.Server, r troubleRead) (*simulator.Server, []troubleReplica, exportapi.Window, int64) {
	now := time.Date(2026, 11, 20, 12, 34, 56, 0, time.UTC)
	data := simulator.NewDataset(simulator.Config{Bots: []string{"bot"}, Days: 3, PerHour: 120, Seed: 5, Now: func() time.Time { return now }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: tierKey})
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	if r.span == 0 {
		r.span = 48 * time.Hour
	}
	w := exportapi.Window{From: now.Add(-r.span - 3*time.Hour), To: now.Add(-3 * time.Hour)}
	pages := int64((len(data.Messages("bot", w.From, w.To, "")) + exportapi.MaxPerPage - 1) / exportapi.MaxPerPage)
	var out []troubleReplica
	for range 3 {
		pool := &exportapi.LimiterPool{}
		lease := pool.Acquire(hs.URL, tierKey, 3)
		t.Cleanup(lease.Release)
		sh, err := sharedcache.Open(redisSrv.URL(), "", newTestLog(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sh.Close() })
		lease.Share(sh, 3)
		client, err := exportapi.New(exportapi.Config{BaseURL: hs.URL, APIKey: tierKey, Limiters: lease})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(client.Close)
		disk := diskcache.Open(t.TempDir(), 1<<30, newTestLog(t))
		t.Cleanup(func() { _ = disk.Close() })
		src := fetch.New(fetch.Config{Client: client, BaseURL: hs.URL, APIKey: tierKey, Live: time.Hour, TTL: time.Hour,
			Final: 24 * time.Hour, Cache: fetch.NewCache(256 << 20), Tiers: []fetch.Tier{disk, sh}, Leases: sh, LiveTier: sh,
			Flights: fetch.NewFlights(), LeaseExpiry: r.expiry, Now: func() time.Time { return now }})
		out = append(out, troubleReplica{src: src, lease: lease})
	}
	return sim, out, w, pages
}

// readTogether runs the same messages read on every replica at once, with an
// alert rule's budget (the whole answer, or an error), and checks the numbers.
func readTogether(t *testing.T, sim *simulator.Server, replicas []troubleReplica, w exportapi.Window, during func()) {
	var want []string
	for _, m := range sim.Dataset().Messages("bot", w.From, w.To, "") {
		want = append(want, m.ID)
	}
	slices.Sort(want)
	var wg sync.WaitGroup
	for i, r := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			defer cancel()
			var mu sync.Mutex
			var got []string
			_, err := r.src.Messages(ctx, fetch.Request{Bot: "bot", Window: w}, func(p []exportapi.Message) {
				mu.Lock()
				defer mu.Unlock()
				for _, m := range p {
					got = append(got, m.ID)
				}
			})
			slices.Sort(got)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("replica %d: %d messages, want %d (%v)", i, len(got), len(want), err)
			}
		}()
	}
	if during != nil {
		during()
	}
	wg.Wait()
}

func checkCost(t *testing.T, what string, sim *simulator.Server, pages int64) {
	c := sim.Counts()
	t.Logf("%s: %d message requests for %d pages, %d answered 429", what, c.Messages, pages, c.RateLimited)
	if c.RateLimited != 0 || c.Messages > pages+max(1, pages/10) {
		t.Fatalf("%s: %d message requests for %d pages, %d answered 429", what, c.Messages, pages, c.RateLimited)
	}
}

func TestRedisRestartedMidExport(t *testing.T) {
	testparallel.SkipUnderShort(t)
	t.Parallel() // its own simulator and Redis; mostly waiting on the rate limit
	srv := redistest.Start(t)
	sim, replicas, w, pages := troubleSetup(t, srv, troubleRead{})
	readTogether(t, sim, replicas, w, func() {
		for deadline := time.Now().Add(time.Minute); sim.Counts().Messages < 6; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the export did not start")
			}
		}
		srv.Kill()
		time.Sleep(time.Second)
		srv.Start(t)
	})
	checkCost(t, "Redis restarted mid-export", sim, pages)
}

// TestRedisFullAt2MB and TestRedisFullAt1MB: a Redis at its maxmemory with
// noeviction. Leases and the rate limit are written whatever its memory
// (allow-oom scripts), so every replica always paces on the one shared rate.
// At 2 MB the oldest segments make room for the newest, and the waiting
// replicas take each chunk as it lands: the replicas read once between them.
// At 1 MB redis-server 7.0's own 0.95 MB and the replicas' connections leave
// no room for a single segment: the lease holder reads, stores nothing, lets
// go; the next replica then reads the time for itself, and so on, so the
// bound is the pages times the replicas (+10%), exactly, whatever the
// machine's speed: each replica reads the range once and keeps it in its own
// memory. (Two tests, not two subtests: each starts with the other waiting
// tests rather than after one of them ends.)

// TestRedisFullAt2MB: what the replicas share does not fit: chunks are freed
// for room, and one a replica waited for may be gone before it takes it (the
// more likely the busier the machine: 31 requests for 30 pages idle, up to 50
// under load), so that replica reads that time itself. What holds whatever the
// machine: no 429, exact numbers, and no replica reads any time twice. Two
// days take about 1.6 MB in Redis, far more than the room 2 MB leaves (one day
// takes about 1.1 MB: too close to that room to be sure to overflow it).
func TestRedisFullAt2MB(t *testing.T) {
	testparallel.SkipUnderShort(t)
	t.Parallel() // its own simulator and Redis; mostly waiting on the rate limit
	redisFull(t, "2mb", 48*time.Hour)
}

// TestRedisFullAt1MB: Redis itself takes about 0.95 MB: no segment fits,
// leases and the rate limit still work, and each replica reads the range once,
// in turn. Whether a write fits depends on the memory Redis uses before it,
// not on the segment's size, so two hours (two pages, whole chunks included)
// do not fit either; each replica reads them as one leg, as a leg is cut only
// with three pages or more left: the bound is met exactly, whatever the
// machine's speed.
func TestRedisFullAt1MB(t *testing.T) {
	testparallel.SkipUnderShort(t)
	t.Parallel() // its own simulator and Redis; mostly waiting on the rate limit
	redisFull(t, "1mb", 2*time.Hour)
}

// redisFull has three replicas read span at once through a Redis of
// maxmemory, and bounds the requests by each replica reading it all.
func redisFull(t *testing.T, maxmemory string, span time.Duration) {
	srv := redistest.StartWith(t, "--maxmemory", maxmemory, "--maxmemory-policy", "noeviction")
	// A replica that let go without storing leaves its time to the next only
	// after the renewal grace, half the lease expiry: at 4 s (the default is
	// 10 s) each handover waits 2 s, not 5. The bound holds whether a lease
	// lapses or not: it lets each replica read the whole range once, and no
	// replica reads any time twice.
	sim, replicas, w, pages := troubleSetup(t, srv, troubleRead{span: span, expiry: 4 * time.Second})
	readTogether(t, sim, replicas, w, nil)
	checkCost(t, "Redis full at "+maxmemory, sim, pages*int64(len(replicas)))
}

func TestRedisKeysOfAnotherType(t *testing.T) {
	testparallel.SkipUnderShort(t)
	t.Parallel() // its own simulator and Redis; mostly waiting on the rate limit
	srv := redistest.Start(t)
	sim, replicas, w, pages := troubleSetup(t, srv, troubleRead{})
	raw := redis.NewClient(&redis.Options{Addr: strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "redis://"), "/0")})
	defer raw.Close()
	lane := replicas[0].src.MessageLane("bot")
	rate := "rate:agentx-export:rate:" + replicas[0].lease.Messages.SharedKey()
	for _, key := range []string{"agentx-export:lease:" + lane, "agentx-export:segs:" + lane} {
		if err := raw.Set(t.Context(), key, "planted", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.HSet(t.Context(), rate, "planted", 1).Err(); err != nil {
		t.Fatal(err)
	}
	readTogether(t, sim, replicas, w, nil)
	checkCost(t, "keys of another type", sim, pages)
}
