package plugin

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestAFrameCarriesEachNoticeOnce damages every segment a replica shared in a real
// Redis: the next replica finds each one unreadable, reads the API instead (the
// numbers stay exact) and says so on the frame once, not once per segment.
func TestAFrameCarriesEachNoticeOnce(t *testing.T) {
	testparallel.BesideWaiting(t)
	srv := redistest.Start(t)
	_, url := startSim(t, simulator.Faults{})
	settings := map[string]any{"redisUrl": srv.URL()}
	from, to := testNow.Add(-72*time.Hour), testNow.Add(-26*time.Hour)
	q := dataQuery("A", "conversationVolume", from, to, map[string]any{"bucket": "1h"})
	want := series(t, run(t, newTestDatasource(t, url, settings), q).Responses["A"], "")

	opts, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer func() { _ = rdb.Close() }()
	damaged := 0
	// The segments' values (their index and the rate limiter's keys are left alone).
	iter := rdb.Scan(t.Context(), 0, "*seg:*", 0).Iterator()
	for iter.Next(t.Context()) {
		if typ, _ := rdb.Type(t.Context(), iter.Val()).Result(); typ == "string" {
			if err := rdb.Set(t.Context(), iter.Val(), "\x00\x00\x00\x00\x00\x00\x00\x00not a segment", 0).Err(); err != nil {
				t.Fatal(err)
			}
			damaged++
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if damaged < 2 {
		t.Fatalf("only %d shared values to damage; the test needs several segments", damaged)
	}

	r := run(t, newTestDatasource(t, url, settings), q).Responses["A"]
	got := series(t, r, "")
	for at, v := range want[""] {
		if g := got[""][at]; (v == nil) != (g == nil) || (v != nil && *v != *g) {
			t.Fatalf("at %s: %v after the damage, %v before", time.Unix(0, at).UTC(), g, v)
		}
	}
	for _, f := range r.Frames {
		seen := map[string]bool{}
		for _, n := range f.Meta.Notices {
			if seen[n.Text] {
				t.Fatalf("the frame carries %q more than once (%d notices for %d damaged values)", n.Text, len(f.Meta.Notices), damaged)
			}
			seen[n.Text] = true
		}
		t.Logf("%d damaged values, notices %v", damaged, f.Meta.Notices)
	}
}
