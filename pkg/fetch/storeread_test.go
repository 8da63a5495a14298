package fetch_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// TestADiskRangeLargerThanMemoryCostsNothing: a process whose memory budget holds
// a fraction of a range the disk holds answers it again and again with 0
// requests, exactly, and a disk load never evicts what the query uses.
func TestADiskRangeLargerThanMemoryCostsNothing(t *testing.T) {
	f := newTierFixture(t)
	dir := t.TempDir()
	w := exportapi.Window{From: f.now.Add(-8 * 24 * time.Hour), To: f.now.Add(-2 * time.Hour)}
	wantC, wantM := f.want(w)

	store := diskcache.Open(dir, 1<<30, quietLog{t})
	t.Cleanup(func() { _ = store.Close() })
	counts(t, f.process(t, store), w)

	// Another process on the same store, with memory for about a fifth of
	// the range's records (eight days of messages are some 10 MB of structs).
	client, err := exportapi.New(exportapi.Config{BaseURL: f.url, APIKey: tierKey, RequestsPerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	cache := fetch.NewCache(2 << 20)
	small := fetch.New(fetch.Config{Client: client, BaseURL: f.url, APIKey: tierKey, Live: time.Hour, TTL: time.Hour,
		Final: 24 * time.Hour, Cache: cache, Tiers: []fetch.Tier{store}, Flights: fetch.NewFlights(),
		Now: func() time.Time { return f.now }})
	for i := range 3 {
		before := f.requests()
		c, m, st := counts(t, small, w)
		same(t, "conversations", c, wantC)
		same(t, "messages", m, wantM)
		if n := f.requests() - before; n != 0 || st.CacheMisses != 0 {
			t.Fatalf("read %d of a range on disk cost %d requests (%d misses)", i+1, n, st.CacheMisses)
		}
		if cs := cache.Stats(); cs.Evicted != 0 || cs.Bytes > cs.Budget {
			t.Fatalf("read %d: the disk loads evicted %d segments from memory (%d of %d bytes)", i+1, cs.Evicted, cs.Bytes, cs.Budget)
		}
	}
}

// TestAColdReadUnderASmallBudgetStoresAllItReads: a first read of a range many
// times the memory budget keeps every chunk until the disk has it (the memory
// then holds the columns, and gives up what is stored), so a new process on the
// same store answers the range with 0 requests, exactly, and so does a repeat in
// the first process.
func TestAColdReadUnderASmallBudgetStoresAllItReads(t *testing.T) {
	f := newTierFixture(t)
	w := exportapi.Window{From: f.now.Add(-8 * 24 * time.Hour), To: f.now.Add(-2 * time.Hour)}
	wantC, wantM := f.want(w)
	store := diskcache.Open(t.TempDir(), 1<<30, quietLog{t})
	t.Cleanup(func() { _ = store.Close() })
	small := func() (*fetch.Source, *fetch.Cache) {
		client, err := exportapi.New(exportapi.Config{BaseURL: f.url, APIKey: tierKey, RequestsPerSecond: 1000})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(client.Close)
		cache := fetch.NewCache(1 << 20)
		return fetch.New(fetch.Config{Client: client, BaseURL: f.url, APIKey: tierKey, Live: time.Hour, TTL: time.Hour,
			Final: 24 * time.Hour, Cache: cache, Tiers: []fetch.Tier{store}, Flights: fetch.NewFlights(),
			Now: func() time.Time { return f.now }}), cache
	}
	first, cache := small()
	before := f.requests()
	c, m, st := counts(t, first, w)
	same(t, "cold, conversations", c, wantC)
	same(t, "cold, messages", m, wantM)
	t.Logf("cold read: %d requests for %d conversations and %d messages; memory %+v", f.requests()-before, len(c), len(m), cache.Stats())
	if len(st.Warnings) > 0 {
		t.Fatalf("cold read: %q", st.Warnings)
	}
	if cs := cache.Stats(); cs.Reserved != 0 || cs.Bytes > cs.Budget {
		t.Fatalf("after the read the memory holds %d of %d bytes and %d reserved", cs.Bytes, cs.Budget, cs.Reserved)
	}
	for _, s := range []*fetch.Source{first, func() *fetch.Source { s, _ := small(); return s }()} {
		before := f.requests()
		c, m, st := counts(t, s, w)
		same(t, "again, conversations", c, wantC)
		same(t, "again, messages", m, wantM)
		if n := f.requests() - before; n != 0 || st.CacheMisses != 0 {
			t.Fatalf("a range the cold read stored cost %d requests (%d misses)", n, st.CacheMisses)
		}
	}
}

// vanishing is the real disk store with one interleaving forced: every other
// segment it lists is gone (as its budget or a rewrite would drop it) by the time
// the query loads it.
type vanishing struct {
	*diskcache.Store
	dropped int
}

func (v *vanishing) Spans(ctx context.Context, lane string, from, to, now time.Time) ([]fetch.Stored, error) {
	listed, err := v.Store.Spans(ctx, lane, from, to, now)
	if err != nil {
		return nil, err
	}
	whole, err := v.Load(ctx, lane, from, to, now)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(whole); i += 2 {
		if err := v.Forget(ctx, lane, whole[i]); err != nil {
			return nil, err
		}
		v.dropped++
	}
	return listed, nil
}

// TestASegmentGoneBeforeItIsLoadedIsReadAgain: segments the disk listed and then
// lost are read from the API, exactly, without counting their neighbours twice,
// and written back, so the next read costs nothing.
func TestASegmentGoneBeforeItIsLoadedIsReadAgain(t *testing.T) {
	f := newTierFixture(t)
	dir := t.TempDir()
	w := exportapi.Window{From: f.now.Add(-6*24*time.Hour - 7*time.Minute), To: f.now.Add(-2 * time.Hour)}
	wantC, wantM := f.want(w)
	store := diskcache.Open(dir, 1<<30, quietLog{t})
	t.Cleanup(func() { _ = store.Close() })
	counts(t, f.process(t, store), w)

	v := &vanishing{Store: store}
	before := f.requests()
	c, m, st := counts(t, f.process(t, v), w)
	same(t, "conversations", c, wantC)
	same(t, "messages", m, wantM)
	if n := f.requests() - before; v.dropped == 0 || n == 0 || len(st.Warnings) == 0 {
		t.Fatalf("%d segments vanished: %d requests, warnings %q", v.dropped, n, st.Warnings)
	}
	before = f.requests()
	c, m, _ = counts(t, f.process(t, store), w)
	same(t, "read again, conversations", c, wantC)
	same(t, "read again, messages", m, wantM)
	if n := f.requests() - before; n != 0 {
		t.Fatalf("read again, the range cost %d requests", n)
	}
}
