package fetch

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"go.opentelemetry.io/otel"
)

// Spans and metrics go to the process's tracer provider and the default
// Prometheus registry (see exportapi/telemetry.go).
var tracer = otel.Tracer("github.com/agentx-support/agentx-export-datasource/pkg/fetch")

var (
	cacheLookups = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "agentx_export", Name: "cache_segments_total",
		Help: "Settled segments queries took, by where they came from (memory, or the disk and Redis tiers), and runs of settled time read from the API (miss).",
	}, []string{"source"})
	exportsTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "agentx_export", Name: "exports_total",
		Help: "Exports a query read from, by endpoint and whether another query had started it (shared).",
	}, []string{"endpoint", "shared"})
	tierErrors = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "agentx_export", Name: "cache_tier_errors_total",
		Help: "Reads or writes of the disk or Redis cache that failed and were skipped.",
	}, []string{"tier", "op"})
)

// tierLabel names a tier in metrics.
func tierLabel(t Tier) string {
	if t.Name() == "the disk cache" {
		return "disk"
	}
	return "redis"
}
