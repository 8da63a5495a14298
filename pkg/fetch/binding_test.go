package fetch_test

// A stored segment names its own lane and span: a tier whose key or header says
// otherwise (one flipped bit, a renamed index member, a value moved to another
// lane) must give a miss and the API's exact numbers, never a wrong count.

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	bolt "go.etcd.io/bbolt"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/sharedcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// twoBots is a fixture whose bots have different records, so that one bot's
// segment in the other's lane gives a different count.
func twoBots(t *testing.T) *tierFixture {
	now := time.Date(2026, 11, 20, 12, 34, 56, 0, time.UTC)
	data := simulator.NewDataset(simulator.Config{Bots: []string{"bot", "other"}, Days: 9, PerHour: 15, Seed: 4, Now: func() time.Time { return now }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: tierKey, RequestsPerSecond: -1})
	hs := httptest.NewServer(sim)
	t.Cleanup(hs.Close)
	return &tierFixture{sim: sim, url: hs.URL, now: now}
}

// conversationIDs reads bot's conversations of w and returns their ids, sorted.
func conversationIDs(t *testing.T, s *fetch.Source, bot string, w exportapi.Window) ([]string, fetch.Stats) {
	t.Helper()
	var ids []string
	st, err := s.Conversations(context.Background(), fetch.Request{Bot: bot, Window: w}, func(p []exportapi.Conversation) {
		for _, c := range p {
			ids = append(ids, c.ID)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids, st
}

func (f *tierFixture) wantIDs(bot string, w exportapi.Window) []string {
	var ids []string
	for _, c := range f.sim.Dataset().Conversations(bot, w.From, w.To) {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}

// exactFromTheAPI reads w for bot in a fresh process on tier and demands the
// simulator's exact records, read from the API, with a warning that says why.
func exactFromTheAPI(t *testing.T, f *tierFixture, tier fetch.Tier, bot string, w exportapi.Window) {
	t.Helper()
	before := f.requests()
	got, st := conversationIDs(t, f.process(t, tier), bot, w)
	if want := f.wantIDs(bot, w); !slices.Equal(got, want) {
		t.Fatalf("%s: %d conversations after the tampering, want %d (%d requests)", bot, len(got), len(want), f.requests()-before)
	}
	if f.requests() == before {
		t.Fatal("the tampered time was not read from the API")
	}
	t.Logf("%s: %d conversations, exact, for %d requests", bot, len(got), f.requests()-before)
	if !slices.ContainsFunc(st.Warnings, func(w string) bool { return strings.Contains(w, tier.Name()) }) {
		t.Fatalf("no warning names %s: %q", tier.Name(), st.Warnings)
	}
	// What the API gave was written back over the tampered values: the next
	// process finds it whole.
	before = f.requests()
	got, st = conversationIDs(t, f.process(t, tier), bot, w)
	if want := f.wantIDs(bot, w); !slices.Equal(got, want) || len(st.Warnings) > 0 {
		t.Fatalf("%s, read again: %d conversations, want %d; warnings %q", bot, len(got), len(want), st.Warnings)
	}
	if n := f.requests() - before; n != 0 {
		t.Fatalf("read again, the settled range cost %d requests: the tampered values were not replaced", n)
	}
}

// upBit returns t moved later by flipping its lowest zero bit at or above 2^41 ns (about 37 minutes).
func upBit(t time.Time) time.Time {
	ns := uint64(t.UnixNano())
	for b := 41; ; b++ {
		if ns&(1<<b) == 0 {
			return time.Unix(0, int64(ns|1<<b)).UTC()
		}
	}
}

// downBit returns t moved earlier by flipping its lowest one bit at or above 2^41 ns.
func downBit(t time.Time) time.Time {
	ns := uint64(t.UnixNano())
	for b := 41; ; b++ {
		if ns&(1<<b) != 0 {
			return time.Unix(0, int64(ns&^(1<<b))).UTC()
		}
	}
}

// editBolt rewrites every stored segment of the closed store file in dir; with
// keep, the edited copy is stored beside the original.
func editBolt(t *testing.T, dir string, keep bool, edit func(k, v []byte) (nk, nv []byte)) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, diskcache.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("segments"))
		type kv struct{ k, v []byte }
		var all []kv
		if err := b.ForEach(func(k, v []byte) error {
			all = append(all, kv{slices.Clone(k), slices.Clone(v)})
			return nil
		}); err != nil {
			return err
		}
		if len(all) == 0 {
			return fmt.Errorf("no segment stored")
		}
		for _, e := range all {
			nk, nv := edit(slices.Clone(e.k), slices.Clone(e.v))
			if !keep {
				if err := b.Delete(e.k); err != nil {
					return err
				}
			}
			if err := b.Put(nk, nv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// earlier moves a bbolt key's From earlier by one bit.
func earlier(k, v []byte) ([]byte, []byte) {
	from := time.Unix(0, int64(binary.BigEndian.Uint64(k[16:])^(1<<63)))
	binary.BigEndian.PutUint64(k[16:], uint64(downBit(from).UnixNano())^(1<<63))
	return k, v
}

func TestATamperedDiskSegmentIsAMiss(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := twoBots(t)
	first := exportapi.Window{From: f.now.Add(-5 * 24 * time.Hour), To: f.now.Add(-3 * 24 * time.Hour)}
	// The second read is wider, so a span that claims more than it holds would hide records.
	wide := exportapi.Window{From: f.now.Add(-6 * 24 * time.Hour), To: f.now.Add(-2 * 24 * time.Hour)}
	for _, c := range []struct {
		name string
		keep bool
		edit func(k, v []byte) ([]byte, []byte)
	}{
		{"a bit of To flipped in the value header", false, func(k, v []byte) ([]byte, []byte) {
			to := time.Unix(0, int64(binary.BigEndian.Uint64(v[0:8])))
			binary.BigEndian.PutUint64(v[0:8], uint64(upBit(to).UnixNano()))
			return k, v
		}},
		{"the key's From moved earlier", false, earlier},
		// The copy overlaps time the store holds whole: it is dropped, so that
		// it does not cost a warning on every later read.
		{"a copy of each segment under an earlier From", true, earlier},
		{"a final segment given an expiry, a live one made final", false, func(k, v []byte) ([]byte, []byte) {
			if binary.BigEndian.Uint64(v[8:16]) == 0 {
				binary.BigEndian.PutUint64(v[8:16], uint64(f.now.Add(time.Hour).UnixNano()))
			} else {
				binary.BigEndian.PutUint64(v[8:16], 0)
			}
			return k, v
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			st := diskcache.Open(dir, 1<<30, newTestLog(t))
			conversationIDs(t, f.process(t, st), "bot", first)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			editBolt(t, dir, c.keep, c.edit)
			again := diskcache.Open(dir, 1<<30, newTestLog(t))
			t.Cleanup(func() { _ = again.Close() })
			w := wide
			if strings.HasPrefix(c.name, "a final") {
				w = first
			}
			exactFromTheAPI(t, f, again, "bot", w)
		})
	}
}

func TestATamperedRedisSegmentIsAMiss(t *testing.T) {
	testparallel.BesideWaiting(t)
	f := twoBots(t)
	first := exportapi.Window{From: f.now.Add(-5 * 24 * time.Hour), To: f.now.Add(-3 * 24 * time.Hour)}
	wide := exportapi.Window{From: f.now.Add(-6 * 24 * time.Hour), To: f.now.Add(-2 * 24 * time.Hour)}
	ctx := context.Background()
	setup := func(t *testing.T) (*redis.Client, *sharedcache.Shared) {
		srv := redistest.Start(t)
		rdb := redis.NewClient(&redis.Options{Addr: strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "redis://"), "/0")})
		t.Cleanup(func() { _ = rdb.Close() })
		shared, err := sharedcache.Open(srv.URL(), "", newTestLog(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = shared.Close() })
		return rdb, shared
	}
	indexes := func(t *testing.T, rdb *redis.Client) []string {
		t.Helper()
		keys, err := rdb.Keys(ctx, "agentx-export:segs:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		return keys
	}

	t.Run("an index member renamed with its value", func(t *testing.T) {
		rdb, shared := setup(t)
		conversationIDs(t, f.process(t, shared), "bot", first)
		for _, idx := range indexes(t, rdb) {
			lane := strings.TrimPrefix(idx, "agentx-export:segs:")
			members, err := rdb.ZRange(ctx, idx, 0, -1).Result()
			if err != nil || len(members) == 0 {
				t.Fatalf("index %s: %v %v", idx, members, err)
			}
			for _, m := range members {
				a, b, _ := strings.Cut(m, ":")
				to, _ := strconv.ParseInt(b, 10, 64)
				later := upBit(time.Unix(0, to))
				renamed := a + ":" + strconv.FormatInt(later.UnixNano(), 10)
				if err := rdb.Rename(ctx, "agentx-export:seg:"+lane+":"+m, "agentx-export:seg:"+lane+":"+renamed).Err(); err != nil {
					t.Fatal(err)
				}
				rdb.ZRem(ctx, idx, m)
				rdb.ZAdd(ctx, idx, redis.Z{Score: float64(later.Unix()), Member: renamed})
			}
		}
		exactFromTheAPI(t, f, shared, "bot", wide)
	})

	t.Run("a value moved to another lane", func(t *testing.T) {
		rdb, shared := setup(t)
		conversationIDs(t, f.process(t, shared), "bot", first)
		botIdx := indexes(t, rdb)
		conversationIDs(t, f.process(t, shared), "other", first)
		var otherIdx []string
		for _, k := range indexes(t, rdb) {
			if !slices.Contains(botIdx, k) {
				otherIdx = append(otherIdx, k)
			}
		}
		if len(botIdx) != 1 || len(otherIdx) != 1 {
			t.Fatalf("lanes: %q, then %q", botIdx, otherIdx)
		}
		// The other bot's lane now holds the first bot's segments, under its own names.
		from := strings.TrimPrefix(botIdx[0], "agentx-export:segs:")
		to := strings.TrimPrefix(otherIdx[0], "agentx-export:segs:")
		old, _ := rdb.ZRange(ctx, otherIdx[0], 0, -1).Result()
		for _, m := range old {
			rdb.Del(ctx, "agentx-export:seg:"+to+":"+m)
		}
		if err := rdb.Copy(ctx, botIdx[0], otherIdx[0], 0, true).Err(); err != nil {
			t.Fatal(err)
		}
		members, _ := rdb.ZRange(ctx, botIdx[0], 0, -1).Result()
		for _, m := range members {
			if err := rdb.Copy(ctx, "agentx-export:seg:"+from+":"+m, "agentx-export:seg:"+to+":"+m, 0, true).Err(); err != nil {
				t.Fatal(err)
			}
		}
		exactFromTheAPI(t, f, shared, "other", first)
	})
}
