package plugin

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestTheKeyNeverFollowsARedirectToAnotherServer points a data source at a server
// that redirects to a second one: health, queries and the editors' resources must
// fail with a message naming the second server, which never sees the key.
func TestTheKeyNeverFollowsARedirectToAnotherServer(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, simURL := startSim(t, simulator.Faults{})
	var sawKey atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") != "" {
			sawKey.Add(1)
		}
		// Answer as the API would, so that following the redirect would look like success.
		http.Redirect(w, r, simURL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(target.Close)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	targetHost := strings.TrimPrefix(target.URL, "http://")

	d := newTestDatasource(t, redirector.URL, nil)
	h, err := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != backend.HealthStatusError || !strings.Contains(h.Message, targetHost) || strings.Contains(h.Message, "key works") {
		t.Fatalf("health after a redirect to another server: %v %q", h.Status, h.Message)
	}
	resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("A", "conversationVolume", testNow.Add(-2*time.Hour), testNow, map[string]any{}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if r := resp.Responses["A"]; r.Error == nil || !strings.Contains(r.Error.Error(), targetHost) {
		t.Fatalf("query after a redirect: %v", r.Error)
	}
	status, body := callResource(t, d, "values?field=tag")
	if msg, _ := body["error"].(string); status == http.StatusOK || !strings.Contains(msg, targetHost) {
		t.Fatalf("resource after a redirect: %d %v", status, body)
	}
	if n := sawKey.Load(); n != 0 {
		t.Fatalf("the other server received the API key %d times", n)
	}
}

// TestHealthFindsTheConversationOfTheWindowsFirstSecond answers the health check's
// one-record request with a conversation that started in the same second as the
// window, just before its exact start: the bot has conversations.
func TestHealthFindsTheConversationOfTheWindowsFirstSecond(t *testing.T) {
	testparallel.BesideWaiting(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := r.URL.Query().Get("start_time")
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"data":[{"_id":"c1","startTime":%s.2,"tags":["resolved"]}],"cursor":"more"}`, start)
	}))
	t.Cleanup(api.Close)
	d := newTestDatasource(t, api.URL, nil)
	h, err := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != backend.HealthStatusOk || !strings.Contains(h.Message, "has conversations in the last 24 hours") {
		t.Fatalf("%v %q", h.Status, h.Message)
	}
}

func TestHealthSaysARejectedKeyOnce(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{})
	inst, err := Factory(testOptions())(t.Context(), instanceSettings(url, nil, "wrong-key-4411"))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)
	h, _ := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	if n := strings.Count(strings.ToLower(h.Message), "rejected the api key"); n != 1 || !strings.HasPrefix(h.Message, "The AgentX") {
		t.Fatalf("%q", h.Message)
	}
}
