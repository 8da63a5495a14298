package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestSyncKeepsTheRecentPastStored runs the background sync against the simulator
// at its real rate limit: once the backfill of 2 days is done, a dashboard over
// those 2 days costs only its live tail (1 request per endpoint) and is exact, and
// the health check says how far back the store is complete.
func TestSyncKeepsTheRecentPastStored(t *testing.T) {
	testparallel.Waits(t)
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: 3, PerHour: 10, Seed: 9,
		Now: func() time.Time { return testNow }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: 3})
	url := startServer(t, sim)
	opts := testOptions()
	opts.SyncEvery, opts.SyncRetry = 100*time.Millisecond, 100*time.Millisecond
	inst, err := Factory(opts)(t.Context(), instanceSettings(url, map[string]any{"requestsPerSecond": 3, "syncDays": 2}, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)

	// The first health check starts the sync.
	if h, _ := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{}); h.Status != backend.HealthStatusOk {
		t.Fatalf("health: %s", h.Message)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		done := true
		for _, p := range d.keeper.Status() {
			done = done && p.Done()
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the backfill did not finish: %+v", d.keeper.Status())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d.keeper.Requests() == 0 {
		t.Fatal("the backfill made no request")
	}

	from, to := testNow.Add(-48*time.Hour), testNow
	before := sim.Counts()
	r := run(t, d,
		dataQuery("C", "conversationVolume", from, to, map[string]any{"bucket": "1h"}),
		dataQuery("M", "messageVolume", from, to, map[string]any{"bucket": "1h"}))
	after := sim.Counts()
	if n := after.Conversations - before.Conversations; n > 1 {
		t.Errorf("conversation volume over the synced days cost %d requests, want at most 1 (the live tail)", n)
	}
	if n := after.Messages - before.Messages; n > 1 {
		t.Errorf("message volume over the synced days cost %d requests, want at most 1 (the live tail)", n)
	}
	conv := map[int64]float64{}
	for _, c := range data.Conversations("r3-218210", from, to) {
		conv[bucketOf(c.Start, time.Hour)]++
	}
	compare(t, series(t, r.Responses["C"], ""), map[string]map[int64]float64{"": conv}, expectedBuckets(from, to, time.Hour), time.Hour, false)
	msgs := map[int64]float64{}
	for _, m := range data.Messages("r3-218210", from, to, "") {
		msgs[bucketOf(m.Time, time.Hour)]++
	}
	compare(t, series(t, r.Responses["M"], ""), map[string]map[int64]float64{"": msgs}, expectedBuckets(from, to, time.Hour), time.Hour, false)

	h, _ := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	for _, want := range []string{"dashboards over the last 2 days", `"r3-218210" conversations complete for the last 2 days`, `"r3-218210" messages complete for the last 2 days`, "of this server's API requests so far; it may use up to 50% of the rate limit"} {
		if !strings.Contains(h.Message, want) {
			t.Errorf("health does not say %q: %s", want, h.Message)
		}
	}
	if sim.Counts().RateLimited != 0 {
		t.Errorf("%d answers 429", sim.Counts().RateLimited)
	}
}

// TestSyncIsOffWhenAsked checks that syncDays 0 reads nothing in the background.
func TestSyncIsOffWhenAsked(t *testing.T) {
	testparallel.Waits(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, map[string]any{"syncDays": 0})
	_, _ = d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	time.Sleep(200 * time.Millisecond)
	if d.keeper != nil || sim.Counts().Conversations > 1 {
		t.Fatalf("sync ran: %+v", sim.Counts())
	}
}

// TestWithRedisOneReplicaKeepsABot starts two replicas (each its own limiters,
// cache and flights, as two Grafana servers) on one Redis: one keeps the bot, the
// other says so in its health check and reads nothing in the background.
func TestWithRedisOneReplicaKeepsABot(t *testing.T) {
	testparallel.Waits(t)
	redis := redistest.Start(t)
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: 2, PerHour: 5, Seed: 9,
		Now: func() time.Time { return testNow }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1})
	url := startServer(t, sim)
	replica := func(uid string) *Datasource {
		opts := testOptions()
		opts.Limiters = &exportapi.LimiterPool{}
		// The keeping replica's turn lasts two passes' interval: at 50 ms a pass,
		// a busy machine (under -race) let a 100 ms turn lapse between the check
		// below and the health call, and the turn changed hands. The first passes
		// run at once, whatever the interval.
		opts.SyncEvery, opts.SyncRetry = time.Second, 50*time.Millisecond
		is := instanceSettings(url, map[string]any{"syncDays": 1, "redisUrl": redis.URL()}, testKey)
		is.UID = uid
		inst, err := Factory(opts)(t.Context(), is)
		if err != nil {
			t.Fatal(err)
		}
		d := inst.(*Datasource)
		t.Cleanup(d.Dispose)
		return d
	}
	a, b := replica("a"), replica("b")
	_, _ = a.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	_, _ = b.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	deadline := time.Now().Add(time.Minute)
	for {
		var keeping, skipping int
		for _, d := range []*Datasource{a, b} {
			ps := d.SyncProgress()
			if len(ps) > 0 && ps[0].Skipped {
				skipping++
			} else if len(ps) > 0 && ps[0].Done() {
				keeping++
			}
		}
		if keeping == 1 && skipping == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("want one replica keeping and one skipping: %+v / %+v", a.SyncProgress(), b.SyncProgress())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, d := range []*Datasource{a, b} {
		if ps := d.SyncProgress(); ps[0].Skipped {
			h, _ := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
			if !strings.Contains(h.Message, "kept up to date by another Grafana server") {
				t.Errorf("the skipping replica's health does not say so: %s", h.Message)
			}
		}
	}
}

// TestAQueryDuringTheBackfillWaitsBehindAtMostOneBackgroundRequest runs queries
// of time the sync does not read while its backfill runs at the simulator's real
// rate limit: no interactive request ever waited behind more than one background
// request, and the answers are exact.
func TestAQueryDuringTheBackfillWaitsBehindAtMostOneBackgroundRequest(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.WaitsLong(t)
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: 4, PerHour: 60, Seed: 13,
		Now: func() time.Time { return testNow }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: 3, Faults: simulator.Faults{Latency: 20 * time.Millisecond}})
	url := startServer(t, sim)
	opts := testOptions()
	opts.Limiters = &exportapi.LimiterPool{}
	inst, err := Factory(opts)(t.Context(), instanceSettings(url, map[string]any{"requestsPerSecond": 3, "syncDays": 1}, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)
	_, _ = d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	for deadline := time.Now().Add(time.Minute); d.lease.Messages.Traffic().Background == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the backfill made no request")
		}
	}
	// The day before the synced one: every request of these queries is interactive.
	from, to := testNow.Add(-48*time.Hour), testNow.Add(-25*time.Hour)
	r := run(t, d, dataQuery("M", "messageVolume", from, to, map[string]any{"bucket": "1h"}),
		dataQuery("C", "conversationVolume", from, to, map[string]any{"bucket": "1h"}))
	msgs := map[int64]float64{}
	for _, m := range data.Messages("r3-218210", from, to, "") {
		msgs[bucketOf(m.Time, time.Hour)]++
	}
	compare(t, series(t, r.Responses["M"], ""), map[string]map[int64]float64{"": msgs}, expectedBuckets(from, to, time.Hour), time.Hour, false)
	for _, lim := range []*exportapi.Limiter{d.lease.Conversations, d.lease.Messages} {
		tr := lim.Traffic()
		if tr.Interactive == 0 || tr.Background == 0 {
			t.Fatalf("traffic %+v: the query and the backfill did not meet", tr)
		}
		if tr.MostAhead > 1 {
			t.Errorf("an interactive request waited behind %d background requests, more than one", tr.MostAhead)
		}
	}
	if sim.Counts().RateLimited != 0 {
		t.Errorf("%d answers 429", sim.Counts().RateLimited)
	}
}
