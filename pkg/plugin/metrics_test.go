package plugin

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestMetricsReachGrafanasRegistry: after a query, the default registry (which
// the SDK serves to Grafana) holds the requests, limiter waits, cache use and
// exports, with the labels an operator filters by.
func TestMetricsReachGrafanasRegistry(t *testing.T) {
	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	runSaved(t, d, "volume", map[string]any{"queryType": "conversationVolume"}, testNow.Add(-3*time.Hour), testNow)
	registerCacheGauges()
	families, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
			seen[f.GetName()] += v
		}
	}
	for _, name := range []string{"agentx_export_api_requests_total", "agentx_export_limiter_wait_seconds",
		"agentx_export_exports_total", "agentx_export_cache_segments_total"} {
		if seen[name] <= 0 {
			t.Errorf("%s: %v after a query that read the API", name, seen[name])
		}
	}
	for _, name := range []string{"agentx_export_memory_cache_bytes", "agentx_export_memory_cache_segments", "agentx_export_disk_cache_bytes"} {
		if _, ok := seen[name]; !ok {
			t.Errorf("%s is not registered", name)
		}
	}
}
