package fetch_test

import (
	"sync"
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
	// otel hands tracers made before the first provider to that provider only, so
	// the recorder is set once per process and each run reads the spans it added.
	rec := spanRecorder()
	seen := len(rec.Ended())

	f := newTierFixture(t)
	counts(t, f.process(t), exportapi.Window{From: f.now.Add(-6 * time.Hour), To: f.now})
	names := map[string]int{}
	for _, s := range rec.Ended()[seen:] {
		names[s.Name()]++
	}
	for _, want := range []string{"fetch.read", "exportapi.page", "exportapi.limiter_wait"} {
		if names[want] == 0 {
			t.Errorf("no %s span; spans: %v", want, names)
		}
	}
}

var spanRecorder = sync.OnceValue(func() *tracetest.SpanRecorder {
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	return rec
})
