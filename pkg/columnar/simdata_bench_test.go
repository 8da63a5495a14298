package columnar

import (
	"context"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// The benchmarks run on the simulator's busy bot (1250 conversations an hour,
// 30,000 a day) for benchDays days, read through the real client once per process.
const (
	benchDays    = 3
	benchPerHour = 1250
)

var benchNow = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

type simRecords struct {
	conversations []exportapi.Conversation
	messages      []exportapi.Message
}

// simulatorRecords reads the records afresh for each benchmark, which drops
// them once its batches are built: a process that holds half a million decoded
// structs pays for them in every garbage collection, and a process serving
// from the columns holds none.
func simulatorRecords(b *testing.B) simRecords {
	var out simRecords
	data := simulator.NewDataset(simulator.Config{Bots: []string{"busy"}, Days: benchDays + 1, PerHour: benchPerHour, Seed: 5, Now: func() time.Time { return benchNow }})
	srv := httptest.NewServer(simulator.NewServer(data, simulator.ServerConfig{APIKey: "k", RequestsPerSecond: -1}))
	defer srv.Close()
	c, err := exportapi.New(exportapi.Config{BaseURL: srv.URL, APIKey: "k", Limiters: (&exportapi.LimiterPool{}).Acquire(srv.URL, "k", 1e6)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := exportapi.Request{Bot: "busy", Window: exportapi.Window{From: benchNow.Add(-benchDays * 24 * time.Hour), To: benchNow}, PerPage: 1000}
	ctx := context.Background()
	if _, err := c.Conversations(ctx, req, func(p []exportapi.Conversation) error {
		out.conversations = append(out.conversations, p...)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Messages(ctx, req, func(p []exportapi.Message) error {
		out.messages = append(out.messages, p...)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return out
}

// bySpan cuts records into batches of span each, as segments of whole chunks would be.
func bySpan[T any](recs []T, span time.Duration, at func(*T) time.Time) [][]T {
	var out [][]T
	from := 0
	for i := range recs {
		if at(&recs[i]).Truncate(span) != at(&recs[from]).Truncate(span) {
			out = append(out, recs[from:i])
			from = i
		}
	}
	if from < len(recs) {
		out = append(out, recs[from:])
	}
	return out
}

// cpuTime is the process's user and system CPU so far: a figure per CPU-second
// does not depend on what else the machine runs.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perCPUSecond reports records per CPU-second of a timed loop.
type perCPUSecond struct {
	b       *testing.B
	start   time.Duration
	records int
}

func startCPU(b *testing.B) *perCPUSecond {
	return &perCPUSecond{b: b, start: cpuTime(b)}
}

func (p *perCPUSecond) report(unit string) {
	spent := cpuTime(p.b) - p.start
	p.b.ReportMetric(float64(p.records)/spent.Seconds(), unit)
}
