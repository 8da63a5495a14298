package plugin

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"

	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestOverGRPC serves the plugin the way Grafana talks to it, over gRPC, and runs
// the health check and both table queries against the simulator.
func TestOverGRPC(t *testing.T) {
	sim, url := startSim(t, simulator.Faults{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	tp, err := datasourcetest.Manage(NewDatasource, datasourcetest.ManageOpts{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tp.Shutdown() }()

	is := instanceSettings(url, map[string]any{"bots": []string{"acme-support"}}, testKey)
	pctx := backend.PluginContext{PluginID: PluginID, DataSourceInstanceSettings: &is}

	health, err := tp.Client.CheckHealth(t.Context(), &backend.CheckHealthRequest{PluginContext: pctx})
	if err != nil {
		t.Fatal(err)
	}
	if health.Status != backend.HealthStatusOk || !strings.Contains(health.Message, "API key works") {
		t.Fatalf("health: %v %s", health.Status, health.Message)
	}

	mFrom := testNow.Add(-90 * time.Minute)
	resp, err := tp.Client.QueryData(t.Context(), &backend.QueryDataRequest{PluginContext: pctx, Queries: []backend.DataQuery{
		dataQuery("C", "conversations", from, to, map[string]any{"limit": 100000}),
		dataQuery("M", "messages", mFrom, testNow, map[string]any{"bot": "acme-support", "limit": 100000}),
		dataQuery("X", "conversations", from, to, map[string]any{"groupBy": 3}),
	}})
	if err != nil {
		t.Fatal(err)
	}
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
