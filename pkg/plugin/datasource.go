// Package plugin is the thin Grafana-facing layer: it reads settings, answers
// QueryData and CheckHealth, and leaves HTTP to exportapi and frame shapes to frames.
package plugin

import (
	"context"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/history"
	"github.com/agentx-support/agentx-export-datasource/pkg/settings"
	"github.com/agentx-support/agentx-export-datasource/pkg/sharedcache"
)

// PluginID is the id in plugin.json.
const PluginID = "agentx-export-datasource"

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Options are what every data source of a process shares, settable for tests and
// the benchmark.
type Options struct {
	Cache *fetch.Cache
	// Disk keeps settled history across restarts; nil: none.
	Disk    *diskcache.Store
	Flights *fetch.Flights
	// Limiters pace requests; nil means exportapi.DefaultLimiters. A benchmark
	// gives each simulated Grafana replica a pool of its own.
	Limiters *exportapi.LimiterPool
	// Now is the clock deciding which records are live; nil means time.Now.
	Now func() time.Time
	// Backoff spaces retries of failed requests; the zero value is the client's default.
	Backoff exportapi.Backoff
	// SyncEvery and SyncRetry pace the background reads that keep the recent past
	// (zero: every 5 minutes, 30 s after a failure); tests shorten them.
	SyncEvery, SyncRetry time.Duration
	// Hints keep what reads measured for the next process; nil: the disk cache's.
	Hints fetch.Hints
	// KeepReading is how long a read a dashboard answered partially from goes on
	// without anyone asking for its time again; zero: 3 minutes.
	KeepReading time.Duration
	// MaxPageBytes bounds one page's body; zero: the client's 64 MB. Tests of the
	// bound use a small one, so that they do not measure how fast 64 MB is parsed.
	MaxPageBytes int64
	// Logger is where the data sources log; nil: Grafana's (backend.Logger). A
	// test that reads the log lines gives one of its own, and so need not swap
	// the process's logger while other tests run.
	Logger log.Logger
}

// DefaultCacheBytes is the cache's memory budget for the whole plugin process;
// cache_mb in grafana.ini's [plugin.agentx-export-datasource] changes it.
const DefaultCacheBytes = 256 << 20

// processOptions are shared by every data source Grafana creates in this process.
// They are made at the first data source, not at start, so that tests can choose
// the process settings first.
var processOptions = sync.OnceValue(func() Options {
	ps := ReadProcessSettings(os.Getenv)
	opts := Options{Cache: fetch.NewCache(ps.CacheBytes), Flights: fetch.NewFlights()}
	if ps.StoreBytes > 0 {
		opts.Disk = diskcache.Open(ps.StoreDir, ps.StoreBytes, backend.Logger)
		processDisk.Store(opts.Disk)
	}
	return opts
})

// memoryHeadroom is what the plugin needs besides the cache (pages being decoded,
// aggregations, the gRPC server). The soft limit sits below the promised peak
// (budget + 88 MB) by what the heap does not count: stacks, runtime metadata and
// memory the runtime has not yet returned to the system.
const memoryHeadroom = 64 << 20

// ApplyMemoryLimit asks the Go runtime to keep the heap near the cache budget plus
// headroom, rather than letting it grow to twice the live heap, unless the
// operator chose a limit. It is a soft limit: the plugin never fails for it.
func ApplyMemoryLimit() {
	ps := ReadProcessSettings(os.Getenv)
	for _, p := range ps.Problems {
		backend.Logger.Warn("A setting of [plugin.agentx-export-datasource] in grafana.ini was ignored", "problem", p)
	}
	switch {
	case os.Getenv("GOMEMLIMIT") != "":
		// The runtime has read it itself.
	case ps.MemoryLimitBytes > 0:
		debug.SetMemoryLimit(ps.MemoryLimitBytes)
	default:
		debug.SetMemoryLimit(ps.CacheBytes + memoryHeadroom)
	}
}

// Datasource is one configured data source. Bad settings do not stop it from being
// created: every query and the health check then report them, which is where a
// person looks.
type Datasource struct {
	settings    settings.Settings
	settingsErr error
	client      *exportapi.Client
	source      *fetch.Source
	httpClient  *http.Client
	conns       *connTracker
	lease       *exportapi.Lease
	logger      log.Logger
	now         func() time.Time
	uid, name   string // for data links back to this data source
	opts        Options
	shared      *sharedcache.Shared // nil without redisUrl

	// keeper keeps the recent past in the store, from the first query or health
	// check on (sync.go).
	syncOnce sync.Once
	syncMu   sync.Mutex
	keeper   *history.Keeper
	disposed bool
}

// NewDatasource is the instance factory Grafana calls when a data source is created or its settings change.
func NewDatasource(ctx context.Context, is backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	registerCacheGauges()
	return Factory(processOptions())(ctx, is)
}

// Factory returns an instance factory whose data sources share opts.
func Factory(opts Options) datasource.InstanceFactoryFunc {
	return func(ctx context.Context, is backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
		logger := opts.Logger
		if logger == nil {
			logger = backend.Logger
		}
		d := &Datasource{logger: logger.With("datasource", is.UID), now: opts.Now, uid: is.UID, name: is.Name, opts: opts}
		if d.now == nil {
			d.now = time.Now
		}
		d.settingsErr = d.configure(ctx, is, opts)
		return d, nil
	}
}

func (d *Datasource) configure(ctx context.Context, is backend.DataSourceInstanceSettings, opts Options) error {
	s, err := settings.Parse(is.JSONData, is.DecryptedSecureJSONData)
	if err != nil {
		return err
	}
	d.settings = s

	httpOpts, err := is.HTTPClientOptions(ctx)
	if err != nil {
		return err
	}
	timeouts := httpclient.DefaultTimeoutOptions
	// The client bounds each request by timeoutSeconds itself; the transport's own
	// limit only catches what that misses.
	timeouts.Timeout = s.Timeout * 2
	httpOpts.Timeouts = &timeouts
	d.conns = newConnTracker()
	httpOpts.ConfigureTransport = func(_ httpclient.Options, t *http.Transport) {
		dial := t.DialContext
		if dial == nil {
			dial = (&net.Dialer{}).DialContext
		}
		t.DialContext = d.conns.wrap(dial)
	}
	if d.httpClient, err = httpclient.New(httpOpts); err != nil {
		return err
	}
	pool := opts.Limiters
	if pool == nil {
		pool = exportapi.DefaultLimiters
	}
	d.lease = pool.Acquire(s.BaseURL, s.APIKey, s.RequestsPerSecond)
	d.lease.SetBackgroundShare(s.SyncShare)
	d.client, err = exportapi.New(exportapi.Config{
		BaseURL:        s.BaseURL,
		APIKey:         s.APIKey,
		HTTPClient:     d.httpClient,
		Limiters:       d.lease,
		RequestTimeout: s.Timeout,
		Backoff:        opts.Backoff,
		MaxPageBytes:   opts.MaxPageBytes,
	})
	if err != nil {
		return err
	}
	var tiers []fetch.Tier
	hints := opts.Hints
	if opts.Disk != nil {
		tiers = append(tiers, opts.Disk)
		if hints == nil {
			hints = opts.Disk
		}
	}
	var leases fetch.Leases
	var liveTier fetch.Tier
	if s.RedisURL != "" {
		if d.shared, err = sharedcache.Open(s.RedisURL, s.RedisPassword, d.logger); err != nil {
			return err
		}
		d.lease.Share(d.shared, s.ExpectedReplicas)
		tiers = append(tiers, d.shared)
		leases, liveTier = d.shared, d.shared
	}
	d.source = fetch.New(fetch.Config{
		Tiers: tiers, Leases: leases, LiveTier: liveTier,
		Client: d.client, BaseURL: s.BaseURL, APIKey: s.APIKey,
		Live: time.Duration(s.LiveMinutes) * time.Minute, TTL: time.Duration(s.CacheMinutes) * time.Minute, Reuse: s.LiveReuse,
		Final: time.Duration(s.FinalHours) * time.Hour,
		Cache: opts.Cache, Flights: opts.Flights, Now: d.now, KeepReading: opts.KeepReading, Hints: hints,
	})
	return nil
}

// disposeWait bounds how long Dispose waits for requests under way: exports that
// still serve another data source's queries may go on, and their connections then
// close when they time out.
const disposeWait = 5 * time.Second

// SyncProgress says how far the background sync has got; nil while it has not started.
func (d *Datasource) SyncProgress() []history.Progress {
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	if d.keeper == nil {
		return nil
	}
	return d.keeper.Status()
}

// Dispose releases the shared limiters and, once the requests under way have
// ended, every connection, when settings change or the data source is deleted.
// An export another data source still shares then fails with errDisposed.
func (d *Datasource) Dispose() {
	d.syncMu.Lock()
	d.disposed = true
	k := d.keeper
	d.syncMu.Unlock()
	if k != nil {
		k.Stop()
	}
	if d.lease != nil {
		d.lease.Release()
	}
	if d.client != nil {
		ctx, cancel := context.WithTimeout(context.Background(), disposeWait)
		d.client.Idle(ctx)
		cancel()
	}
	if d.conns != nil {
		d.conns.closeAll()
	}
	if d.shared != nil {
		_ = d.shared.Close()
	}
}
