package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	sdklog "github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/plugin"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// monthBatch is the 7-panel dashboard the month's goals are measured on.
var monthBatch = []panel{
	{"conversationVolume", `{"groupBy":"tag"}`},
	{"tagRate", `{"tag":"liveChat","groupBy":"locale"}`},
	{"userMessages", `{"stat":"p90"}`},
	{"conversationCounts", `{"groupBy":"metadata","metadataKey":"channel"}`},
	{"conversationDuration", `{"stat":"p50"}`},
	{"messageVolume", `{"groupBy":"type"}`},
	{"userMessageHistogram", `{}`},
}

// The scenarios a child process of the month runs, one each, so that its peak
// RSS is the scenario's own.
const (
	scenarioWarm = "warm" // fill memory with everything, then the batch from memory
	// scenarioWarmStore is scenarioWarm with a disk store that the fill fills: a
	// store filled with the default budget holds only what memory kept of the read.
	scenarioWarmStore = "warm-store"
	// scenarioColdStore is the batch cold with the default budget into an empty
	// store: what a first dashboard leaves on disk.
	scenarioColdStore = "cold-store"
	scenarioDisk      = "disk"    // the batch from the store with a 16 MB memory cache
	scenarioRestart   = "restart" // the batch and 3 refreshes from the store with the default budget
)

// monthChildArgs are what the parent tells a child.
type monthChildArgs struct {
	Scenario string
	URL      string
	From, To time.Time // the dashboard's range
	Now      time.Time // the frozen clock of the simulator and the plugin
	StoreDir string
	StoreMB  int
	Records  monthRecords // what the range holds, as the simulator counted
}

// typeFigure is one query type's cost.
type typeFigure struct {
	Panel    string
	Records  int64
	CPU      time.Duration
	Requests int64
}

// monthResult is what a child reports to the parent, as one JSON line.
type monthResult struct {
	Scenario string
	Records  monthRecords // in the range

	// warm: what the memory tier holds per record, measured after a GC.
	HeapPerConv, HeapPerMsg, HeapPerRecord float64
	RSSPerConv, RSSPerMsg, RSSPerRecord    float64
	CachePerRecord                         float64 // the cache's own estimate
	Evicted                                int64

	// Per type, one at a time, and the batch at once (the best of its runs).
	Types        []typeFigure
	BatchRecords int64
	BatchCPU     time.Duration
	BatchWall    time.Duration

	// Upstream requests of each batch the scenario sent (store: the cold fill;
	// restart: the first after the restart, then the refreshes).
	BatchRequests []int64
	BatchCPUs     []time.Duration

	// warm-store: what the disk holds.
	FileBytes, ValueBytes int64
	StoreSegments         int

	PeakRSSMB int
	// The kernel keeps no high-water mark of anonymous memory alone; a sampler
	// does. VmHWM also counts the store's file pages that bbolt's mmap touched,
	// which the kernel can drop at will.
	PeakAnonMB, PeakFileMB int
}

const resultPrefix = "RESULT "

func runMonthChild(a monthChildArgs) {
	// The plugin logs every query at debug level: thousands of lines between the figures.
	backend.Logger = sdklog.NewWithLevel(sdklog.Warn)
	res := monthResult{Scenario: a.Scenario, Records: a.Records}
	stopSampling := sampleRSS(&res)
	switch a.Scenario {
	case scenarioWarm, scenarioWarmStore:
		monthWarm(a, &res)
	case scenarioColdStore:
		monthColdStore(a, &res)
	case scenarioDisk:
		monthDisk(a, &res)
	case scenarioRestart:
		monthRestart(a, &res)
	default:
		log.Fatalf("unknown scenario %q", a.Scenario)
	}
	stopSampling()
	res.PeakRSSMB = peakRSSMB()
	b, _ := json.Marshal(res)
	fmt.Println(resultPrefix + string(b))
}

// monthPlugin is one plugin process's data source for the month: the simulator's
// frozen clock, no rate limit worth the name (100 requests/s, the most a setting
// allows) and no record limit.
type monthPlugin struct {
	inst  *plugin.Datasource
	cache *fetch.Cache
	disk  *diskcache.Store
}

func newMonthPlugin(a monthChildArgs, cacheBytes int64, withDisk bool) *monthPlugin {
	p := &monthPlugin{cache: fetch.NewCache(cacheBytes)}
	opts := plugin.Options{Cache: p.cache, Flights: fetch.NewFlights(), Limiters: &exportapi.LimiterPool{},
		Now: func() time.Time { return a.Now }}
	if withDisk {
		p.disk = diskcache.Open(a.StoreDir, int64(a.StoreMB)<<20, quietLogger{})
		opts.Disk = p.disk
	}
	jd, _ := json.Marshal(map[string]any{"baseUrl": a.URL, "defaultBot": bot, "requestsPerSecond": 100, "timeoutSeconds": 60,
		"syncDays": 0, "responseSeconds": 600, "maxRecords": 1_000_000_000})
	inst, err := plugin.Factory(opts)(context.Background(), backend.DataSourceInstanceSettings{UID: "month", Type: plugin.PluginID, JSONData: jd,
		DecryptedSecureJSONData: map[string]string{"apiKey": apiKey}})
	if err != nil {
		log.Fatal(err)
	}
	p.inst = inst.(*plugin.Datasource)
	return p
}

func (p *monthPlugin) stop() {
	p.inst.Dispose()
	if p.disk != nil {
		_ = p.disk.Close()
	}
}

func monthQuery(i int, pn panel, a monthChildArgs) backend.DataQuery {
	return backend.DataQuery{RefID: fmt.Sprint(i), QueryType: pn.queryType, JSON: []byte(pn.model),
		TimeRange: backend.TimeRange{From: a.From, To: a.To}, Interval: time.Hour, MaxDataPoints: 1000}
}

// recordsOf is how many records a panel aggregates over the range.
func recordsOf(pn panel, n monthRecords) int64 {
	spec, _ := query.Lookup(query.Type(pn.queryType))
	if spec.Reads == "messages" {
		return int64(n.Messages)
	}
	return int64(n.Conversations)
}

// one sends one panel and returns its CPU time and upstream requests.
func (p *monthPlugin) one(a monthChildArgs, pn panel) (time.Duration, int64) {
	before := simCounts(a.URL)
	cpu0 := cpuTime()
	ask(p.inst, monthQuery(0, pn, a))
	return cpuTime() - cpu0, requestsSince(a.URL, before)
}

// batch sends the panels at once, as a browser does, and returns the CPU time,
// the wall time and the upstream requests.
func (p *monthPlugin) batch(a monthChildArgs) (cpu, wall time.Duration, requests int64) {
	before := simCounts(a.URL)
	cpu0, start := cpuTime(), time.Now()
	var wg sync.WaitGroup
	for i, pn := range monthBatch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ask(p.inst, monthQuery(i, pn, a))
		}()
	}
	wg.Wait()
	return cpuTime() - cpu0, time.Since(start), requestsSince(a.URL, before)
}

func batchRecords(n monthRecords) int64 {
	var sum int64
	for _, pn := range monthBatch {
		sum += recordsOf(pn, n)
	}
	return sum
}

// heldMemory is the live heap and the anonymous resident set (the store's
// file-backed pages left out) after a full GC that returns what it freed to the system.
func heldMemory() (heap, rss int64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc), statusKB("RssAnon") << 10
}

// monthWarm fills a memory cache large enough for everything (no soft memory
// limit: the budget is not what is measured), weighs what it holds, then answers
// the batch from memory: each type alone and the batch at once, each the best of 3.
func monthWarm(a monthChildArgs, res *monthResult) {
	p := newMonthPlugin(a, 1<<40, a.Scenario == scenarioWarmStore)
	defer p.stop()
	n := res.Records
	heap0, rss0 := heldMemory()
	ask(p.inst, monthQuery(0, panel{"conversationVolume", `{}`}, a))
	heap1, rss1 := heldMemory()
	ask(p.inst, monthQuery(0, panel{"messageVolume", `{}`}, a))
	heap2, rss2 := heldMemory()
	st := p.cache.Stats()
	all := float64(n.Conversations + n.Messages)
	res.HeapPerConv, res.RSSPerConv = float64(heap1-heap0)/float64(n.Conversations), float64(rss1-rss0)/float64(n.Conversations)
	res.HeapPerMsg, res.RSSPerMsg = float64(heap2-heap1)/float64(n.Messages), float64(rss2-rss1)/float64(n.Messages)
	res.HeapPerRecord, res.RSSPerRecord = float64(heap2-heap0)/all, float64(rss2-rss0)/all
	res.CachePerRecord, res.Evicted = float64(st.Bytes)/all, st.Evicted
	fmt.Printf("memory tier: %d segments, %.0f MB (its estimate); heap %+.0f MB, RSS %+.0f MB for %d records; %d evicted\n",
		st.Segments, float64(st.Bytes)/(1<<20), float64(heap2-heap0)/(1<<20), float64(rss2-rss0)/(1<<20), n.Conversations+n.Messages, st.Evicted)

	for _, pn := range monthBatch {
		f := typeFigure{Panel: pn.queryType + " " + pn.model, Records: recordsOf(pn, n)}
		for i := range 3 {
			cpu, reqs := p.one(a, pn)
			if i == 0 || cpu < f.CPU {
				f.CPU = cpu
			}
			f.Requests += reqs
		}
		res.Types = append(res.Types, f)
	}
	res.BatchRecords = batchRecords(n)
	for i := range 3 {
		cpu, wall, reqs := p.batch(a)
		if i == 0 || cpu < res.BatchCPU {
			res.BatchCPU, res.BatchWall = cpu, wall
		}
		res.BatchRequests = append(res.BatchRequests, reqs)
	}
	if p.disk != nil {
		weighStore(a, p, res)
	}
}

// weighStore closes the store the fill filled and measures it.
func weighStore(a monthChildArgs, p *monthPlugin, res *monthResult) {
	st := p.disk.Status()
	_ = p.disk.Close()
	fi, err := os.Stat(filepath.Join(a.StoreDir, diskcache.FileName))
	if err != nil {
		log.Fatal(err)
	}
	res.FileBytes, res.ValueBytes, res.StoreSegments = fi.Size(), st.Bytes, st.Segments
	if st.Problem != "" {
		fmt.Println("the store reported: " + st.Problem)
	}
}

// monthColdStore sends the batch cold with the default budget and an empty
// store, then weighs what reached the store.
func monthColdStore(a monthChildArgs, res *monthResult) {
	applyBudget(plugin.DefaultCacheBytes >> 20)
	p := newMonthPlugin(a, plugin.DefaultCacheBytes, true)
	defer p.stop()
	res.BatchRecords = batchRecords(res.Records)
	cpu, wall, reqs := p.batch(a)
	res.BatchCPUs, res.BatchRequests, res.BatchWall = []time.Duration{cpu}, []int64{reqs}, wall
	weighStore(a, p, res)
}

// monthDisk answers from the store with a 16 MB memory cache, as the plugin
// would run with cache_mb = 16: each type alone, then the batch at once.
func monthDisk(a monthChildArgs, res *monthResult) {
	const mb = 16
	applyBudget(mb)
	p := newMonthPlugin(a, mb<<20, true)
	defer p.stop()
	for _, pn := range monthBatch {
		cpu, reqs := p.one(a, pn)
		res.Types = append(res.Types, typeFigure{Panel: pn.queryType + " " + pn.model, Records: recordsOf(pn, res.Records), CPU: cpu, Requests: reqs})
	}
	res.BatchRecords = batchRecords(res.Records)
	cpu, wall, reqs := p.batch(a)
	res.BatchCPU, res.BatchWall, res.BatchRequests = cpu, wall, []int64{reqs}
}

// monthRestart is a restart on the kept store with the default budget: the
// batch, then 3 refreshes.
func monthRestart(a monthChildArgs, res *monthResult) {
	applyBudget(plugin.DefaultCacheBytes >> 20)
	p := newMonthPlugin(a, plugin.DefaultCacheBytes, true)
	defer p.stop()
	res.BatchRecords = batchRecords(res.Records)
	for range 4 {
		cpu, wall, reqs := p.batch(a)
		res.BatchCPUs, res.BatchRequests = append(res.BatchCPUs, cpu), append(res.BatchRequests, reqs)
		res.BatchWall = max(res.BatchWall, wall)
	}
}

// applyBudget sets the soft memory limit the plugin binary sets for cache_mb.
func applyBudget(mb int) {
	_ = os.Setenv("GF_PLUGIN_CACHE_MB", strconv.Itoa(mb))
	plugin.ApplyMemoryLimit()
}

// sampleRSS keeps the highest anonymous and file-backed resident memory seen
// every 20 ms in res until the function it returns is called.
func sampleRSS(res *monthResult) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			res.PeakAnonMB = max(res.PeakAnonMB, int(statusKB("RssAnon")>>10))
			res.PeakFileMB = max(res.PeakFileMB, int(statusKB("RssFile")>>10))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// statusKB reads one field of /proc/self/status, in kB.
func statusKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb
		}
	}
	return -1
}
