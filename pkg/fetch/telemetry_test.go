package fetch_test

import (
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// TestAReadLeavesSpans: a read shows in the process's tracer as the read, the
// pages it fetched and the limiter waits before them.
func TestAReadLeavesSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	f := newTierFixture(t)
	counts(t, f.process(t), exportapi.Window{From: f.now.Add(-6 * time.Hour), To: f.now})
	names := map[string]int{}
	for _, s := range rec.Ended() {
		names[s.Name()]++
	}
	for _, want := range []string{"fetch.read", "exportapi.page", "exportapi.limiter_wait"} {
		if names[want] == 0 {
			t.Errorf("no %s span; spans: %v", want, names)
		}
	}
}
