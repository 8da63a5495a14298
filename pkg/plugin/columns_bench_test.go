package plugin

import (
	"context"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// The aggregation benchmarks run on the simulator's busy bot (1250
// conversations an hour, 30,000 a day) for benchDays days, in hour batches held
// in memory: what is measured is the aggregation itself, as a warm query runs it.
const (
	benchDays    = 3
	benchPerHour = 1250
)

var benchNow = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// columnRecords hands out prebuilt batches, as the fetch layer's memory tier does.
type columnRecords struct {
	conversations []*columnar.Conversations
	messages      []*columnar.Messages
}

func (d *columnRecords) request(_ context.Context, q *query.Query, w exportapi.Window) fetch.Request {
	return fetch.Request{Bot: q.Bot, Window: w}
}

func (d *columnRecords) knownBots() []string { return nil }

func (d *columnRecords) conversationColumns(_ context.Context, req fetch.Request, fn func(b *columnar.Conversations, from, to int)) (fetch.Stats, error) {
	for _, b := range d.conversations {
		if from, to := b.Rows(req.Window.From, req.Window.To); to > from {
			fn(b, from, to)
		}
	}
	return fetch.Stats{}, nil
}

func (d *columnRecords) messageColumns(_ context.Context, req fetch.Request, fn func(b *columnar.Messages, from, to int)) (fetch.Stats, error) {
	for _, b := range d.messages {
		if from, to := b.Rows(req.Window.From, req.Window.To); to > from {
			fn(b, from, to)
		}
	}
	return fetch.Stats{}, nil
}

// benchRecords reads the simulator's records through the real client, as hour
// pages. Each benchmark reads them afresh and keeps only the form it measures:
// a process that holds half a million decoded structs pays for them in every
// garbage collection, and a process serving from the columns holds none.
func benchRecords(b *testing.B) *structRecords {
	data := simulator.NewDataset(simulator.Config{Bots: []string{"busy"}, Days: benchDays + 1, PerHour: benchPerHour, Seed: 5, Now: func() time.Time { return benchNow }})
	srv := httptest.NewServer(simulator.NewServer(data, simulator.ServerConfig{APIKey: "k", RequestsPerSecond: -1}))
	defer srv.Close()
	c, err := exportapi.New(exportapi.Config{BaseURL: srv.URL, APIKey: "k", Limiters: (&exportapi.LimiterPool{}).Acquire(srv.URL, "k", 1e6)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := exportapi.Request{Bot: "busy", Window: exportapi.Window{From: benchNow.Add(-benchDays * 24 * time.Hour), To: benchNow}, PerPage: 1000}
	var convs []exportapi.Conversation
	var msgs []exportapi.Message
	if _, err := c.Conversations(context.Background(), req, func(p []exportapi.Conversation) error {
		convs = append(convs, p...)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Messages(context.Background(), req, func(p []exportapi.Message) error {
		msgs = append(msgs, p...)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return &structRecords{conversationPages: byHour(convs, func(c *exportapi.Conversation) time.Time { return c.StartTime }),
		messagePages: byHour(msgs, func(m *exportapi.Message) time.Time { return m.Time })}
}

// benchColumns is the records as hour batches, the structs dropped.
func benchColumns(b *testing.B) *columnRecords {
	recs := benchRecords(b)
	out := &columnRecords{}
	for _, p := range recs.conversationPages {
		cb, err := columnar.BuildConversations(p)
		if err != nil {
			b.Fatal(err)
		}
		out.conversations = append(out.conversations, cb)
	}
	for _, p := range recs.messagePages {
		mb, err := columnar.BuildMessages(p)
		if err != nil {
			b.Fatal(err)
		}
		out.messages = append(out.messages, mb)
	}
	runtime.GC()
	return out
}

func byHour[T any](recs []T, at func(*T) time.Time) [][]T {
	var out [][]T
	from := 0
	for i := range recs {
		if at(&recs[i]).Truncate(time.Hour) != at(&recs[from]).Truncate(time.Hour) {
			out = append(out, recs[from:i])
			from = i
		}
	}
	if from < len(recs) {
		out = append(out, recs[from:])
	}
	return out
}

// dashboardBatch is the seven-panel batch of the benchmark goals, and the types beside it.
var dashboardBatch = []benchCase{
	{"volume-by-tag", query.Query{Type: query.TypeConversationVolume, GroupBy: query.GroupTag}},
	{"rate-by-locale", query.Query{Type: query.TypeTagRate, Tag: "resolved", GroupBy: query.GroupLocale}},
	{"p90-user-messages", query.Query{Type: query.TypeUserMessages, Stat: query.StatP90}},
	{"counts-by-metadata", query.Query{Type: query.TypeConversationCounts, GroupBy: query.GroupMetadata, MetadataKey: "channel", Limit: 100}},
	{"median-duration", query.Query{Type: query.TypeConversationDuration, Stat: query.StatP50}},
	{"message-volume-by-type", query.Query{Type: query.TypeMessageVolume, GroupBy: query.GroupType}},
	{"histogram", query.Query{Type: query.TypeUserMessageHistogram}},
}

var otherTypes = []benchCase{
	{"avg-user-messages-by-tag", query.Query{Type: query.TypeUserMessages, Stat: query.StatAvg, GroupBy: query.GroupTag}},
	{"volume-filtered", query.Query{Type: query.TypeConversationVolume, Filters: query.Filters{Tags: []string{"resolved"}, Locales: []string{"en_us", "(none)"}}}},
	{"message-volume-by-locale", query.Query{Type: query.TypeMessageVolume, GroupBy: query.GroupLocale}},
	{"values-metadata-channel", query.Query{Type: query.TypeValues, Field: query.FieldMetadataValue, MetadataKey: "channel", Limit: 100}},
	{"conversations-table", query.Query{Type: query.TypeConversations, Limit: 100}},
	{"messages-table", query.Query{Type: query.TypeMessages, Limit: 100}},
}

type benchCase struct {
	name string
	q    query.Query
}

// BenchmarkColumns measures each query type's aggregation over batches in
// memory, in records per CPU-second. The "batch" case is the seven queries of
// the dashboard one after another.
func BenchmarkColumns(b *testing.B) {
	d := benchColumns(b)
	var convs, msgs int
	for _, c := range d.conversations {
		convs += c.Len()
	}
	for _, m := range d.messages {
		msgs += m.Len()
	}
	benchAnswers(b, convs, msgs, func(q *query.Query) error {
		_, _, err := answerers[q.Type](d, context.Background(), q, benchWindow)
		return err
	})
}

// BenchmarkStructs is BenchmarkColumns on the struct path the queries answered by before.
func BenchmarkStructs(b *testing.B) {
	d := benchRecords(b)
	var convs, msgs int
	for _, p := range d.conversationPages {
		convs += len(p)
	}
	for _, p := range d.messagePages {
		msgs += len(p)
	}
	runtime.GC()
	benchAnswers(b, convs, msgs, func(q *query.Query) error {
		_, _, err := structAnswers[q.Type](d, context.Background(), q, benchWindow)
		return err
	})
}

var benchWindow = exportapi.Window{From: benchNow.Add(-benchDays * 24 * time.Hour), To: benchNow}

func benchAnswers(b *testing.B, convs, msgs int, run func(q *query.Query) error) {
	records := func(q *query.Query) int {
		if q.Type == query.TypeMessageVolume || q.Type == query.TypeMessages || q.Type == query.TypeTranscript {
			return msgs
		}
		return convs
	}
	b.Run("batch", func(b *testing.B) {
		start, n := ownCPUSeconds(b), 0
		for b.Loop() {
			for _, c := range dashboardBatch {
				q := c.q
				q.Bot, q.Bucket = "busy", "1h"
				if err := run(&q); err != nil {
					b.Fatal(err)
				}
				n += records(&q)
			}
		}
		b.ReportMetric(float64(n)/(ownCPUSeconds(b)-start), "records/CPU-s")
	})
	for _, c := range append(dashboardBatch[:len(dashboardBatch):len(dashboardBatch)], otherTypes...) {
		b.Run(c.name, func(b *testing.B) {
			q := c.q
			q.Bot, q.Bucket = "busy", "1h"
			start, n := ownCPUSeconds(b), 0
			for b.Loop() {
				if err := run(&q); err != nil {
					b.Fatal(err)
				}
				n += records(&q)
			}
			b.ReportMetric(float64(n)/(ownCPUSeconds(b)-start), "records/CPU-s")
		})
	}
}

// ownCPUSeconds is the process's user and system CPU so far: a figure per
// CPU-second does not depend on what else the machine runs.
func ownCPUSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
