package plugin

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/settings"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestASlowAPIGetsThePluginsOwnMessageBeforeTheDeadline calls QueryData over gRPC
// for an alert rule, with a deadline, as Grafana does, against an API that takes
// 10 s a page: an alert never gets a partial answer; it gets the plugin's message
// about what was read and what to change, not a bare DeadlineExceeded.
func TestASlowAPIGetsThePluginsOwnMessageBeforeTheDeadline(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.WaitsLong(t) // waits on a slow server of its own
	// 10 s a page against an 8 s deadline: the answer margin (a tenth, 800 ms) is
	// wide enough for a busy machine to carry the answer back in time.
	_, url := startSim(t, simulator.Faults{Latency: 10 * time.Second})
	is := instanceSettings(url, nil, testKey)
	is.UID = "slow-api"
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Second)
	defer cancel()
	resp, err := overGRPC(t, is).alert(ctx, dataQuery("A", "conversationVolume", testNow.Add(-72*time.Hour), testNow, map[string]any{}))
	if err != nil {
		t.Fatalf("the call failed instead of answering: %v", err)
	}
	r := resp.Responses["A"]
	if r.Error == nil {
		t.Fatalf("a read that cannot finish answered without an error: %q", notices(r))
	}
	for _, want := range []string{"answered too slowly", "conversations", "of the 3d range", "remained unread", "narrow the time range"} {
		if !strings.Contains(r.Error.Error(), want) {
			t.Errorf("%q does not say %q", r.Error, want)
		}
	}
	if len(r.Frames) != 0 {
		t.Error("a failed read must not answer with frames")
	}
}

// TestAnAlertRuleAtTheRateLimitSaysWhatWasReadAndWhatToChange calls QueryData
// over gRPC for an alert rule over 20 days, against the simulator at its real
// rate limit and a data source that asks for less, 1 request a second (paced by
// this process, or through a real Redis shared with other replicas), with a
// deadline far shorter than the rate allows the read: the API refuses nothing,
// so the error is not a 429 but says what was read, what is left at that rate
// and what to change. (At 1 a second the rate stays the bound however slowly a
// busy machine serves pages: under -race a page takes the simulator 0.2 s.)
func TestAnAlertRuleAtTheRateLimitSaysWhatWasReadAndWhatToChange(t *testing.T) {
	// Its cases wait on the rate limit, so they can run beside the other waiting
	// tests; under the race detector they run on their own, in the sequential
	// phase, as the answer can take most of its margin to come back.
	if !raceEnabled {
		testparallel.WaitsLong(t)
	}
	// The two cases run at once, in this test's slot (testparallel.Together).
	cases := testparallel.RunTogether(t)
	defer cases.Wait()
	for _, limiter := range []string{"local", "shared"} {
		cases.Run(limiter, func(t *testing.T) {
			data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: 21, PerHour: 60, Seed: 19,
				Now: func() time.Time { return testNow }})
			sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: 3})
			jd := map[string]any{"requestsPerSecond": 1}
			if limiter == "shared" {
				jd["redisUrl"] = redistest.Start(t).URL()
			}
			is := instanceSettings(startServer(t, sim), jd, testKey)
			is.UID = "paced-alert-" + limiter
			// 20 days of 60 conversations an hour are about 29 pages: about 29 s at 1 a
			// second. The answer margin of an 8 s deadline (a tenth, 800 ms) carries the
			// answer back on a busy machine; that of 3 s did not, under -race and load.
			ctx, cancel := context.WithTimeout(t.Context(), 8*time.Second)
			defer cancel()
			start := time.Now()
			resp, err := overGRPC(t, is).alert(ctx, dataQuery("A", "conversationVolume", testNow.Add(-20*24*time.Hour), testNow, map[string]any{}))
			if err != nil {
				t.Fatalf("the call failed instead of answering: %v", err)
			}
			r := resp.Responses["A"]
			t.Logf("answered in %s with status %d after %d requests, %d answered 429: %v",
				time.Since(start).Round(10*time.Millisecond), r.Status, sim.Counts().Conversations, sim.Counts().RateLimited, r.Error)
			if r.Error == nil {
				t.Fatal("a read that cannot finish answered without an error")
			}
			if sim.Counts().RateLimited != 0 {
				t.Fatalf("the simulator answered %d requests 429: this test needs an API that refuses none", sim.Counts().RateLimited)
			}
			if r.Status == backend.StatusTooManyRequests {
				t.Errorf("status 429 although the API sent none: %v", r.Error)
			}
			msg := r.Error.Error()
			for _, want := range []string{"conversations covering", "of the 20d range", "remained unread", "more requests at 1 per second",
				"narrow the time range", "evaluation timeout", settings.Label("requestsPerSecond"), settings.Label("syncDays") + `" of 20 or more`} {
				if !strings.Contains(msg, want) {
					t.Errorf("%q does not say %q", msg, want)
				}
			}
			if shared := strings.Contains(msg, "shared through Redis"); shared != (limiter == "shared") {
				t.Errorf("%q: the limiter is %s", msg, limiter)
			}
			for _, wrong := range []string{"429", "retry after", "rate limit was reached"} {
				if strings.Contains(msg, wrong) {
					t.Errorf("%q says %q although the API refused nothing", msg, wrong)
				}
			}
		})
	}
}

// TestRangesOutsideWhatGrafanaCanSendAreRefused: years before 1970 or after 2262
// reach the plugin wrapped, so they are refused with a message, not answered.
func TestRangesOutsideWhatGrafanaCanSendAreRefused(t *testing.T) {
	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	resp := run(t, d,
		dataQuery("old", "conversationVolume", time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), testNow, map[string]any{}),
		dataQuery("far", "conversations", testNow, time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), map[string]any{}),
		dataQuery("ok", "conversationVolume", testNow.Add(-time.Hour), testNow, map[string]any{}),
	)
	for _, ref := range []string{"old", "far"} {
		if r := resp.Responses[ref]; r.Error == nil || !strings.Contains(r.Error.Error(), "within 1970-01-01 and 2262-04-11") {
			t.Errorf("%s: %v", ref, r.Error)
		}
	}
	if r := resp.Responses["ok"]; r.Error != nil {
		t.Fatal(r.Error)
	}
}

// TestBothEndpointsAreReadFromTheFirstMoment sends a dozen conversation queries
// and then a message query in one request: the messages export must not wait for
// a conversation query to finish.
func TestBothEndpointsAreReadFromTheFirstMoment(t *testing.T) {
	testparallel.Waits(t) // waits on the simulator's latency and the rate limit
	sim, _ := startSim(t, simulator.Faults{Latency: 300 * time.Millisecond})
	var mu sync.Mutex
	var order []string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order = append(order, r.URL.Path)
		mu.Unlock()
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	d := newTestDatasource(t, hs.URL, map[string]any{"requestsPerSecond": 3, "liveReuseSeconds": 0})
	from := testNow.Add(-96 * time.Hour)
	var qs []backend.DataQuery
	for i := range 12 {
		qs = append(qs, dataQuery(fmt.Sprint("c", i), "conversationVolume", from, testNow, map[string]any{"groupBy": "tag"}))
	}
	qs = append(qs, dataQuery("m", "messageVolume", testNow.Add(-2*time.Hour), testNow, map[string]any{}))
	resp := run(t, d, qs...)
	for ref, r := range resp.Responses {
		if r.Error != nil {
			t.Fatalf("%s: %v", ref, r.Error)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	lastConversations, firstMessages := -1, -1
	for i, p := range order {
		if p == exportapi.PathConversations {
			lastConversations = i
		} else if firstMessages < 0 {
			firstMessages = i
		}
	}
	if lastConversations < 2 || firstMessages > lastConversations {
		t.Fatalf("request order %v: the messages export waited for the conversations", order)
	}
}
