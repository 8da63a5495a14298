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
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestASlowAPIGetsThePluginsOwnMessageBeforeTheDeadline calls QueryData over gRPC
// for an alert rule, with a deadline, as Grafana does, against an API that takes
// 10 s a page: an alert never gets a partial answer; it gets the plugin's message
// about what was read and what to change, not a bare DeadlineExceeded.
func TestASlowAPIGetsThePluginsOwnMessageBeforeTheDeadline(t *testing.T) {
	t.Parallel() // waits on a slow server of its own
	// 10 s a page against an 8 s deadline: the answer margin (a tenth, 800 ms) is
	// wide enough for a busy machine to carry the answer back in time.
	_, url := startSim(t, simulator.Faults{Latency: 10 * time.Second})
	tp := startGRPC(t)
	is := instanceSettings(url, nil, testKey)
	is.UID = "slow-api"
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Second)
	defer cancel()
	resp, err := tp.Client.QueryData(ctx, &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{PluginID: PluginID, DataSourceInstanceSettings: &is},
		Headers:       map[string]string{backend.FromAlertHeaderName: "true"},
		Queries:       []backend.DataQuery{dataQuery("A", "conversationVolume", testNow.Add(-72*time.Hour), testNow, map[string]any{})},
	})
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
