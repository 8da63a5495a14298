package exportapi

import (
	"context"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Spans go to whatever tracer provider the process set up (the plugin SDK sets
// Grafana's when tracing is on), and metrics to the default Prometheus
// registry, which the SDK serves to Grafana: the client needs neither to know
// it runs in Grafana.
var tracer = otel.Tracer("github.com/agentx-support/agentx-export-datasource/pkg/exportapi")

var (
	requestsTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "agentx_export", Name: "api_requests_total",
		Help: "Requests sent to the Export API, by endpoint and HTTP status (0: no answer).",
	}, []string{"endpoint", "code"})
	rateLimitedTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "agentx_export", Name: "api_rate_limited_total",
		Help: "Export API answers 429 (rate limit), by endpoint.",
	}, []string{"endpoint"})
	retriesTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "agentx_export", Name: "api_retries_total",
		Help: "Requests sent again after a transient failure (5xx, broken connection or body), by endpoint.",
	}, []string{"endpoint"})
	limiterWait = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "agentx_export", Name: "limiter_wait_seconds",
		Help:    "Time a request waited for the rate limit (local or shared), by endpoint.",
		Buckets: []float64{0.001, 0.01, 0.1, 0.35, 1, 3, 10, 30},
	}, []string{"endpoint"})
)

// startSpan starts a span of the client's work.
func startSpan(ctx context.Context, name, endpoint string) (context.Context, trace.Span) {
	return tracer.Start(ctx, name, trace.WithAttributes(attribute.String("agentx.endpoint", endpoint)))
}

func countRequest(endpoint string, status int) {
	requestsTotal.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
}
