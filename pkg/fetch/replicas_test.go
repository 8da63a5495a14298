package fetch_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/sharedcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// killable stands for a replica's leases; once killed, it stops talking to
// Redis, as a process that died would: no renewal, no release.
type killable struct {
	fetch.Leases
	dead atomic.Bool
}

var errDead = errors.New("the process is gone")

func (k *killable) Claim(ctx context.Context, lane, token string, ttl time.Duration, decide func([]fetch.Span) []fetch.Span) ([]fetch.Span, error) {
	if k.dead.Load() {
		return nil, errDead
	}
	return k.Leases.Claim(ctx, lane, token, ttl, decide)
}

func (k *killable) Release(ctx context.Context, lane, token string) error {
	if k.dead.Load() {
		return errDead
	}
	return k.Leases.Release(ctx, lane, token)
}

// haFixture is the simulator at its real rate limit and a real Redis that
// replicas (Sources with their own memory, flights, client and Redis client) share.
type haFixture struct {
	t     *testing.T
	sim   *simulator.Server
	url   string
	redis *redistest.Server
	now   time.Time
	w     exportapi.Window
	// expiry is the replicas' lease expiry; 0 keeps the production default.
	expiry time.Duration
}

func newHAFixture(t *testing.T, days int) *haFixture {
	now := time.Date(2026, 11, 20, 12, 34, 56, 0, time.UTC)
	data := simulator.NewDataset(simulator.Config{Bots: []string{"bot"}, Days: days + 1, PerHour: 400, Seed: 33, Now: func() time.Time { return now }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: tierKey})
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	w := exportapi.Window{From: now.Add(-time.Duration(days)*24*time.Hour - 2*time.Hour), To: now.Add(-2 * time.Hour)}
	return &haFixture{t: t, sim: sim, url: hs.URL, redis: redistest.Start(t), now: now, w: w}
}

func (f *haFixture) replica() (*fetch.Source, *killable, *sharedcache.Shared) {
	t := f.t
	client, err := exportapi.New(exportapi.Config{BaseURL: f.url, APIKey: tierKey, Limiters: (&exportapi.LimiterPool{}).Acquire(f.url, tierKey, 3)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	// Redis is healthy here: a slow answer on a busy machine must not count as
	// an outage, after which the replica would read for itself.
	sh, err := sharedcache.OpenWithin(f.redis.URL(), "", newTestLog(t), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sh.Close() })
	leases := &killable{Leases: sh}
	return fetch.New(fetch.Config{Client: client, BaseURL: f.url, APIKey: tierKey, Live: time.Hour, TTL: time.Hour,
		Final: 24 * time.Hour, Cache: fetch.NewCache(256 << 20), Tiers: []fetch.Tier{sh}, Leases: leases, LiveTier: sh,
		Flights: fetch.NewFlights(), KeepReading: time.Minute, LeaseExpiry: f.expiry, Now: func() time.Time { return f.now }}), leases, sh
}

func (f *haFixture) requests() int64 { return f.sim.Counts().Conversations }

// answer is one query's records and what the Source said of them.
type answer struct {
	ids   []exportapi.Conversation
	st    fetch.Stats
	err   error
	took  time.Duration
	mu    sync.Mutex
	start time.Time
}

func query(ctx context.Context, s *fetch.Source, req fetch.Request) *answer {
	a := &answer{start: time.Now()}
	a.st, a.err = s.Conversations(ctx, req, func(p []exportapi.Conversation) {
		a.mu.Lock()
		a.ids = append(a.ids, p...)
		a.mu.Unlock()
	})
	a.took = time.Since(a.start)
	return a
}

// exactWhereComplete checks that the answer holds exactly the dataset's
// conversations in the time it calls complete, and returns how long that is.
func (f *haFixture) exactWhereComplete(what string, a *answer) time.Duration {
	f.t.Helper()
	complete := []exportapi.Window{f.w}
	for _, inc := range a.st.Incomplete {
		var next []exportapi.Window
		for _, c := range complete {
			if head := c.Intersect(exportapi.Window{From: c.From, To: inc.From}); !head.Empty() {
				next = append(next, head)
			}
			if tail := c.Intersect(exportapi.Window{From: inc.To, To: c.To}); !tail.Empty() {
				next = append(next, tail)
			}
		}
		complete = next
	}
	var total time.Duration
	for _, c := range complete {
		total += c.To.Sub(c.From)
		var want, got []string
		for _, x := range f.sim.Dataset().Conversations("bot", c.From, c.To) {
			want = append(want, x.ID)
		}
		for _, x := range a.ids {
			if c.Contains(x.StartTime) {
				got = append(got, x.ID)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			f.t.Fatalf("%s: %d conversations in complete time %s–%s, want %d", what, len(got), c.From, c.To, len(want))
		}
	}
	return total
}

// startExport starts replica A's read of the window and returns once it has
// sent n requests.
func (f *haFixture) startExport(ctx context.Context, s *fetch.Source, n int64) <-chan *answer {
	done := make(chan *answer, 1)
	go func() { done <- query(ctx, s, fetch.Request{Bot: "bot", Window: f.w}) }()
	for deadline := time.Now().Add(time.Minute); f.requests() < n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			f.t.Fatalf("replica A sent %d requests in a minute", f.requests())
		}
	}
	return done
}

// TestAWaitingReplicaAnswersAtItsResponseTime: replica A exports three days at
// the API's rate limit; replica B's dashboard query over the same range answers
// at its AnswerBy with the chunks A has published so far, exact there, without
// a request of its own; once A is done, B answers whole from Redis.
func TestAWaitingReplicaAnswersAtItsResponseTime(t *testing.T) {
	testparallel.SkipUnderShort(t)
	t.Parallel() // its own simulator and Redis; mostly waiting on the rate limit
	f := newHAFixture(t, 3)
	a, _, _ := f.replica()
	b, _, _ := f.replica()
	first := f.startExport(t.Context(), a, 8)
	sent := f.requests()
	got := query(t.Context(), b, fetch.Request{Bot: "bot", Window: f.w, AnswerBy: time.Now().Add(3 * time.Second)})
	if got.err != nil || len(got.st.Incomplete) == 0 || !got.st.WaitedOnReplica {
		t.Fatalf("B while A exports: %v, incomplete %v, waited on a replica %v", got.err, got.st.Incomplete, got.st.WaitedOnReplica)
	}
	complete := f.exactWhereComplete("B's partial answer", got)
	t.Logf("B answered in %s with %s of %s complete; A had sent %d requests, B %d", got.took.Round(time.Millisecond), complete, f.w.To.Sub(f.w.From), sent, got.st.Requests)
	if got.took > 20*time.Second || complete == 0 || got.st.Requests != 0 {
		t.Fatalf("B took %s, had %s complete and sent %d requests", got.took, complete, got.st.Requests)
	}
	whole := <-first
	if whole.err != nil {
		t.Fatal(whole.err)
	}
	before := f.requests()
	again := query(t.Context(), b, fetch.Request{Bot: "bot", Window: f.w, AnswerBy: time.Now().Add(3 * time.Second)})
	if again.err != nil || len(again.st.Incomplete) > 0 || f.requests() != before {
		t.Fatalf("B after A: %v, incomplete %v, %d requests", again.err, again.st.Incomplete, f.requests()-before)
	}
	f.exactWhereComplete("B after A", again)
}

// TestAPlantedLeaseDoesNotBlock: a lease whose expiry lies far ahead (planted,
// or a clock far off) is taken for what it is: the query reads for itself.
func TestAPlantedLeaseDoesNotBlock(t *testing.T) {
	t.Parallel() // its own simulator and Redis; mostly waiting on the rate limit
	f := newHAFixture(t, 1)
	b, _, _ := f.replica()
	planter, err := sharedcache.Open(f.redis.URL(), "", newTestLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer planter.Close()
	whole := []fetch.Span{{From: f.w.From.Add(-time.Hour), To: f.w.To.Add(time.Hour)}}
	if _, err := planter.Claim(t.Context(), b.ConversationLane("bot"), "planted", 24*time.Hour, func([]fetch.Span) []fetch.Span { return whole }); err != nil {
		t.Fatal(err)
	}
	// A query the planted lease blocked would wait out its day; a read of its
	// own is eleven requests, which took 43 s under -race on two cores kept
	// busy (load average 8 to 10): three minutes tell the two apart.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	got := query(ctx, b, fetch.Request{Bot: "bot", Window: f.w})
	if got.err != nil || len(got.st.Incomplete) > 0 || got.st.WaitedOnReplica || got.st.Requests == 0 {
		t.Fatalf("with a planted lease: %v, incomplete %v, %d requests", got.err, got.st.Incomplete, got.st.Requests)
	}
	f.exactWhereComplete("with a planted lease", got)
	t.Logf("answered in %s with %d requests", got.took.Round(time.Millisecond), got.st.Requests)
}

// TestAKilledHolderIsTakenOver: replica A dies mid-export, holding its lease.
// B's dashboard query answers partially at its AnswerBy and the read goes on
// (takes the lapsed time over), so a later refresh is whole; an alert rule on
// a third replica gets an exact answer within its deadline.
func TestAKilledHolderIsTakenOver(t *testing.T) {
	testparallel.SkipUnderShort(t)
	t.Parallel() // its own simulator and Redis; mostly waiting on the rate limit
	// One day is ten pages: A still dies mid-export, after five.
	f := newHAFixture(t, 1)
	// The takeover waits out A's lease, then the grace for its renewal: at 5 s
	// (the default is 10 s) A's lease outlives its death by at least 4 s, so B
	// still finds it held at once, and can read none of A's time before its
	// answer at 3 s. Nothing here counts requests, so a lease of a live
	// replica that lapses on a busy machine costs time, not an assertion.
	f.expiry = 5 * time.Second
	a, aLeases, _ := f.replica()
	b, _, _ := f.replica()
	c, _, _ := f.replica()
	ctx, kill := context.WithCancel(t.Context())
	first := f.startExport(ctx, a, 5)
	aLeases.dead.Store(true)
	kill()
	<-first

	got := query(t.Context(), b, fetch.Request{Bot: "bot", Window: f.w, AnswerBy: time.Now().Add(3 * time.Second)})
	if got.err != nil || len(got.st.Incomplete) == 0 || !got.st.WaitedOnReplica || got.took > 20*time.Second {
		t.Fatalf("B with A dead: %v, incomplete %v, took %s", got.err, got.st.Incomplete, got.took)
	}
	f.exactWhereComplete("B's partial answer", got)
	t.Logf("B answered partially in %s", got.took.Round(time.Millisecond))

	alertCtx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	alert := query(alertCtx, c, fetch.Request{Bot: "bot", Window: f.w})
	if alert.err != nil || len(alert.st.Incomplete) > 0 {
		t.Fatalf("the alert rule with A dead: %v", alert.err)
	}
	f.exactWhereComplete("the alert rule", alert)
	t.Logf("the alert rule answered whole in %s", alert.took.Round(time.Millisecond))

	// B's read went on after its answer: a refresh finds the rest.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(time.Second) {
		again := query(t.Context(), b, fetch.Request{Bot: "bot", Window: f.w, AnswerBy: time.Now().Add(3 * time.Second)})
		if again.err == nil && len(again.st.Incomplete) == 0 {
			f.exactWhereComplete("B's refresh", again)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B's refresh is still partial two minutes on: %v %v", again.err, again.st.Incomplete)
		}
	}
}

// TestAnAlertRuleSaysItWaitedOnAReplica: an alert rule whose deadline comes
// before a live replica's export ends fails before it, saying why.
func TestAnAlertRuleSaysItWaitedOnAReplica(t *testing.T) {
	testparallel.SkipUnderShort(t)
	t.Parallel() // its own simulator and Redis; mostly waiting on the rate limit
	// Eight days take A about 26 s at the rate limit, far past the rule's 10 s,
	// whose margin (a tenth) leaves a busy machine a second to say why.
	f := newHAFixture(t, 8)
	a, _, _ := f.replica()
	b, _, _ := f.replica()
	// A's export is only the lease B waits behind: once B has answered it is
	// stopped rather than waited out.
	aCtx, stopA := context.WithCancel(t.Context())
	defer stopA()
	first := f.startExport(aCtx, a, 3)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	got := query(ctx, b, fetch.Request{Bot: "bot", Window: f.w})
	if got.err == nil || !strings.Contains(got.err.Error(), "another Grafana replica is reading") || ctx.Err() != nil {
		t.Fatalf("the alert rule: %v (its context: %v)", got.err, ctx.Err())
	}
	t.Log(got.err)
	stopA()
	<-first
}
