package sharedcache

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
)

type testLog struct{ t *testing.T }

func (l testLog) Warn(msg string, args ...any) { l.t.Log(append([]any{"WARN", msg}, args...)...) }
func (l testLog) Info(msg string, args ...any) { l.t.Log(append([]any{"INFO", msg}, args...)...) }

// replica opens a client that plays one Grafana replica.
func replica(t *testing.T, url, name string) *Shared {
	t.Helper()
	s, err := Open(url, "", testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	s.process = name
	t.Cleanup(func() { _ = s.Close() })
	return s
}

const lane = "00112233445566778899aabbccddeeff"

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func hours(a, b int) fetch.Span {
	return fetch.Span{From: t0.Add(time.Duration(a) * time.Hour), To: t0.Add(time.Duration(b) * time.Hour)}
}

func TestSegmentsAreSharedReplacedAndExpire(t *testing.T) {
	srv := redistest.Start(t)
	a, b := replica(t, srv.URL(), "a"), replica(t, srv.URL(), "b")
	ctx := context.Background()
	seg := func(sp fetch.Span, data string, expires time.Time) fetch.Stored {
		return fetch.Stored{From: sp.From, To: sp.To, Data: []byte(data), Expires: expires}
	}
	if err := a.Save(ctx, lane, []fetch.Stored{seg(hours(0, 10), "x", time.Time{}), seg(hours(10, 20), "y", t0.Add(time.Hour))}, t0); err != nil {
		t.Fatal(err)
	}
	got, err := b.Load(ctx, lane, t0.Add(5*time.Hour), t0.Add(15*time.Hour), t0)
	if err != nil || len(got) != 2 || string(got[0].Data) != "x" || !got[0].Expires.IsZero() || !got[1].Expires.Equal(t0.Add(time.Hour)) {
		t.Fatalf("another replica reads %+v, %v", got, err)
	}
	// Past its expiry (on the data clock) a segment is not returned.
	if got, _ := b.Load(ctx, lane, t0, t0.Add(24*time.Hour), t0.Add(2*time.Hour)); len(got) != 1 {
		t.Fatalf("after the expiry: %d segments", len(got))
	}
	// A new segment replaces those it overlaps, in Redis too.
	if err := b.Save(ctx, lane, []fetch.Stored{seg(hours(5, 15), "z", time.Time{})}, t0); err != nil {
		t.Fatal(err)
	}
	got, _ = a.Load(ctx, lane, t0, t0.Add(24*time.Hour), t0)
	if len(got) != 1 || string(got[0].Data) != "z" {
		t.Fatalf("after the replacing save: %+v", got)
	}
}

func TestALeaseMakesOtherReplicasWaitUntilItLapses(t *testing.T) {
	srv := redistest.Start(t)
	a, b := replica(t, srv.URL(), "a"), replica(t, srv.URL(), "b")
	ctx := context.Background()
	all := func(want []fetch.Span) func([]fetch.Span) []fetch.Span {
		return func([]fetch.Span) []fetch.Span { return want }
	}
	var seen []fetch.Span
	watch := func(others []fetch.Span) []fetch.Span { seen = others; return nil }

	if _, err := a.Claim(ctx, lane, "t1", time.Hour, all([]fetch.Span{hours(0, 48)})); err != nil {
		t.Fatal(err)
	}
	// Another replica sees it; the same replica's other reads do not.
	if _, err := b.Claim(ctx, lane, "t2", time.Hour, watch); err != nil || len(seen) != 1 || seen[0] != hours(0, 48) {
		t.Fatalf("b sees %v (%v)", seen, err)
	}
	if _, err := a.Claim(ctx, lane, "t3", time.Hour, watch); err != nil || len(seen) != 0 {
		t.Fatalf("a's own lease blocks a: %v", seen)
	}
	// Released, it is gone.
	if err := a.Release(ctx, lane, "t1"); err != nil {
		t.Fatal(err)
	}
	if _, _ = b.Claim(ctx, lane, "t2", time.Hour, watch); len(seen) != 0 {
		t.Fatalf("after the release b sees %v", seen)
	}
	// A lease its holder stops renewing lapses, and another replica takes over.
	if _, err := a.Claim(ctx, lane, "t4", 50*time.Millisecond, all([]fetch.Span{hours(0, 48)})); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // past the lease's expiry, whatever the machine's load
	if _, _ = b.Claim(ctx, lane, "t2", time.Hour, watch); len(seen) != 0 {
		t.Fatalf("a lapsed lease still holds: %v", seen)
	}
}

func TestOneRateLimitForEveryReplica(t *testing.T) {
	srv := redistest.Start(t)
	a, b := replica(t, srv.URL(), "a"), replica(t, srv.URL(), "b")
	ctx := context.Background()
	// At one request per 100 s, the second request of any replica must wait
	// about that long, however slow the machine.
	if d, err := a.Reserve(ctx, "k", 0.01); err != nil || d != 0 {
		t.Fatalf("first request: wait %s, %v", d, err)
	}
	if d, err := b.Reserve(ctx, "k", 0.01); err != nil || d < 90*time.Second {
		t.Fatalf("another replica's request right after: wait %s, %v", d, err)
	}
	if d, err := b.Reserve(ctx, "other key", 0.01); err != nil || d != 0 {
		t.Fatalf("another key or endpoint has its own limit: wait %s, %v", d, err)
	}
}

func TestRedisAwayFailsFastAndComesBack(t *testing.T) {
	srv := redistest.Start(t)
	s := replica(t, srv.URL(), "a")
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil || !s.Status().Healthy {
		t.Fatalf("ping: %v", err)
	}
	srv.Kill()
	if _, err := s.Load(ctx, lane, t0, t0.Add(time.Hour), t0); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("load with Redis down: %v", err)
	}
	if st := s.Status(); st.Healthy || st.Problem == "" || !strings.Contains(st.Describe(), "unavailable") {
		t.Fatalf("status with Redis down: %+v", st)
	}
	// While it is away, calls fail at once instead of waiting for a dial.
	start := time.Now()
	for range 100 {
		if _, err := s.Reserve(ctx, "k", 3); err == nil {
			t.Fatal("a call succeeded with Redis down")
		}
	}
	if time.Since(start) > 50*opTimeout {
		t.Fatalf("100 calls with Redis down took %s", time.Since(start))
	}
	srv.Start(t)
	if err := s.Ping(ctx); err != nil || !s.Status().Healthy {
		t.Fatalf("Redis is back but: %v, %+v", err, s.Status())
	}
}

func TestAWrongPasswordIsSaidPlainly(t *testing.T) {
	srv := redistest.StartWithPassword(t, "the-password-17")
	good, err := Open(srv.URL(), "the-password-17", testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	if err := good.Ping(context.Background()); err != nil {
		t.Fatalf("the right password: %v", err)
	}
	s, err := Open(srv.URL(), "not-the-password-93", testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Ping(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refused the password") || strings.Contains(err.Error(), "not-the-password-93") || strings.Contains(s.Status().Problem, "not-the-password-93") {
		t.Fatalf("ping with a password Redis does not expect: %v", err)
	}
	t.Log(err)
}
