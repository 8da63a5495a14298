package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestRangesPast2262OverGRPCNameTheBounds sends the range as Grafana does, epoch
// milliseconds in the request's time range, straight to the gRPC service: the SDK
// turns 2300 into nanoseconds that wrap into the 1700s, so the plugin sees a range
// that ends before it starts. The answer must say which times can be read.
func TestRangesPast2262OverGRPCNameTheBounds(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	is := instanceSettings(url, nil, testKey)
	is.UID = "wrapped-range"
	src := overGRPC(t, is)
	ms := func(year int) int64 { return time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli() }
	ranges := map[string][2]int64{"1960–2300": {ms(1960), ms(2300)}, "2000–2300": {ms(2000), ms(2300)}, "1960–2000": {ms(1960), ms(2000)}}
	var queries []backend.DataQuery
	for ref := range ranges {
		queries = append(queries, dataQuery(ref, "conversationVolume", testNow.Add(-time.Hour), testNow, map[string]any{}))
	}
	req := backend.ToProto().QueryDataRequest(&backend.QueryDataRequest{PluginContext: src.pctx, Queries: queries})
	for _, q := range req.Queries {
		q.TimeRange.FromEpochMS, q.TimeRange.ToEpochMS = ranges[q.RefId][0], ranges[q.RefId][1]
	}
	raw, err := src.tp.Client.DataClient.QueryData(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := backend.FromProto().QueryDataResponse(raw)
	if err != nil {
		t.Fatal(err)
	}
	for ref := range ranges {
		if r := resp.Responses[ref]; r.Error == nil || !strings.Contains(r.Error.Error(), "must lie within 1970-01-01 and 2262-04-11") {
			t.Errorf("%s: %v", ref, r.Error)
		}
	}
	if n := sim.Counts(); n.Conversations+n.Messages != 0 {
		t.Fatalf("%d upstream requests for ranges that cannot be read", n.Conversations+n.Messages)
	}
}
