package plugin

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// One plugin server serves every gRPC test of this package (the SDK's harness
// registers process-wide metrics). TestMain starts it before any test, when
// nothing else of this process listens on a port.
var (
	grpcPlugin datasourcetest.TestPlugin
	grpcErr    error
)

func startGRPC(t *testing.T) datasourcetest.TestPlugin {
	t.Helper()
	if grpcErr != nil {
		t.Fatal(grpcErr)
	}
	return grpcPlugin
}

func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "" {
		// These tests make garbage far faster than they keep data (frames built to
		// be compared, pages decoded and dropped): collecting at three times the
		// live heap rather than twice saves about a third of their CPU. Child
		// plugin processes keep the default, as their peak memory is checked, and
		// so does a run under the race detector, whose shadow memory multiplies the heap.
		if os.Getenv("GOGC") == "" && !raceEnabled {
			debug.SetGCPercent(300)
		}
		// The in-process plugin server keeps no disk cache: tests of this
		// process must not read what an earlier run left in a user's directory.
		_ = os.Setenv("GF_PLUGIN_STORE_MB", "0")
		// Its data sources share one cache and registry of flights, as a plugin
		// process's do, on the tests' clock and with quick retries.
		grpcPlugin, _, grpcErr = serveOnFreePort(Factory(testOptions()), freeLoopbackAddr)
	}
	// The parallel tests here wait on rate limits and deadlines far more than
	// they compute; the longest waits start first (testparallel.Scheduled).
	testparallel.Scheduled()
	code := m.Run()
	if grpcPlugin.Server != nil {
		_ = grpcPlugin.Shutdown()
	}
	os.Exit(code)
}

// TestAlertRulesGetOneWideSeriesPerGroup sends what Grafana's alerting engine sends
// (the FromAlert header, no browser) and checks that each time series type answers
// with one time field and one labelled number field per frame, so a
// multi-dimensional rule alerts per group; that tables are refused with a reason;
// and that an upstream failure is an error, never an empty or zero series.
func TestAlertRulesGetOneWideSeriesPerGroup(t *testing.T) {
	_, url := startSim(t, simulator.Faults{})
	_, brokenURL := startSim(t, simulator.Faults{ServerErrors: 1})
	good := instanceSettings(url, nil, testKey)
	broken := instanceSettings(brokenURL, map[string]any{"timeoutSeconds": 2}, testKey)
	broken.UID, broken.ID = "broken", 2
	from, to := testNow.Add(-time.Hour), testNow
	alert := func(is backend.DataSourceInstanceSettings, qs ...backend.DataQuery) *backend.QueryDataResponse {
		resp, err := overGRPC(t, is).alert(t.Context(), qs...)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := alert(good,
		dataQuery("volume", "conversationVolume", from, to, map[string]any{"groupBy": "locale", "bucket": "5m",
			"filters": map[string]any{"locales": []string{"en_us", "de_de", "sv_se"}}}),
		dataQuery("rate", "tagRate", from, to, map[string]any{"tag": "liveChat", "groupBy": "metadata", "metadataKey": "channel", "bucket": "15m"}),
		dataQuery("stat", "userMessages", from, to, map[string]any{"stat": "p90", "bucket": "15m"}),
		dataQuery("messages", "messageVolume", from, to, map[string]any{"groupBy": "type", "bucket": "5m"}),
		dataQuery("table", "conversationCounts", from, to, map[string]any{"groupBy": "locale"}),
	)
	for ref, label := range map[string]string{"volume": "locale", "rate": "channel", "stat": "", "messages": "type"} {
		r := resp.Responses[ref]
		if r.Error != nil {
			t.Fatalf("%s: %v", ref, r.Error)
		}
		seen := map[string]bool{}
		for _, f := range r.Frames {
			if len(f.Fields) != 2 || f.Fields[0].Type() != data.FieldTypeTime || !f.Fields[1].Type().Numeric() {
				t.Fatalf("%s: frame is not one wide series: %d fields", ref, len(f.Fields))
			}
			// An hour off the hour touches 13 buckets of 5m and 5 of 15m.
			if n := f.Fields[0].Len(); n != len(expectedBuckets(from, to, 5*time.Minute)) && n != len(expectedBuckets(from, to, 15*time.Minute)) {
				t.Fatalf("%s: %d points, want every bucket of the hour", ref, n)
			}
			key := f.Fields[1].Labels.String()
			if label != "" && f.Fields[1].Labels[label] == "" {
				t.Fatalf("%s: series without a %s label: %q", ref, label, key)
			}
			if seen[key] {
				t.Fatalf("%s: two series with labels %q", ref, key)
			}
			seen[key] = true
		}
		if ref == "volume" && (!seen[`locale=sv_se`] || len(seen) != 3) {
			t.Fatalf("volume: series %v; every filtered locale must have a series, even with no conversations", seen)
		}
	}
	if r := resp.Responses["table"]; r.Error == nil || !strings.Contains(r.Error.Error(), "alert rules evaluate time series") {
		t.Fatalf("a table in an alert rule: %v", r.Error)
	}
	r := alert(broken, dataQuery("down", "conversationVolume", from, to, map[string]any{"bucket": "5m"})).Responses["down"]
	if r.Error == nil || len(r.Frames) != 0 {
		t.Fatalf("API down: error %v with %d frames; an alert on low volume must see an error, not zeros", r.Error, len(r.Frames))
	}
}

// TestOverGRPC serves the plugin the way Grafana talks to it, over gRPC, and runs
// the health check and both table queries against the simulator.
func TestOverGRPC(t *testing.T) {
	sim, url := startSim(t, simulator.Faults{})
	src := overGRPC(t, instanceSettings(url, map[string]any{"bots": []string{"acme-support"}}, testKey))

	health, err := src.health(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if health.Status != backend.HealthStatusOk || !strings.Contains(health.Message, "API key works") {
		t.Fatalf("health: %v %s", health.Status, health.Message)
	}

	mFrom := testNow.Add(-90 * time.Minute)
	resp := src.mustQuery(t,
		dataQuery("C", "conversations", from, to, map[string]any{"limit": 100000}),
		dataQuery("M", "messages", mFrom, testNow, map[string]any{"bot": "acme-support", "limit": 100000}),
		dataQuery("X", "conversations", from, to, map[string]any{"groupBy": 3}),
	)
	c, m, x := resp.Responses["C"], resp.Responses["M"], resp.Responses["X"]
	if c.Error != nil || m.Error != nil {
		t.Fatalf("errors: %v, %v", c.Error, m.Error)
	}
	if want := len(sim.Dataset().Conversations("r3-218210", from, to)); c.Frames[0].Rows() != want {
		t.Fatalf("conversations over gRPC: %d rows, want %d", c.Frames[0].Rows(), want)
	}
	if want := len(sim.Dataset().Messages("acme-support", mFrom, testNow, "")); m.Frames[0].Rows() != want {
		t.Fatalf("messages over gRPC: %d rows, want %d", m.Frames[0].Rows(), want)
	}
	// Field types survive the trip through Arrow.
	if typ := c.Frames[0].Fields[1].Type().String(); typ != "[]time.Time" {
		t.Errorf("start time arrives as %s", typ)
	}
	if typ := c.Frames[0].Fields[6].Type().String(); typ != "[]*json.RawMessage" {
		t.Errorf("metadata arrives as %s", typ)
	}
	if x.Error == nil || !strings.Contains(x.Error.Error(), "groupBy") {
		t.Errorf("malformed query over gRPC: %v", x.Error)
	}
}
