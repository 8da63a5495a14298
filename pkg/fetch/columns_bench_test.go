package fetch_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// The figures of segments held as columns, through the real fetch path:
//
//	go test -run XXX -bench 'Columns' -benchtime 3x ./pkg/fetch/
//
// memory: heap per record the memory cache holds after a read (B/record), and
// what the cache counts for them; disk: bbolt file bytes per record, and
// records served per CPU-second from the disk with memory cold.

// benchBot is 8 days of a bot with 200 conversations an hour: about 38,000
// conversations and 230,000 messages.
func benchBot(b *testing.B) (url string, w exportapi.Window, now time.Time) {
	now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	data := simulator.NewDataset(simulator.Config{Bots: []string{"bot"}, Days: 8, PerHour: 200, Seed: 20, Now: func() time.Time { return now }})
	hs := httptest.NewServer(simulator.NewServer(data, simulator.ServerConfig{APIKey: tierKey, RequestsPerSecond: -1}))
	b.Cleanup(hs.Close)
	return hs.URL, exportapi.Window{From: now.Add(-7 * 24 * time.Hour), To: now.Add(-2 * time.Hour)}, now
}

func benchSource(b *testing.B, url string, now time.Time, cache *fetch.Cache, tiers ...fetch.Tier) *fetch.Source {
	client, err := exportapi.New(exportapi.Config{BaseURL: url, APIKey: tierKey, Limiters: (&exportapi.LimiterPool{}).Acquire(url, tierKey, 1000)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(client.Close)
	return fetch.New(fetch.Config{Client: client, BaseURL: url, APIKey: tierKey, Live: time.Hour, TTL: time.Hour,
		Final: 24 * time.Hour, Cache: cache, Tiers: tiers, Flights: fetch.NewFlights(), Now: func() time.Time { return now }})
}

// columnCounts reads w's conversations and messages as columns and returns how many.
func columnCounts(b *testing.B, s *fetch.Source, w exportapi.Window) (convs, msgs int) {
	ctx := context.Background()
	if _, err := s.ConversationColumns(ctx, fetch.Request{Bot: "bot", Window: w}, func(_ *columnar.Conversations, from, to int) { convs += to - from }); err != nil {
		b.Fatal(err)
	}
	if _, err := s.MessageColumns(ctx, fetch.Request{Bot: "bot", Window: w}, func(_ *columnar.Messages, from, to int) { msgs += to - from }); err != nil {
		b.Fatal(err)
	}
	return convs, msgs
}

type benchLog struct{}

func (benchLog) Warn(string, ...any) {}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkColumnsMemoryPerRecord: what a read leaves in the memory cache,
// per record, on the heap and as the cache counts it: conversations, then
// messages, then both.
func BenchmarkColumnsMemoryPerRecord(b *testing.B) {
	url, w, now := benchBot(b)
	// A first read warms what the simulator, in this process, keeps of its own.
	columnCounts(b, benchSource(b, url, now, nil), w)
	heap := func() int64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	ctx := context.Background()
	req := fetch.Request{Bot: "bot", Window: w}
	for b.Loop() {
		cache := fetch.NewCache(1 << 30)
		s := benchSource(b, url, now, cache)
		before := heap()
		var c, m int
		if _, err := s.ConversationColumns(ctx, req, func(_ *columnar.Conversations, from, to int) { c += to - from }); err != nil {
			b.Fatal(err)
		}
		mid, counted := heap(), cache.Stats().Bytes
		if _, err := s.MessageColumns(ctx, req, func(_ *columnar.Messages, from, to int) { m += to - from }); err != nil {
			b.Fatal(err)
		}
		after := heap()
		b.ReportMetric(float64(mid-before)/float64(c), "conversation-heap-B")
		b.ReportMetric(float64(counted)/float64(c), "conversation-counted-B")
		b.ReportMetric(float64(after-mid)/float64(m), "message-heap-B")
		b.ReportMetric(float64(cache.Stats().Bytes-counted)/float64(m), "message-counted-B")
		b.ReportMetric(float64(after-before)/float64(c+m), "heap-B/record")
		b.ReportMetric(float64(cache.Stats().Bytes)/float64(c+m), "counted-B/record")
		b.ReportMetric(float64(c+m), "records")
		runtime.KeepAlive(s)
	}
}

// BenchmarkColumnsFromDisk: a range on disk read by a process whose memory is
// cold and too small to keep any of it (every segment is loaded and decoded),
// in records per CPU-second; and the file's bytes per record.
func BenchmarkColumnsFromDisk(b *testing.B) {
	url, w, now := benchBot(b)
	dir := b.TempDir()
	store := diskcache.Open(dir, 1<<30, benchLog{})
	b.Cleanup(func() { _ = store.Close() })
	c, m := columnCounts(b, benchSource(b, url, now, fetch.NewCache(1<<30), store), w)
	if err := store.Close(); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, diskcache.FileName))
	if err != nil {
		b.Fatal(err)
	}
	store = diskcache.Open(dir, 1<<30, benchLog{})
	stored := store.Status().Bytes
	for b.Loop() {
		s := benchSource(b, url, now, fetch.NewCache(1), store)
		start := cpuSeconds()
		c2, m2 := columnCounts(b, s, w)
		cpu := cpuSeconds() - start
		if c2 != c || m2 != m {
			b.Fatalf("from disk: %d conversations and %d messages, want %d and %d", c2, m2, c, m)
		}
		b.ReportMetric(float64(c+m)/cpu, "records/CPU-s")
		b.ReportMetric(float64(fi.Size())/float64(c+m), "file-B/record")
		b.ReportMetric(float64(stored)/float64(c+m), "stored-B/record")
	}
}
