package fetch_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
)

// TestADiskRangeLargerThanMemoryCostsNothing: a process whose memory budget holds
// a fraction of a range the disk holds answers it again and again with 0
// requests, exactly, and a disk load never evicts what the query uses.
func TestADiskRangeLargerThanMemoryCostsNothing(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newTierFixture(t)
	dir := t.TempDir()
	w := exportapi.Window{From: f.now.Add(-8 * 24 * time.Hour), To: f.now.Add(-2 * time.Hour)}
	wantC, wantM := f.want(w)

	store := diskcache.Open(dir, 1<<30, newTestLog(t))
	t.Cleanup(func() { _ = store.Close() })
	counts(t, f.process(t, store), w)

	// Another process on the same store, with memory for about a fifth of
	// the range's records (eight days of messages are some 10 MB of structs).
	client, err := exportapi.New(exportapi.Config{BaseURL: f.url, APIKey: tierKey, Limiters: (&exportapi.LimiterPool{}).Acquire(f.url, tierKey, 1000)})
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
	testparallel.BesideWaiting(t)
	f := newTierFixture(t)
	w := exportapi.Window{From: f.now.Add(-8 * 24 * time.Hour), To: f.now.Add(-2 * time.Hour)}
	wantC, wantM := f.want(w)
	store := diskcache.Open(t.TempDir(), 1<<30, newTestLog(t))
	t.Cleanup(func() { _ = store.Close() })
	small := func() (*fetch.Source, *fetch.Cache) {
		client, err := exportapi.New(exportapi.Config{BaseURL: f.url, APIKey: tierKey, Limiters: (&exportapi.LimiterPool{}).Acquire(f.url, tierKey, 1000)})
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
	testparallel.BesideWaiting(t)
	f := newTierFixture(t)
	dir := t.TempDir()
	w := exportapi.Window{From: f.now.Add(-6*24*time.Hour - 7*time.Minute), To: f.now.Add(-2 * time.Hour)}
	wantC, wantM := f.want(w)
	store := diskcache.Open(dir, 1<<30, newTestLog(t))
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

// TestQueriesAtOnceShareOneDecodedSegment: a query that loads a stored segment
// another query holds decoded takes that batch, not a copy of its own, and
// counts exactly the same.
func TestQueriesAtOnceShareOneDecodedSegment(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newTierFixture(t)
	w := exportapi.Window{From: f.now.Add(-4 * 24 * time.Hour), To: f.now.Add(-2 * time.Hour)}
	wantC, _ := f.want(w)
	store := diskcache.Open(t.TempDir(), 1<<30, newTestLog(t))
	t.Cleanup(func() { _ = store.Close() })
	counts(t, f.process(t, store), w)

	// Memory too small to keep any segment: every one is loaded and decoded.
	client, err := exportapi.New(exportapi.Config{BaseURL: f.url, APIKey: tierKey, Limiters: (&exportapi.LimiterPool{}).Acquire(f.url, tierKey, 1000)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	s := fetch.New(fetch.Config{Client: client, BaseURL: f.url, APIKey: tierKey, Live: time.Hour, TTL: time.Hour,
		Final: 24 * time.Hour, Cache: fetch.NewCache(1), Tiers: []fetch.Tier{store}, Flights: fetch.NewFlights(),
		Now: func() time.Time { return f.now }})
	req := fetch.Request{Bot: "bot", Window: w}
	var first, second []*columnar.Conversations
	n1, n2 := 0, 0
	before := f.requests()
	_, err = s.ConversationColumns(t.Context(), req, func(b *columnar.Conversations, from, to int) {
		n1 += to - from
		first = append(first, b)
		if len(first) > 1 {
			return
		}
		// The second query runs while the first holds its first batch.
		if _, err := s.ConversationColumns(t.Context(), req, func(b *columnar.Conversations, from, to int) {
			n2 += to - from
			second = append(second, b)
		}); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n1 != len(wantC) || n2 != len(wantC) || f.requests() != before {
		t.Fatalf("%d and %d conversations (want %d), %d requests", n1, n2, len(wantC), f.requests()-before)
	}
	if len(first) < 2 || len(second) == 0 || first[0] != second[0] {
		t.Fatalf("the second query decoded its own copy of the segment the first one held (%d and %d batches)", len(first), len(second))
	}
}

// columnIDs is counts through the column API: the records of every row range, rebuilt.
func columnIDs(t *testing.T, s *fetch.Source, w exportapi.Window) (convs, msgs []string) {
	t.Helper()
	req := fetch.Request{Bot: "bot", Window: w}
	if _, err := s.ConversationColumns(t.Context(), req, func(b *columnar.Conversations, from, to int) {
		recs, err := b.AppendRecords(nil, from, to)
		if err != nil {
			t.Error(err)
		}
		for _, c := range recs {
			if !w.Contains(c.StartTime) {
				t.Errorf("a row outside the window: %s", c.StartTime)
			}
			convs = append(convs, fmt.Sprint(c.ID, c.StartTime.UnixNano(), c.Tags))
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MessageColumns(t.Context(), req, func(b *columnar.Messages, from, to int) {
		recs, err := b.AppendRecords(nil, from, to)
		if err != nil {
			t.Error(err)
		}
		for _, m := range recs {
			if !w.Contains(m.Time) {
				t.Errorf("a row outside the window: %s", m.Time)
			}
			msgs = append(msgs, fmt.Sprint(m.ID, m.Time.UnixNano(), m.Type))
		}
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(convs)
	slices.Sort(msgs)
	return convs, msgs
}

// TestColumnsAreTheRecords: the column API hands on exactly the window's
// records, each once, whether they come from the API (cold, and the live
// hours), from memory, or from the disk after a restart, over windows that do
// not fall on chunk boundaries.
func TestColumnsAreTheRecords(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newTierFixture(t)
	store := diskcache.Open(t.TempDir(), 1<<30, newTestLog(t))
	t.Cleanup(func() { _ = store.Close() })
	w := exportapi.Window{From: f.now.Add(-3*24*time.Hour - 7*time.Minute), To: f.now.Add(-11 * time.Minute)}
	inner := exportapi.Window{From: w.From.Add(5 * time.Hour).Add(3 * time.Second), To: w.To.Add(-20 * time.Hour).Add(-time.Second)}
	s := f.process(t, store)
	for i, win := range []exportapi.Window{w, w, inner} {
		wantC, wantM := f.want(win)
		c, m := columnIDs(t, s, win)
		same(t, fmt.Sprintf("read %d, conversations", i+1), c, wantC)
		same(t, fmt.Sprintf("read %d, messages", i+1), m, wantM)
	}
	restarted := f.process(t, store)
	for i, win := range []exportapi.Window{inner, w} {
		wantC, wantM := f.want(win)
		c, m := columnIDs(t, restarted, win)
		same(t, fmt.Sprintf("after a restart, read %d, conversations", i+1), c, wantC)
		same(t, fmt.Sprintf("after a restart, read %d, messages", i+1), m, wantM)
	}
}
