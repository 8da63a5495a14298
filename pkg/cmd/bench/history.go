package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/plugin"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// replica is one simulated Grafana server: a plugin process's cache, flights,
// limiters and disk of its own, on the rig's clock.
type replica struct {
	inst  *plugin.Datasource
	cache *fetch.Cache
	disk  *diskcache.Store
}

func (r *rig) replica(redisURL, storeDir string) *replica {
	rep := &replica{cache: fetch.NewCache(plugin.DefaultCacheBytes)}
	opts := plugin.Options{Cache: rep.cache, Flights: fetch.NewFlights(), Limiters: &exportapi.LimiterPool{}, Now: r.clock}
	if storeDir != "" {
		rep.disk = diskcache.Open(storeDir, plugin.DefaultStoreBytes, quietLogger{})
		opts.Disk = rep.disk
	}
	settings := map[string]any{"baseUrl": r.url, "defaultBot": bot, "requestsPerSecond": rps, "timeoutSeconds": 60, "syncDays": 0, "responseSeconds": 600}
	if redisURL != "" {
		settings["redisUrl"] = redisURL
	}
	jd, _ := json.Marshal(settings)
	inst, err := plugin.Factory(opts)(context.Background(), backend.DataSourceInstanceSettings{UID: "bench", JSONData: jd,
		DecryptedSecureJSONData: map[string]string{"apiKey": apiKey}})
	if err != nil {
		log.Fatal(err)
	}
	rep.inst = inst.(*plugin.Datasource)
	return rep
}

// stop ends the replica as a restart would: its memory is gone, its disk stays.
func (rep *replica) stop() {
	rep.inst.Dispose()
	if rep.disk != nil {
		_ = rep.disk.Close()
	}
}

type quietLogger struct{}

func (quietLogger) Warn(string, ...any) {}

// load sends the dashboard's panels at once to every replica and returns the
// wall time until the last answered.
func (r *rig) load(reps []*replica, span time.Duration, to time.Time) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	for _, rep := range reps {
		for i, p := range dashboard {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q := backend.DataQuery{RefID: fmt.Sprint(i), QueryType: p.queryType, JSON: []byte(p.model),
					TimeRange: backend.TimeRange{From: to.Add(-span), To: to}, Interval: time.Minute, MaxDataPoints: 1000}
				ask(rep.inst, q)
			}()
		}
	}
	wg.Wait()
	return time.Since(start)
}

// historyReport measures what history costs beyond one process: replicas that
// share a Redis, a restart on the disk cache, a refresh hours later, and what a
// cached record weighs.
func historyReport() {
	const perHour = 300
	fmt.Println("== history paid once (300 conversations/hour, 300 ms latency, the API's rate limit)")
	r := newRig(perHour, 9)
	r.sim.SetFaults(simulator.Faults{Latency: 300 * time.Millisecond})
	redisURL, stopRedis := startRedisServer()
	defer stopRedis()

	span := 48 * time.Hour
	to := r.clock()
	convs := len(r.sim.Dataset().Conversations(bot, to.Add(-span), to))
	msgs := len(r.sim.Dataset().Messages(bot, to.Add(-span), to, ""))
	bound := time.Duration(float64(max(pages(convs), pages(msgs))) / rps * float64(time.Second))
	for _, n := range []int{1, 3} {
		if redisURL == "" {
			fmt.Println("  replicas: redis-server is not installed; skipped")
			break
		}
		var reps []*replica
		for range n {
			reps = append(reps, r.replica(redisURL, ""))
		}
		before := r.sim.Counts()
		wall := r.load(reps, span, to)
		c := r.spent(before)
		fmt.Printf("  %d replica(s) sharing Redis, 8 panels each over 2 days: conversations %d requests (fewest %d), messages %d (fewest %d), %.1fs = %.2f × the one-process bound %.1fs, %d answered 429\n",
			n, c.Conversations, pages(convs), c.Messages, pages(msgs), wall.Seconds(), wall.Seconds()/bound.Seconds(), bound.Seconds(), c.RateLimited)
		for _, rep := range reps {
			rep.stop()
		}
		flushRedis(redisURL)
	}

	// A week read by one process, then a restart on the same disk.
	dir, err := os.MkdirTemp("", "agentx-bench-store")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	week := 7 * 24 * time.Hour
	first := r.replica("", dir)
	before := r.sim.Counts()
	wall := r.load([]*replica{first}, week, to)
	c := r.spent(before)
	fmt.Printf("  7 days cold, 8 panels: conversations %d requests, messages %d, %.1fs\n", c.Conversations, c.Messages, wall.Seconds())
	first.stop()

	second := r.replica("", dir)
	before = r.sim.Counts()
	r.load([]*replica{second}, week-2*time.Hour, to.Add(-2*time.Hour))
	c = r.spent(before)
	fmt.Printf("  after a restart, the settled 7 days: conversations %d requests, messages %d\n", c.Conversations, c.Messages)
	before = r.sim.Counts()
	r.load([]*replica{second}, week, to)
	c = r.spent(before)
	fmt.Printf("  after a restart, 7 days to now: conversations %d requests, messages %d (the live hour)\n", c.Conversations, c.Messages)

	// Two hours later: only what is younger than finalHours is read again.
	r.advance(2 * time.Hour)
	now := r.clock()
	dayC := len(r.sim.Dataset().Conversations(bot, now.Add(-24*time.Hour), now))
	dayM := len(r.sim.Dataset().Messages(bot, now.Add(-24*time.Hour), now, ""))
	before = r.sim.Counts()
	r.load([]*replica{second}, week, now)
	c = r.spent(before)
	fmt.Printf("  refresh two hours later, 7 days: conversations %d requests (last 24 hours: %d pages), messages %d (%d pages)\n",
		c.Conversations, pages(dayC), c.Messages, pages(dayM))
	second.stop()

	weighRecords(r, week)
	fmt.Println()
}

// weighRecords reads a settled week of each endpoint into an empty memory cache
// and disk, and divides what each holds by the records.
func weighRecords(r *rig, week time.Duration) {
	to := r.clock().Add(-2 * time.Hour)
	for _, ep := range []struct {
		name, queryType string
		count           func() int
	}{
		{"conversation", "conversationVolume", func() int { return len(r.sim.Dataset().Conversations(bot, to.Add(-week), to)) }},
		{"message", "messageVolume", func() int { return len(r.sim.Dataset().Messages(bot, to.Add(-week), to, "")) }},
	} {
		dir, err := os.MkdirTemp("", "agentx-bench-weigh")
		if err != nil {
			log.Fatal(err)
		}
		rep := r.replica("", dir)
		ask(rep.inst, backend.DataQuery{RefID: "A", QueryType: ep.queryType, JSON: []byte(`{}`),
			TimeRange: backend.TimeRange{From: to.Add(-week), To: to}, Interval: time.Minute, MaxDataPoints: 1000})
		n := float64(ep.count())
		mem, disk := rep.cache.Stats(), rep.disk.Status()
		file, _ := os.Stat(filepath.Join(dir, diskcache.FileName))
		fmt.Printf("  bytes per cached %s: %.0f in memory, %.0f on disk (values; the file holds %.0f)\n",
			ep.name, float64(mem.Bytes)/n, float64(disk.Bytes)/n, float64(file.Size())/n)
		rep.stop()
		_ = os.RemoveAll(dir)
	}
}

// startRedisServer runs a redis-server on a free port of 127.0.0.1; "" when
// none is installed.
func startRedisServer() (string, func()) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return "", func() {}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for range 500 {
		if c, err := net.Dial("tcp", addr); err == nil {
			_ = c.Close()
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "redis://" + addr + "/0", func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
}

// flushRedis empties Redis between runs, so each starts cold.
func flushRedis(url string) {
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "redis://"), "/0")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte("FLUSHALL\r\n"))
	_, _ = bufio.NewReader(c).ReadString('\n')
}
