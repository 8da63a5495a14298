package plugin

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

const testKey = "plugin-test-key-71c2"

var testNow = time.Date(2026, 11, 20, 12, 34, 56, 789_000_000, time.UTC)

func startSim(t testing.TB, faults simulator.Faults) (*simulator.Server, string) {
	t.Helper()
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210", "acme-support"}, Days: 4, PerHour: 30, Seed: 5,
		Now: func() time.Time { return testNow }})
	srv := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1, Faults: faults})
	return srv, startServer(t, srv)
}

// startServer serves srv over HTTP on loopback until the test ends.
func startServer(t testing.TB, srv *simulator.Server) string {
	t.Helper()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL
}

func instanceSettings(baseURL string, jsonData map[string]any, key string) backend.DataSourceInstanceSettings {
	// No background sync unless a test asks: it would add requests to what tests count.
	// No partial answers unless a test asks: on a busy machine a read may outlast the
	// default 20 s, and a test of exact numbers must not turn into a test of speed.
	jd := map[string]any{"baseUrl": baseURL, "defaultBot": "r3-218210", "requestsPerSecond": 100, "syncDays": 0, "responseSeconds": 600}
	for k, v := range jsonData {
		jd[k] = v
	}
	raw, _ := json.Marshal(jd)
	return backend.DataSourceInstanceSettings{ID: 1, UID: "agentx-test", Name: "AgentX", Type: PluginID, JSONData: raw,
		DecryptedSecureJSONData: map[string]string{"apiKey": key}, Updated: time.Now()}
}

// testOptions run a data source on the simulator's clock, with a cache and flights
// of its own: the clock stands still, so a read's live records would otherwise
// stay on offer to any later test whose server got the same port.
func testOptions() Options {
	return Options{Cache: fetch.NewCache(DefaultCacheBytes), Flights: fetch.NewFlights(), Now: func() time.Time { return testNow },
		Backoff: fastBackoff}
}

// fastBackoff keeps retries in tests to milliseconds: what is tested is that
// they happen and what they end in, not how long they wait.
var fastBackoff = exportapi.Backoff{Base: time.Millisecond, Cap: 10 * time.Millisecond}

func newTestDatasource(t testing.TB, baseURL string, jsonData map[string]any) *Datasource {
	t.Helper()
	inst, err := Factory(testOptions())(t.Context(), instanceSettings(baseURL, jsonData, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)
	return d
}

func dataQuery(refID, queryType string, from, to time.Time, model map[string]any) backend.DataQuery {
	model["refId"] = refID
	raw, _ := json.Marshal(model)
	return backend.DataQuery{RefID: refID, QueryType: queryType, JSON: raw, TimeRange: backend.TimeRange{From: from, To: to},
		Interval: time.Minute, MaxDataPoints: 1000}
}

// simMatches is the contract's filter rules written again, independently of the
// plugin's query package, over the simulator's own records. A filter value selects
// a group as grouping shows it, "(none)" included.
func simMatches(c simulator.Conversation, tags, exclude, locales []string, metadata map[string]string) bool {
	inTagGroup := func(tag string) bool {
		if tag == "(none)" && len(c.Tags) == 0 {
			return true
		}
		return slices.Contains(c.Tags, tag)
	}
	for _, t := range tags {
		if !inTagGroup(t) {
			return false
		}
	}
	for _, t := range exclude {
		if inTagGroup(t) {
			return false
		}
	}
	if len(locales) > 0 && !slices.Contains(locales, noneIfEmpty(c.LocaleGroup())) {
		return false
	}
	var meta map[string]json.RawMessage
	_ = json.Unmarshal(c.Metadata, &meta)
	for k, want := range metadata {
		got := ""
		if raw, ok := meta[k]; ok && string(raw) != "null" {
			if err := json.Unmarshal(raw, &got); err != nil {
				got = string(raw)
			}
		}
		if noneIfEmpty(got) != noneIfEmpty(want) {
			return false
		}
	}
	return true
}

// grpcSource is one data source of the shared gRPC plugin server, addressed as
// Grafana addresses it: by its instance settings in each call's plugin context.
type grpcSource struct {
	tp   datasourcetest.TestPlugin
	pctx backend.PluginContext
}

// overGRPC is the data source is on the shared gRPC plugin server.
func overGRPC(t *testing.T, is backend.DataSourceInstanceSettings) grpcSource {
	t.Helper()
	return grpcSource{tp: startGRPC(t), pctx: pluginContext(is)}
}

// pluginContext is what Grafana sends with each call for the data source is.
func pluginContext(is backend.DataSourceInstanceSettings) backend.PluginContext {
	return backend.PluginContext{PluginID: PluginID, DataSourceInstanceSettings: &is}
}

// query sends qs in one request, as a dashboard does; the error is the call's.
func (s grpcSource) query(ctx context.Context, qs ...backend.DataQuery) (*backend.QueryDataResponse, error) {
	return s.tp.Client.QueryData(ctx, &backend.QueryDataRequest{PluginContext: s.pctx, Queries: qs})
}

// alert sends qs in one request, as Grafana's alerting engine does.
func (s grpcSource) alert(ctx context.Context, qs ...backend.DataQuery) (*backend.QueryDataResponse, error) {
	return s.tp.Client.QueryData(ctx, &backend.QueryDataRequest{PluginContext: s.pctx, Queries: qs,
		Headers: map[string]string{backend.FromAlertHeaderName: "true"}})
}

// mustQuery is query on the test's context; a failed call fails the test.
func (s grpcSource) mustQuery(t *testing.T, qs ...backend.DataQuery) *backend.QueryDataResponse {
	t.Helper()
	resp, err := s.query(t.Context(), qs...)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func (s grpcSource) health(ctx context.Context) (*backend.CheckHealthResult, error) {
	return s.tp.Client.CheckHealth(ctx, &backend.CheckHealthRequest{PluginContext: s.pctx})
}
