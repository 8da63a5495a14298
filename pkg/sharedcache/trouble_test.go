package sharedcache

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
)

// TestAKeyOfAnotherTypeIsDeletedNotAnOutage: each kind of key the plugin uses,
// overwritten with a value of another type, is deleted and the call goes on;
// Redis stays in use.
func TestAKeyOfAnotherTypeIsDeletedNotAnOutage(t *testing.T) {
	srv := redistest.Start(t)
	s := replica(t, srv.URL(), "a")
	ctx := context.Background()
	raw := redis.NewClient(&redis.Options{Addr: strings.TrimSuffix(strings.TrimPrefix(srv.URL(), "redis://"), "/0")})
	defer raw.Close()
	plant := func(key string) {
		t.Helper()
		if err := raw.Del(ctx, key).Err(); err != nil {
			t.Fatal(err)
		}
		if err := raw.HSet(ctx, key, "x", "y").Err(); err != nil {
			t.Fatal(err)
		}
	}
	seg := fetch.Stored{From: t0, To: t0.Add(time.Hour), Data: []byte("records")}

	plant(indexKey(lane))
	if err := s.Save(ctx, lane, []fetch.Stored{seg}, t0); err != nil {
		t.Fatalf("save over a planted index: %v", err)
	}
	plant(indexKey(lane))
	if _, err := s.Load(ctx, lane, t0, t0.Add(time.Hour), t0); err != nil {
		t.Fatalf("load of a planted index: %v", err)
	}
	if err := raw.Set(ctx, leaseKey(lane), "not a hash", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, lane, "t1", time.Minute, func([]fetch.Span) []fetch.Span { return []fetch.Span{hours(0, 1)} }); err != nil {
		t.Fatalf("claim over a planted lease key: %v", err)
	}
	plant("rate:" + keyPrefix + "rate:k")
	if _, err := s.Reserve(ctx, "k", 3); err != nil {
		t.Fatalf("reserve over a planted limiter key: %v", err)
	}
	// A string the rate limit's script cannot read is as much a data problem.
	if err := raw.Set(ctx, "rate:"+keyPrefix+"rate:k", "planted", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, "k", 3); err != nil {
		t.Fatalf("reserve over a planted limiter value: %v", err)
	}
	if st := s.Status(); !st.Healthy {
		t.Fatalf("after WRONGTYPE keys: %+v", st)
	}
}

// TestAFullRedisKeepsLeasesAndTheRateLimit: in a Redis at its maxmemory with
// noeviction, the oldest segments make room for newer ones, segments that do
// not fit are not kept, Redis stays in use, and leases and the rate limit work.
func TestAFullRedisKeepsLeasesAndTheRateLimit(t *testing.T) {
	// 2 MB: redis-server 7.0 itself takes about 0.95 MB, so at 1 MB nothing of
	// ours fits, not even a lease, and there is no segment to make room with.
	srv := redistest.StartWith(t, "--maxmemory", "2mb", "--maxmemory-policy", "noeviction")
	s := replica(t, srv.URL(), "a")
	ctx := context.Background()
	big := make([]byte, 64<<10)
	// 200 segments of 64 KB: the oldest make room for the newest.
	for i := range 200 {
		seg := fetch.Stored{From: t0.Add(time.Duration(i) * time.Hour), To: t0.Add(time.Duration(i+1) * time.Hour), Data: big}
		if err := s.Save(ctx, lane, []fetch.Stored{seg}, t0); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	if got, err := s.Load(ctx, lane, t0, t0.Add(time.Hour), t0); err != nil || len(got) != 0 {
		t.Fatalf("the oldest segment of a full Redis: %d, %v", len(got), err)
	}
	if got, err := s.Load(ctx, lane, t0.Add(199*time.Hour), t0.Add(200*time.Hour), t0); err != nil || len(got) != 1 {
		t.Fatalf("the newest segment of a full Redis: %d, %v", len(got), err)
	}
	if st := s.Status(); !st.Healthy {
		t.Fatalf("segments that did not fit made Redis unavailable: %+v", st)
	}
	// Fill what is left with small segments, up to the last byte.
	small := "99998888777766665555444433332222"
	for i := range 1000 {
		seg := fetch.Stored{From: t0.Add(time.Duration(i) * time.Minute), To: t0.Add(time.Duration(i+1) * time.Minute), Data: big[:8<<10]}
		if err := s.Save(ctx, small, []fetch.Stored{seg}, t0); err != nil {
			break
		}
	}
	other := "11112222333344445555666677778888"
	if _, err := s.Claim(ctx, other, "t1", time.Minute, func([]fetch.Span) []fetch.Span { return []fetch.Span{hours(0, 1)} }); err != nil {
		t.Fatalf("claim in a full Redis: %v", err)
	}
	for i := range 5 {
		if _, err := s.Reserve(ctx, "k"+string(rune('a'+i)), 3); err != nil {
			t.Fatalf("reserve in a full Redis: %v", err)
		}
	}
	if st := s.Status(); !st.Healthy {
		t.Fatalf("a full Redis: %+v", st)
	}
}

// TestAtOneMegabyteLeasesAndTheRateLimitStillWork: at 1 MB redis-server's own
// memory is past the limit, so that every write is refused and there is no
// segment to make room with; leases and the rate limit still work, and still
// pace: a replica that found them refused would go to its own share while
// the others went on at the shared rate.
func TestAtOneMegabyteLeasesAndTheRateLimitStillWork(t *testing.T) {
	srv := redistest.StartWith(t, "--maxmemory", "1mb", "--maxmemory-policy", "noeviction")
	a, b := replica(t, srv.URL(), "a"), replica(t, srv.URL(), "b")
	ctx := context.Background()
	// A segment does not fit: it is not kept, and Redis stays in use.
	_ = a.Save(ctx, lane, []fetch.Stored{{From: t0, To: t0.Add(time.Hour), Data: make([]byte, 64<<10)}}, t0)
	if _, err := a.Claim(ctx, lane, "t1", time.Minute, func([]fetch.Span) []fetch.Span { return []fetch.Span{hours(0, 1)} }); err != nil {
		t.Fatalf("claim at 1 MB: %v", err)
	}
	var others []fetch.Span
	if _, err := b.Claim(ctx, lane, "t2", time.Minute, func(o []fetch.Span) []fetch.Span { others = o; return nil }); err != nil || len(others) != 1 {
		t.Fatalf("another replica's claim at 1 MB: it saw %v (%v)", others, err)
	}
	if wait, err := a.Reserve(ctx, "k", 0.01); err != nil || wait != 0 {
		t.Fatalf("the first reservation at 1 MB: wait %v (%v)", wait, err)
	}
	if wait, err := b.Reserve(ctx, "k", 0.01); err != nil || wait < 50*time.Second {
		t.Fatalf("another replica's reservation right after, at one per 100 s: wait %v (%v)", wait, err)
	}
	for _, s := range []*Shared{a, b} {
		if st := s.Status(); !st.Healthy {
			t.Fatalf("a Redis at 1 MB: %+v", st)
		}
	}
}
