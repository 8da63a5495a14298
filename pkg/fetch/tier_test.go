package fetch_test

// The tier tests live outside package fetch so that they can use the real disk
// store, which imports fetch.

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
	bolt "go.etcd.io/bbolt"
)

const tierKey = "tier-test-key"

type tierFixture struct {
	sim *simulator.Server
	url string
	now time.Time
}

func newTierFixture(t *testing.T) *tierFixture {
	now := time.Date(2026, 11, 20, 12, 34, 56, 0, time.UTC)
	data := simulator.NewDataset(simulator.Config{Bots: []string{"bot"}, Days: 9, PerHour: 15, Seed: 4, Now: func() time.Time { return now }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: tierKey, RequestsPerSecond: -1})
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	return &tierFixture{sim: sim, url: hs.URL, now: now}
}

// process is what one plugin process holds: its own memory and its own store.
func (f *tierFixture) process(t *testing.T, tiers ...fetch.Tier) *fetch.Source {
	client, err := exportapi.New(exportapi.Config{BaseURL: f.url, APIKey: tierKey, Limiters: (&exportapi.LimiterPool{}).Acquire(f.url, tierKey, 1000)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return fetch.New(fetch.Config{Client: client, BaseURL: f.url, APIKey: tierKey, Live: time.Hour, TTL: time.Hour,
		Final: 24 * time.Hour, Cache: fetch.NewCache(64 << 20), Tiers: tiers, Flights: fetch.NewFlights(),
		Now: func() time.Time { return f.now }})
}

func (f *tierFixture) requests() int64 {
	c := f.sim.Counts()
	return c.Conversations + c.Messages
}

// counts reads conversations and messages of w and returns their ids, sorted.
func counts(t *testing.T, s *fetch.Source, w exportapi.Window) ([]string, []string, fetch.Stats) {
	t.Helper()
	var mu sync.Mutex
	var convs, msgs []string
	st, err := s.Conversations(context.Background(), fetch.Request{Bot: "bot", Window: w}, func(p []exportapi.Conversation) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range p {
			convs = append(convs, fmt.Sprint(c.ID, c.StartTime.UnixNano(), c.Tags))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	st2, err := s.Messages(context.Background(), fetch.Request{Bot: "bot", Window: w}, func(p []exportapi.Message) {
		mu.Lock()
		defer mu.Unlock()
		for _, m := range p {
			msgs = append(msgs, fmt.Sprint(m.ID, m.Time.UnixNano(), m.Type))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Add(st2)
	slices.Sort(convs)
	slices.Sort(msgs)
	return convs, msgs, st
}

func (f *tierFixture) want(w exportapi.Window) (convs, msgs []string) {
	d := f.sim.Dataset()
	for _, c := range d.Conversations("bot", w.From, w.To) {
		convs = append(convs, fmt.Sprint(c.ID, c.Start.UnixNano(), c.Tags))
	}
	for _, m := range d.Messages("bot", w.From, w.To, "") {
		msgs = append(msgs, fmt.Sprint(m.ID, m.Time.UnixNano(), m.Type))
	}
	slices.Sort(convs)
	slices.Sort(msgs)
	return convs, msgs
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
}

// TestARestartReadsNothingSettledAgain: a settled 7-day range read by one process
// costs a new process on the same store nothing, and the numbers are exact.
func TestARestartReadsNothingSettledAgain(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newTierFixture(t)
	dir := t.TempDir()
	w := exportapi.Window{From: f.now.Add(-7*24*time.Hour - 9*time.Minute), To: f.now.Add(-2 * time.Hour)}
	wantC, wantM := f.want(w)

	first := diskcache.Open(dir, 1<<30, newTestLog(t))
	c, m, st := counts(t, f.process(t, first), w)
	same(t, "first read, conversations", c, wantC)
	same(t, "first read, messages", m, wantM)
	if st.Requests == 0 || len(st.Warnings) > 0 {
		t.Fatalf("first read: %+v", st)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(dir, diskcache.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{tierKey, strings.TrimPrefix(f.url, "http://")} {
		if strings.Contains(string(file), secret) {
			t.Fatalf("the store file holds %q", secret)
		}
	}

	second := diskcache.Open(dir, 1<<30, newTestLog(t))
	t.Cleanup(func() { _ = second.Close() })
	before := f.requests()
	c, m, st = counts(t, f.process(t, second), w)
	same(t, "after the restart, conversations", c, wantC)
	same(t, "after the restart, messages", m, wantM)
	if n := f.requests() - before; n != 0 || st.TierHits == 0 {
		t.Fatalf("after the restart the settled range cost %d requests (tier hits %d)", n, st.TierHits)
	}
	// A wider range pays only for what the store lacks: the live hours.
	wide := exportapi.Window{From: w.From, To: f.now}
	wc, wm := f.want(wide)
	c, m, _ = counts(t, f.process(t, second), wide)
	same(t, "wider, conversations", c, wc)
	same(t, "wider, messages", m, wm)
	if n := f.requests() - before; n == 0 || n > 4 {
		t.Fatalf("the two unsettled hours cost %d requests", n)
	}
}

// TestADamagedStoreNeverGivesWrongNumbers flips bytes all over the file, and
// truncates it: every later read is exact, from what survives or from the API.
func TestADamagedStoreNeverGivesWrongNumbers(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := newTierFixture(t)
	w := exportapi.Window{From: f.now.Add(-5 * 24 * time.Hour), To: f.now.Add(-3 * time.Hour)}
	wantC, wantM := f.want(w)
	for _, damage := range []struct {
		name string
		do   func(t *testing.T, path string, b []byte) []byte
		// mayMiss: the damage may hit no value the range needs (a cut that
		// takes only free pages), and then read 1 costs nothing either.
		mayMiss bool
	}{
		{"bytes flipped in the values", func(t *testing.T, path string, b []byte) []byte {
			// Bytes of every value, wherever bbolt happened to put it (that
			// varies with the order the writes committed in): bbolt's own
			// structure stays whole, so only the store's checks can tell.
			for _, v := range valueRanges(t, path, b) {
				for i := v[0] + (v[1]-v[0])/2; i < v[1]; i += 4093 {
					b[i] ^= 0x5a
				}
			}
			return b
		}, false},
		{"every page's header overwritten", func(_ *testing.T, _ string, b []byte) []byte {
			for i := 0; i+64 < len(b); i += 4096 {
				copy(b[i:], "garbage garbage garbage garbage garbage garbage garbage garbage!")
			}
			return b
		}, false},
		{"cut in half", func(_ *testing.T, _ string, b []byte) []byte { return b[:len(b)/2] }, true},
		{"not a database", func(*testing.T, string, []byte) []byte { return []byte("hello") }, false},
	} {
		t.Run(damage.name, func(t *testing.T) {
			dir := t.TempDir()
			st := diskcache.Open(dir, 1<<30, newTestLog(t))
			counts(t, f.process(t, st), w)
			_ = st.Close()
			path := filepath.Join(dir, diskcache.FileName)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, damage.do(t, path, b), 0o600); err != nil {
				t.Fatal(err)
			}
			again := diskcache.Open(dir, 1<<30, newTestLog(t))
			t.Cleanup(func() { _ = again.Close() })
			// The first read pays for what was lost; the second finds on disk
			// what the first one wrote back.
			for i := range 2 {
				before := f.requests()
				c, m, _ := counts(t, f.process(t, again), w)
				same(t, "conversations", c, wantC)
				same(t, "messages", m, wantM)
				if cost := f.requests() - before; (i == 0) != (cost > 0) && (i > 0 || !damage.mayMiss) {
					t.Fatalf("read %d after the damage cost %d requests", i+1, cost)
				}
			}
		})
	}
}

// valueRanges are the byte ranges in b (the closed store's file) of the values
// its leaf pages hold, other than buckets: bbolt finds the pages, and each
// page's element headers (flags, pos, ksize, vsize after a 16-byte page header;
// bbolt's on-disk layout) say where each value lies.
func valueRanges(t *testing.T, path string, b []byte) [][2]int {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var out [][2]int
	err = db.View(func(tx *bolt.Tx) error {
		size := tx.DB().Info().PageSize
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return err
			}
			if p.Type == "leaf" {
				at := id * size
				for i := range p.Count {
					el := at + 16 + 16*i
					u32 := func(o int) int { return int(binary.LittleEndian.Uint32(b[el+o:])) }
					if u32(0)&1 != 0 {
						continue // a bucket, not a value
					}
					from := el + u32(4) + u32(8)
					out = append(out, [2]int{from, from + u32(12)})
				}
			}
			if p.Type != "free" { // a free page's header is whatever it last held
				id += p.OverflowCount
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("the store holds no values to damage (%d bytes)", len(b))
	}
	return out
}
