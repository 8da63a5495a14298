package plugin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/redis/go-redis/v9"
	bolt "go.etcd.io/bbolt"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestStoredNamesRevealNeitherBotNorKey runs a sync and queries of every lane
// kind (both endpoints, a transcript) through a real Redis and a real store
// file, then lists every Redis key (and the members and fields inside them) and
// every key of the store file: none may name the bot, the API key, or start a
// hash of either that anyone could compute without the key.
func TestStoredNamesRevealNeitherBotNorKey(t *testing.T) {
	testparallel.Waits(t)
	const bot = "r3-218210"
	srv := redistest.Start(t)
	data := simulator.NewDataset(simulator.Config{Bots: []string{bot}, Days: 2, PerHour: 5, Seed: 9,
		Now: func() time.Time { return testNow }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1})
	url := startServer(t, sim)
	// Every key Redis is asked to write is seen through its keyspace events, not
	// only those still there at the end: a rate-limit key lives a third of a
	// second, which a busy machine may let pass before the keys are listed.
	rdb := redis.NewClient(&redis.Options{Addr: strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "redis://"), "/0")})
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.ConfigSet(ctx, "notify-keyspace-events", "KA").Err(); err != nil {
		t.Fatal(err)
	}
	events := rdb.PSubscribe(ctx, "__keyspace@*__:*")
	defer events.Close()
	if _, err := events.Receive(ctx); err != nil { // the subscription's confirmation
		t.Fatal(err)
	}
	written := map[string]bool{}
	seen := make(chan struct{})
	go func() {
		defer close(seen)
		for m := range events.Channel() {
			_, key, _ := strings.Cut(m.Channel, "__:")
			if key == "names-test-sentinel" {
				return
			}
			written[key] = true
		}
	}()
	dir := t.TempDir()
	opts := testOptions()
	opts.Limiters = &exportapi.LimiterPool{}
	opts.Disk = diskcache.Open(dir, 1<<30, backend.Logger)
	opts.SyncEvery, opts.SyncRetry = 50*time.Millisecond, 50*time.Millisecond
	inst, err := Factory(opts)(t.Context(), instanceSettings(url, map[string]any{"syncDays": 1, "redisUrl": srv.URL()}, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	_, _ = d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if ps := d.SyncProgress(); len(ps) > 0 && ps[0].Done() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sync did not finish: %+v", d.SyncProgress())
		}
	}
	from, to := testNow.Add(-40*time.Hour), testNow
	conv := data.Conversations(bot, from, to)[0]
	r := run(t, d, dataQuery("C", "conversationVolume", from, to, map[string]any{"bucket": "1h"}),
		dataQuery("M", "messageVolume", from, to, map[string]any{"bucket": "1h"}),
		dataQuery("T", "transcript", from, to, map[string]any{"filters": map[string]any{"conversationId": conv.ID}}))
	for ref, resp := range r.Responses {
		if resp.Error != nil {
			t.Fatalf("%s: %v", ref, resp.Error)
		}
	}

	forbidden := map[string]string{"the bot": bot, "the API key": testKey}
	for what, s := range map[string]string{"the API key": testKey, "the bot": bot} {
		h := sha256.Sum256([]byte(s))
		forbidden["a SHA-256 prefix of "+what] = hex.EncodeToString(h[:4])
		forbidden["a raw SHA-256 prefix of "+what] = string(h[:4])
	}
	check := func(where, name string) {
		t.Helper()
		for what, s := range forbidden {
			if strings.Contains(name, s) || strings.Contains(hex.EncodeToString([]byte(name)), s) {
				t.Errorf("%s %q holds %s", where, name, what)
			}
		}
	}

	// Events come in the order of the writes: once the sentinel's has come, every
	// write of the queries has been seen.
	if err := rdb.Set(ctx, "names-test-sentinel", "1", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	<-seen
	if err := rdb.Del(ctx, "names-test-sentinel").Err(); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for k := range written {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	kinds := map[string]int{}
	for _, k := range keys {
		check("Redis key", k)
		kind, _, _ := strings.Cut(strings.TrimPrefix(k, "agentx-export:"), ":")
		kinds[kind]++
		switch rdb.Type(ctx, k).Val() {
		case "zset":
			for _, m := range rdb.ZRange(ctx, k, 0, -1).Val() {
				check("member of "+k, m)
			}
		case "hash":
			for _, f := range rdb.HKeys(ctx, k).Val() {
				check("field of "+k, f)
			}
		}
	}
	// The test is only worth something if every kind of name was written.
	for _, kind := range []string{"lease", "rate", "segs", "seg"} {
		if kinds[kind] == 0 {
			t.Errorf("no Redis key of kind %q among %q", kind, keys)
		}
	}

	d.Dispose()
	if err := opts.Disk.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(dir, diskcache.FileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored int
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(bucket []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, _ []byte) error {
				stored++
				check("store key in "+string(bucket), string(k))
				return nil
			})
		})
	})
	if err != nil || stored == 0 {
		t.Fatalf("store keys: %d, %v", stored, err)
	}
}
