// Command bench measures what the plugin costs against the simulated Export API at
// its real rate limit: upstream requests against the fewest pages possible, cold
// wall time against the rate-limit bound at two latencies, the cost of a repeat
// and of a refresh a minute later, records per CPU-second and peak memory while
// counting a million conversations; with -month, what a month of a busy bot
// costs when its history is larger than memory.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/plugin"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

const (
	apiKey = "bench-key"
	bot    = "bench-bot"
	rps    = 3.0
)

func main() {
	var (
		perHour     = flag.Float64("per-hour", 300, "mean conversations per hour of the benchmark bot")
		ranges      = flag.String("ranges", "2d,7d,30d", "time ranges to measure")
		msgRanges   = flag.String("message-ranges", "2d,7d", "ranges whose messages endpoint is measured too (a month of messages takes long at 3 requests/s)")
		skipMemory  = flag.Bool("skip-memory", false, "skip the million-conversation memory measurement")
		serveSim    = flag.String("serve-simulator", "", "internal: serve a simulator on this address")
		simPerHour  = flag.Float64("sim-per-hour", 0, "internal: simulator volume")
		measureMem  = flag.String("measure-memory", "", "internal: count conversations from this simulator URL and report memory")
		cacheMB     = flag.Int("cache-mb", 0, "internal: cache budget of the memory measurement")
		memDuration = flag.Duration("memory-range", 30*24*time.Hour, "internal: range of the memory measurement")
		historyOnly = flag.Bool("history-only", false, "measure only replicas, restarts and refreshes hours later (about 5 minutes)")
		coldOnly    = flag.Bool("cold-only", false, "measure only one cold panel per endpoint and range at 300 ms and 1 s latency")
		syncOnly    = flag.Bool("sync-only", false, "measure only the background sync, progressive answers and cold reads at 1 s (about 8 minutes)")

		month        = flag.Bool("month", false, "measure only a month of a bot with 30,000 conversations a day: memory per record, warm and disk CPU, refreshes and peak RSS after a restart")
		monthDays    = flag.String("month-days", "3,9,30", "days of the month measurement, each its own run (1×, 3×, 10× the records)")
		monthPerHr   = flag.Float64("month-per-hour", monthPerHour, "mean conversations per hour of the month's bot")
		monthEndAt   = flag.String("month-end", monthEnd, "the month's frozen clock (RFC 3339)")
		monthCold    = flag.Bool("month-cold-fill", false, "the month measurement also fills a store with the default budget, as a first dashboard does, and restarts on it (minutes more at 30 days)")
		monthStoreMB = flag.Int("month-store-mb", plugin.DefaultStoreBytes>>20, "disk store budget of the month measurement, in MB")
		monthServe   = flag.String("month-serve-simulator", "", "internal: serve the month's simulator on this address")
		monthSimDays = flag.Int("month-sim-days", 31, "internal: days of the month's simulator")
		monthChild   = flag.String("month-child", "", "internal: run one scenario of the month measurement")
		monthURL     = flag.String("month-url", "", "internal: the month's simulator")
		monthFrom    = flag.String("month-from", "", "internal: start of the month scenario's range (RFC 3339)")
		monthTo      = flag.String("month-to", "", "internal: end of the month scenario's range (RFC 3339)")
		monthStore   = flag.String("month-store", "", "internal: the month's disk store directory")
		monthRecs    = flag.String("month-records", "", "internal: conversations,messages in the month scenario's range")
	)
	flag.Parse()
	switch {
	case *serveSim != "":
		serveSimulator(*serveSim, *simPerHour)
		return
	case *measureMem != "":
		measureMemory(*measureMem, *cacheMB, *memDuration)
		return
	case *monthServe != "":
		serveMonthSimulator(*monthServe, *monthPerHr, *monthSimDays, parseTime(*monthEndAt))
		return
	case *monthChild != "":
		runMonthChild(monthChildArgs{Scenario: *monthChild, URL: *monthURL, From: parseTime(*monthFrom), To: parseTime(*monthTo),
			Now: parseTime(*monthEndAt), StoreDir: *monthStore, StoreMB: *monthStoreMB, Records: parseRecords(*monthRecs)})
		return
	case *month:
		fmt.Println("AgentX plugin benchmark: a month of a busy bot")
		monthReport(monthConfig{days: parseDays(*monthDays), perHour: *monthPerHr, end: parseTime(*monthEndAt), storeMB: *monthStoreMB,
			coldFill: *monthCold})
		return
	}

	fmt.Printf("AgentX plugin benchmark: %.0f conversations/hour, %.0f requests/s per endpoint, 1000 records per page\n\n", *perHour, rps)
	if *historyOnly {
		historyReport()
		return
	}
	if *syncOnly {
		syncReport()
		return
	}
	if *coldOnly {
		for _, r := range strings.Split(*ranges, ",") {
			if d, err := parseRange(r); err == nil {
				coldOnlyRange(r, d, *perHour)
			}
		}
		return
	}
	for _, r := range strings.Split(*ranges, ",") {
		if r == "" {
			continue
		}
		d, err := parseRange(r)
		if err != nil {
			log.Fatal(err)
		}
		measureRange(r, d, *perHour, strings.Contains(","+*msgRanges+",", ","+r+","))
	}
	longRanges()
	historyReport()
	syncReport()
	if !*skipMemory {
		memoryReport()
	}
}

// longRanges reads a conversations table over years of which only the last week
// holds records: what it costs must follow the records, not the range.
func longRanges() {
	fmt.Println("== long ranges over one week of records (300 conversations/hour, no latency)")
	r := newRig(300, 7)
	r.fresh()
	for _, years := range []int{1, 10, 54} {
		to := r.clock()
		from := to.AddDate(-years, 0, 0)
		before := r.sim.Counts()
		var ms, ms0 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		start := time.Now()
		q := backend.DataQuery{RefID: "A", QueryType: "conversations", JSON: []byte(`{"limit":5}`), TimeRange: backend.TimeRange{From: from, To: to}}
		ask(r.inst, q)
		wall := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		spent := r.spent(before)
		st := r.cache.Stats()
		fmt.Printf("  %2d years: %5.2fs, %d requests, heap %+.1f MB, cache %d segments (%.1f MB)\n", years, wall.Seconds(),
			spent.Conversations, float64(int64(ms.HeapAlloc)-int64(ms0.HeapAlloc))/(1<<20), st.Segments, float64(st.Bytes)/(1<<20))
	}
	fmt.Println()
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		log.Fatal(err)
	}
	return t.UTC()
}

func parseRange(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		return time.Duration(n) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

// rig is a simulator and a plugin sharing one movable clock.
type rig struct {
	sim   *simulator.Server
	url   string
	mu    sync.Mutex
	now   time.Time
	inst  *plugin.Datasource
	cache *fetch.Cache
}

func (r *rig) clock() time.Time { r.mu.Lock(); defer r.mu.Unlock(); return r.now }
func (r *rig) advance(d time.Duration) {
	r.mu.Lock()
	r.now = r.now.Add(d)
	r.mu.Unlock()
}

func newRig(perHour float64, days int) *rig {
	r := &rig{now: time.Now().UTC()}
	data := simulator.NewDataset(simulator.Config{Bots: []string{bot}, Days: days, PerHour: perHour, Seed: 42, Now: r.clock})
	r.sim = simulator.NewServer(data, simulator.ServerConfig{APIKey: apiKey, RequestsPerSecond: rps})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = http.Serve(ln, r.sim) }()
	r.url = "http://" + ln.Addr().String()
	return r
}

// fresh gives the rig a new plugin instance with an empty cache and no history:
// a cold start.
func (r *rig) fresh() {
	// The old instance goes first, so the shared limiter forgets what it measured.
	if r.inst != nil {
		r.inst.Dispose()
	}
	r.cache = fetch.NewCache(plugin.DefaultCacheBytes)
	factory := plugin.Factory(plugin.Options{Cache: r.cache, Flights: fetch.NewFlights(), Now: r.clock})
	jd, _ := json.Marshal(map[string]any{"baseUrl": r.url, "defaultBot": bot, "requestsPerSecond": rps, "timeoutSeconds": 60, "syncDays": 0, "responseSeconds": 600})
	inst, err := factory(context.Background(), backend.DataSourceInstanceSettings{UID: "bench", JSONData: jd,
		DecryptedSecureJSONData: map[string]string{"apiKey": apiKey}})
	if err != nil {
		log.Fatal(err)
	}
	r.inst = inst.(*plugin.Datasource)
}

// ask sends one request to the plugin, as Grafana would, and stops the benchmark
// on any error: a figure measured on a failed query would mean nothing.
func ask(d *plugin.Datasource, qs ...backend.DataQuery) *backend.QueryDataResponse {
	resp, err := d.QueryData(context.Background(), &backend.QueryDataRequest{Queries: qs})
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range qs {
		if e := resp.Responses[q.RefID].Error; e != nil {
			log.Fatalf("%s: %v", q.QueryType, e)
		}
	}
	return resp
}

// spent is what the simulator was asked since before.
func (r *rig) spent(before simulator.Counts) simulator.Counts {
	after := r.sim.Counts()
	return simulator.Counts{Conversations: after.Conversations - before.Conversations, Messages: after.Messages - before.Messages,
		RateLimited: after.RateLimited - before.RateLimited}
}

type panel struct {
	queryType string
	model     string
}

// dashboard is eight panels an ops team would put on one board.
var dashboard = []panel{
	{"conversationVolume", `{"groupBy":"tag"}`},
	{"tagRate", `{"tag":"resolved"}`},
	{"tagRate", `{"tag":"liveChat","groupBy":"locale"}`},
	{"conversationCounts", `{"groupBy":"locale"}`},
	{"userMessages", `{"stat":"avg"}`},
	{"userMessages", `{"stat":"p90"}`},
	{"userMessageHistogram", `{}`},
	{"messageVolume", `{"groupBy":"type"}`},
}

// runPanels sends each panel as its own request, all at once, as a browser does.
func (r *rig) runPanels(panels []panel, span time.Duration) (time.Duration, simulator.Counts) {
	return r.runPanelsUntil(panels, span, r.clock())
}

func (r *rig) runPanelsUntil(panels []panel, span time.Duration, to time.Time) (time.Duration, simulator.Counts) {
	before := r.sim.Counts()
	from := to.Add(-span)
	start := time.Now()
	var wg sync.WaitGroup
	for i, p := range panels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := backend.DataQuery{RefID: fmt.Sprint(i), QueryType: p.queryType, JSON: []byte(p.model),
				TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Minute, MaxDataPoints: 1000}
			ask(r.inst, q)
		}()
	}
	wg.Wait()
	return time.Since(start), r.spent(before)
}

// runStaggered sends eight panels, each reading conversation and message volume
// over the same range, gap apart, as a dashboard whose panels arrive one by one.
// It returns when the upstream requests ended and when the last panel answered.
func (r *rig) runStaggered(span, gap time.Duration) (exports, last time.Duration, c simulator.Counts) {
	before := r.sim.Counts()
	to := r.clock()
	from := to.Add(-span)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * gap)
			var qs []backend.DataQuery
			for j, p := range []panel{{"conversationVolume", `{"groupBy":"tag"}`}, {"messageVolume", `{"groupBy":"type"}`}} {
				qs = append(qs, backend.DataQuery{RefID: fmt.Sprint(j), QueryType: p.queryType, JSON: []byte(p.model),
					TimeRange: backend.TimeRange{From: from, To: to}, Interval: time.Minute, MaxDataPoints: 1000})
			}
			ask(r.inst, qs...)
		}()
	}
	wg.Wait()
	last = time.Since(start)
	return r.sim.LastAnswerAt().Sub(start), last, r.spent(before)
}

func pages(n int) int { return int(math.Ceil(float64(n) / 1000)) }

// coldOnlyRange reads one panel per endpoint cold, in a fresh process with
// nothing measured, at 300 ms and 1 s latency.
func coldOnlyRange(name string, span time.Duration, perHour float64) {
	r := newRig(perHour, int(span.Hours()/24)+2)
	to := r.clock()
	minC := pages(len(r.sim.Dataset().Conversations(bot, to.Add(-span), to)))
	minM := pages(len(r.sim.Dataset().Messages(bot, to.Add(-span), to, "")))
	for _, latency := range []time.Duration{300 * time.Millisecond, time.Second} {
		r.sim.SetFaults(simulator.Faults{Latency: latency})
		for _, p := range []struct {
			panel panel
			min   int
		}{{panel{"conversationVolume", `{}`}, minC}, {panel{"messageVolume", `{}`}, minM}} {
			r.fresh()
			wall, c := r.runPanels([]panel{p.panel}, span)
			bound := float64(p.min) / rps
			fmt.Printf("  %s cold, %5s latency, %-18s %4d requests (min %d), %6.1fs = %.2f × bound %.1fs (%.2f × with one round trip)\n",
				name, latency, p.panel.queryType, c.Conversations+c.Messages, p.min, wall.Seconds(), wall.Seconds()/bound, bound,
				wall.Seconds()/(bound+latency.Seconds()))
		}
	}
}

func measureRange(name string, span time.Duration, perHour float64, withMessages bool) {
	r := newRig(perHour, int(span.Hours()/24)+2)
	to := r.clock()
	from := to.Add(-span)
	convs := len(r.sim.Dataset().Conversations(bot, from, to))
	msgs := 0
	if withMessages {
		msgs = len(r.sim.Dataset().Messages(bot, from, to, ""))
	}
	minC, minM := pages(convs), pages(msgs)
	fmt.Printf("== %s: %d conversations (min %d pages)", name, convs, minC)
	if withMessages {
		fmt.Printf(", %d messages (min %d pages)", msgs, minM)
	}
	fmt.Println()

	convPanel := []panel{{"conversationVolume", `{}`}}
	for _, latency := range []time.Duration{300 * time.Millisecond, time.Second} {
		r.sim.SetFaults(simulator.Faults{Latency: latency})
		r.fresh()
		wall, c := r.runPanels(convPanel, span)
		bound := time.Duration(float64(minC) / rps * float64(time.Second))
		fmt.Printf("  cold, 1 panel, %5s latency: conversations %4d requests (min %d), %6.1fs = %.2f × bound %.1fs\n",
			latency, c.Conversations, minC, wall.Seconds(), wall.Seconds()/bound.Seconds(), bound.Seconds())
		if withMessages {
			r.fresh()
			wall, c = r.runPanels([]panel{{"messageVolume", `{}`}}, span)
			bound = time.Duration(float64(minM) / rps * float64(time.Second))
			fmt.Printf("  cold, 1 panel, %5s latency: messages      %4d requests (min %d), %6.1fs = %.2f × bound %.1fs\n",
				latency, c.Messages, minM, wall.Seconds(), wall.Seconds()/bound.Seconds(), bound.Seconds())
		}
	}

	r.sim.SetFaults(simulator.Faults{Latency: 300 * time.Millisecond})
	board := dashboard
	if !withMessages {
		board = dashboard[:7]
	}
	r.fresh()
	wall, c := r.runPanels(board, span)
	bound := time.Duration(float64(max(minC, minM)) / rps * float64(time.Second))
	fmt.Printf("  cold, %d panels at once:   conversations %4d requests (min %d)", len(board), c.Conversations, minC)
	if withMessages {
		fmt.Printf(", messages %4d (min %d)", c.Messages, minM)
	}
	fmt.Printf(", %.1fs = %.2f × the slower endpoint's bound %.1fs, %d answered 429\n", wall.Seconds(), wall.Seconds()/bound.Seconds(), bound.Seconds(), c.RateLimited)
	if withMessages {
		for _, gap := range []time.Duration{0, 200 * time.Millisecond, time.Second} {
			r.fresh()
			wall, last, c := r.runStaggered(span, gap)
			fmt.Printf("  8 panels %6s apart:     conversations %4d requests (min %d), messages %4d (min %d), last answer %.1fs, export %.1fs, %d answered 429\n",
				gap, c.Conversations, minC, c.Messages, minM, last.Seconds(), wall.Seconds(), c.RateLimited)
		}
	}
	_, c = r.runPanels(board, span)
	fmt.Printf("  repeat at once:           conversations %4d requests, messages %d\n", c.Conversations, c.Messages)
	r.advance(time.Minute)
	_, c = r.runPanels(board, span)
	fmt.Printf("  refresh a minute later:   conversations %4d requests, messages %d\n", c.Conversations, c.Messages)
	// A range that ended two hours ago is settled throughout; the first read above
	// already cached it.
	end := r.clock().Add(-2 * time.Hour)
	_, c = r.runPanelsUntil(board, span-2*time.Hour, end)
	fmt.Printf("  repeat of a settled range: conversations %d requests, messages %d\n", c.Conversations, c.Messages)
	st := r.cache.Stats()
	fmt.Printf("  cache: %d segments, %.1f MB of %.0f MB\n\n", st.Segments, float64(st.Bytes)/(1<<20), float64(st.Budget)/(1<<20))
}

// serveSimulator is the child process that serves the million conversations.
func serveSimulator(addr string, perHour float64) {
	data := simulator.NewDataset(simulator.Config{Bots: []string{bot}, Days: 31, PerHour: perHour, Seed: 7})
	srv := simulator.NewServer(data, simulator.ServerConfig{APIKey: apiKey, RequestsPerSecond: -1})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ready http://" + ln.Addr().String())
	log.Fatal(http.Serve(ln, srv))
}

// memoryReport runs the million-conversation count in child processes, with the
// cache off and on, so each peak RSS is the plugin side's alone.
func memoryReport() {
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	// About 1M conversations over 30 days: the simulator's daily and weekly shape
	// averages 0.756 of PerHour.
	sim := exec.Command(self, "-serve-simulator", "127.0.0.1:0", "-sim-per-hour", "1840")
	out, err := sim.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	sim.Stderr = os.Stderr
	if err := sim.Start(); err != nil {
		log.Fatal(err)
	}
	defer func() { _ = sim.Process.Kill() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		log.Fatal(err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "ready "))
	fmt.Println("== counting a month of about a million conversations (no rate limit, plugin in its own process)")
	for _, mb := range []int{0, plugin.DefaultCacheBytes >> 20} {
		cmd := exec.Command(self, "-measure-memory", url, "-cache-mb", strconv.Itoa(mb))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			log.Fatal(err)
		}
	}
}

// measureMemory counts conversations per hour over the range, as a dashboard panel
// would, and reports records per CPU-second and the peak resident memory.
func measureMemory(url string, cacheMB int, span time.Duration) {
	_ = os.Setenv("GF_PLUGIN_CACHE_MB", strconv.Itoa(cacheMB))
	plugin.ApplyMemoryLimit() // as the plugin binary does
	cacheMinutes := 60
	if cacheMB == 0 {
		cacheMinutes = 0
	}
	factory := plugin.Factory(plugin.Options{Cache: fetch.NewCache(int64(cacheMB) << 20), Flights: fetch.NewFlights()})
	jd, _ := json.Marshal(map[string]any{"baseUrl": url, "defaultBot": bot, "requestsPerSecond": 100, "cacheMinutes": cacheMinutes, "syncDays": 0, "responseSeconds": 600,
		"timeoutSeconds": 60, "maxRecords": 2_000_000})
	inst, err := factory(context.Background(), backend.DataSourceInstanceSettings{UID: "mem", JSONData: jd,
		DecryptedSecureJSONData: map[string]string{"apiKey": apiKey}})
	if err != nil {
		log.Fatal(err)
	}
	d := inst.(*plugin.Datasource)
	to := time.Now()
	q := backend.DataQuery{RefID: "A", QueryType: "conversationVolume", JSON: []byte(`{"groupBy":"tag","bucket":"1h"}`),
		TimeRange: backend.TimeRange{From: to.Add(-span), To: to}}
	if path := os.Getenv("AGENTX_BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			log.Fatal(err)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	cpuBefore := cpuTime()
	start := time.Now()
	r := ask(d, q).Responses["A"]
	wall, cpu := time.Since(start), cpuTime()-cpuBefore
	records := 0.0
	for _, s := range r.Frames[0].Meta.Stats {
		if s.DisplayName == "Records read" {
			records = s.Value
		}
	}
	label := "cache off"
	if cacheMB > 0 {
		label = fmt.Sprintf("cache %d MB", cacheMB)
	}
	fmt.Printf("  %-12s %.0f conversations in %.1fs; %.0f records per CPU-second; peak RSS %d MB\n",
		label, records, wall.Seconds(), records/cpu.Seconds(), peakRSSMB())
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSMB reads the kernel's high-water mark of this process's resident memory.
func peakRSSMB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return kb / 1024
		}
	}
	return -1
}
