package plugin

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// haData is a bot of about 1,000 conversations a day on the real clock, as
// plugin processes see it; limited serves it at the API's real rate limit and
// free without one, for reference answers.
func haData(t *testing.T) (data *simulator.Dataset, limited *simulator.Server, limitedURL, freeURL string) {
	data = simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: 3, PerHour: 40, Seed: 12})
	limited = simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey})
	free := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1})
	return data, limited, startServer(t, limited), startServer(t, free)
}

// fewestPages is what reading w costs at the least, per endpoint.
func fewestPages(data *simulator.Dataset, w exportapi.Window) (conversations, messages int64) {
	pages := func(n int) int64 { return max(1, int64((n+exportapi.MaxPerPage-1)/exportapi.MaxPerPage)) }
	return pages(len(data.Conversations("r3-218210", w.From, w.To))), pages(len(data.Messages("r3-218210", w.From, w.To, "")))
}

// TestThreeReplicasReadOnceThroughRedis: three plugin processes, as three Grafana
// replicas, share one Redis and the simulator at its real rate limit. Each loads
// an 8-panel dashboard over the same settled 2-day window at the same moment:
// the numbers are exact on all three, the API sees the fewest pages (+2) per
// endpoint and not one 429. Then each evaluates the same alert-like query over
// the live last ten minutes at once: one read serves all three.
func TestThreeReplicasReadOnceThroughRedis(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.WaitsLong(t) // its own simulator, Redis and processes
	redis := redistest.Start(t)
	data, limited, url, freeURL := haData(t)
	to := time.Now().Add(-2 * time.Hour).Truncate(15 * time.Minute)
	from := to.Add(-48 * time.Hour)
	qs := dashboard(from, to)
	want := reference(t, freeURL, qs)
	is := instanceSettings(url, map[string]any{"requestsPerSecond": 3, "redisUrl": redis.URL()}, testKey)

	var replicas []*pluginProcess
	for range 3 {
		replicas = append(replicas, startPluginProcess(t, "GF_PLUGIN_STORE_MB=0"))
	}
	got := make([]*backend.QueryDataResponse, len(replicas))
	var wg sync.WaitGroup
	start := time.Now()
	for i, p := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = p.query(t, is, qs)
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	for i, r := range got {
		for ref, resp := range r.Responses {
			t.Logf("replica %c, %s: %v requests, %v cache hits, %v from Redis", 'A'+i, ref, statValue(resp, "Upstream requests"), statValue(resp, "Cache hits (stored segments)"), statValue(resp, "Cache hits from disk or Redis"))
		}
		sameAnswers(t, "replica "+string(rune('A'+i)), answersOf(t, "replica", r), want)
	}
	convPages, msgPages := fewestPages(data, exportapi.Window{From: from, To: to})
	c := limited.Counts()
	t.Logf("3 replicas, 8 panels each: %d+%d requests (fewest %d+%d), %d answered 429, %s wall; the bound for one process is %s",
		c.Conversations, c.Messages, convPages, msgPages, c.RateLimited, wall.Round(time.Millisecond),
		(time.Duration(max(convPages, msgPages)-1) * time.Second / 3).Round(time.Millisecond))
	if c.Conversations > convPages+2 || c.Messages > msgPages+2 || c.RateLimited != 0 {
		t.Fatalf("the replicas together sent %d conversation and %d message requests (fewest %d and %d), %d answered 429",
			c.Conversations, c.Messages, convPages, msgPages, c.RateLimited)
	}

	// The alert rule every replica evaluates: live time, shared for liveReuseSeconds.
	alertTo := time.Now()
	alert := []backend.DataQuery{dataQuery("alert", "conversationVolume", alertTo.Add(-10*time.Minute), alertTo, map[string]any{"bucket": "5m"})}
	wantAlert := reference(t, freeURL, alert)
	before := limited.Counts()
	for i, p := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = p.query(t, is, alert)
		}()
	}
	wg.Wait()
	for i, r := range got {
		sameAnswers(t, "alert on replica "+string(rune('A'+i)), answersOf(t, "replica", r), wantAlert)
	}
	if n := limited.Counts().Conversations - before.Conversations; n != 1 {
		t.Fatalf("the alert query cost %d requests on three replicas, want one read for all", n)
	}
}

// TestARestartedPluginReadsNothingSettledAgain: a plugin process reads a settled
// 7-day range and is killed; a new process on the same store answers the same
// panels exactly without one request, and its health check says so.
func TestARestartedPluginReadsNothingSettledAgain(t *testing.T) {
	testparallel.Waits(t) // its own simulator, Redis and processes
	_, _, _, url := haData(t)
	dir := t.TempDir()
	to := time.Now().Add(-3 * time.Hour)
	from := to.Add(-7 * 24 * time.Hour)
	qs := []backend.DataQuery{
		dataQuery("volume", "conversationVolume", from, to, map[string]any{"bucket": "1h", "groupBy": "locale"}),
		dataQuery("messages", "messageVolume", from, to, map[string]any{"bucket": "1d", "groupBy": "type"}),
		dataQuery("userMessages", "userMessages", from, to, map[string]any{"stat": "avg", "bucket": "6h"}),
	}
	is := instanceSettings(url, nil, testKey)
	first := startPluginProcess(t, "GF_PLUGIN_STORE_DIR="+dir)
	want := answersOf(t, "first process", first.query(t, is, qs))
	first.kill()

	second := startPluginProcess(t, "GF_PLUGIN_STORE_DIR="+dir)
	resp := second.query(t, is, qs)
	sameAnswers(t, "after the restart", answersOf(t, "second process", resp), want)
	for ref, r := range resp.Responses {
		if n := statValue(r, "Upstream requests"); n != 0 {
			t.Errorf("%s: %v upstream requests after the restart, want 0", ref, n)
		}
	}
	if h := second.health(t, is); !strings.Contains(h.Message, "kept in memory and on disk") {
		t.Fatalf("health: %s", h.Message)
	}
}

// statValue reads a query-inspector statistic from a response's first frame.
func statValue(r backend.DataResponse, name string) float64 {
	for _, f := range r.Frames {
		if f.Meta == nil {
			continue
		}
		for _, s := range f.Meta.Stats {
			if s.DisplayName == name {
				return s.Value
			}
		}
	}
	return -1
}

// TestRedisDyingMidExportDegrades kills redis-server while an export paced by it
// runs: the query still answers, exactly, without hanging, and says that Redis
// went away; when Redis is back the health check reports shared mode again.
func TestRedisDyingMidExportDegrades(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.WaitsLong(t) // its own simulator, Redis and processes
	redis := redistest.Start(t)
	_, limited, url, freeURL := haData(t)
	to := time.Now().Add(-2 * time.Hour).Truncate(15 * time.Minute)
	from := to.Add(-40 * time.Hour) // about 10 pages of messages: 3 s at the rate limit
	qs := []backend.DataQuery{
		dataQuery("messages", "messageVolume", from, to, map[string]any{"groupBy": "type", "bucket": "1h"}),
		dataQuery("volume", "conversationVolume", from, to, map[string]any{"bucket": "1h"}),
	}
	want := reference(t, freeURL, qs)
	inst, err := Factory(Options{Cache: fetch.NewCache(DefaultCacheBytes), Flights: fetch.NewFlights()})(t.Context(),
		instanceSettings(url, map[string]any{"requestsPerSecond": 3, "redisUrl": redis.URL(), "expectedReplicas": 2}, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)
	if h, _ := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{}); !strings.Contains(h.Message, "kept in memory and in Redis") {
		t.Fatalf("health with Redis up: %s", h.Message)
	}

	done := make(chan *backend.QueryDataResponse, 1)
	go func() {
		resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{Queries: qs})
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	for limited.Counts().Messages < 3 {
		time.Sleep(10 * time.Millisecond)
	}
	redis.Kill()
	var resp *backend.QueryDataResponse
	select {
	case resp = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the query hung after Redis died")
	}
	sameAnswers(t, "with Redis killed mid-export", answersOf(t, "degraded", resp), want)
	warned, paced := false, false
	for _, r := range resp.Responses {
		for _, f := range r.Frames {
			for _, n := range f.Meta.Notices {
				warned = warned || strings.Contains(n.Text, "Redis")
				// The figure is the limiter's own: 3 per second ÷ 2 replicas.
				paced = paced || strings.Contains(n.Text, "paced its requests at 1.5 per second")
			}
		}
	}
	if !warned {
		t.Fatal("no notice said that Redis was unavailable")
	}
	if !paced {
		t.Fatal("no notice said the rate this replica kept to without Redis")
	}
	if h, _ := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{}); !strings.Contains(h.Message, "Warning: Shared cache") {
		t.Fatalf("health with Redis down: %s", h.Message)
	}

	// Once Redis is back, health says so: asked until it does, within a
	// minute, since on a busy machine the first call to the restarted
	// redis-server can outlast the bound on one Redis call.
	redis.Start(t)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		h, _ := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
		if strings.Contains(h.Message, "kept in memory and in Redis") && !strings.Contains(h.Message, "Warning") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health a minute after Redis is back: %s", h.Message)
		}
	}
}
