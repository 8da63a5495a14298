package plugin

import (
	"context"
	"net/http/httptest"
	"sync"
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

var (
	benchOnce    sync.Once
	benchStructs *structRecords
	benchColumns *columnRecords
)

// benchRecords reads the simulator's records once through the real client and
// keeps them as hour pages and as hour batches.
func benchRecords(b *testing.B) (*structRecords, *columnRecords) {
	benchOnce.Do(func() {
		data := simulator.NewDataset(simulator.Config{Bots: []string{"busy"}, Days: benchDays + 1, PerHour: benchPerHour, Seed: 5, Now: func() time.Time { return benchNow }})
		srv := httptest.NewServer(simulator.NewServer(data, simulator.ServerConfig{APIKey: "k", RequestsPerSecond: -1}))
		defer srv.Close()
		c, err := exportapi.New(exportapi.Config{BaseURL: srv.URL, APIKey: "k", RequestsPerSecond: 1e6})
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
		benchStructs = &structRecords{conversationPages: byHour(convs, func(c *exportapi.Conversation) time.Time { return c.StartTime }),
			messagePages: byHour(msgs, func(m *exportapi.Message) time.Time { return m.Time })}
		benchColumns = &columnRecords{}
		for _, p := range benchStructs.conversationPages {
			cb, err := columnar.BuildConversations(p)
			if err != nil {
				b.Fatal(err)
			}
			benchColumns.conversations = append(benchColumns.conversations, cb)
		}
		for _, p := range benchStructs.messagePages {
			mb, err := columnar.BuildMessages(p)
			if err != nil {
				b.Fatal(err)
			}
			benchColumns.messages = append(benchColumns.messages, mb)
		}
	})
	return benchStructs, benchColumns
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
var dashboardBatch = []struct {
	name string
	q    query.Query
}{
	{"volume-by-tag", query.Query{Type: query.TypeConversationVolume, GroupBy: query.GroupTag}},
	{"rate-by-locale", query.Query{Type: query.TypeTagRate, Tag: "resolved", GroupBy: query.GroupLocale}},
	{"p90-user-messages", query.Query{Type: query.TypeUserMessages, Stat: query.StatP90}},
	{"counts-by-metadata", query.Query{Type: query.TypeConversationCounts, GroupBy: query.GroupMetadata, MetadataKey: "channel", Limit: 100}},
	{"median-duration", query.Query{Type: query.TypeConversationDuration, Stat: query.StatP50}},
	{"message-volume-by-type", query.Query{Type: query.TypeMessageVolume, GroupBy: query.GroupType}},
	{"histogram", query.Query{Type: query.TypeUserMessageHistogram}},
}

var otherTypes = []struct {
	name string
	q    query.Query
}{
	{"avg-user-messages-by-tag", query.Query{Type: query.TypeUserMessages, Stat: query.StatAvg, GroupBy: query.GroupTag}},
	{"volume-filtered", query.Query{Type: query.TypeConversationVolume, Filters: query.Filters{Tags: []string{"resolved"}, Locales: []string{"en_us", "(none)"}}}},
	{"message-volume-by-locale", query.Query{Type: query.TypeMessageVolume, GroupBy: query.GroupLocale}},
	{"values-metadata-channel", query.Query{Type: query.TypeValues, Field: query.FieldMetadataValue, MetadataKey: "channel", Limit: 100}},
	{"conversations-table", query.Query{Type: query.TypeConversations, Limit: 100}},
	{"messages-table", query.Query{Type: query.TypeMessages, Limit: 100}},
}

// BenchmarkAnswers measures each query type's aggregation over batches in
// memory, on the columns and on the struct path, in records per CPU-second.
// The "batch" case is the seven queries one after another.
func BenchmarkAnswers(b *testing.B) {
	structs, columns := benchRecords(b)
	w := exportapi.Window{From: benchNow.Add(-benchDays * 24 * time.Hour), To: benchNow}
	type path struct {
		name string
		d    reader
		run  func(d reader, q *query.Query) error
	}
	paths := []path{
		{"columns", columns, func(d reader, q *query.Query) error {
			_, _, err := answerers[q.Type](d, context.Background(), q, w)
			return err
		}},
		{"structs", structs, func(_ reader, q *query.Query) error {
			_, _, err := structAnswers[q.Type](structs, context.Background(), q, w)
			return err
		}},
	}
	records := func(q *query.Query) int {
		n := 0
		if q.Type == query.TypeMessageVolume || q.Type == query.TypeMessages || q.Type == query.TypeTranscript {
			for _, m := range columns.messages {
				n += m.Len()
			}
			return n
		}
		for _, c := range columns.conversations {
			n += c.Len()
		}
		return n
	}
	for _, p := range paths {
		b.Run("batch/"+p.name, func(b *testing.B) {
			start, n := ownCPUSeconds(b), 0
			for b.Loop() {
				for _, c := range dashboardBatch {
					q := c.q
					q.Bot, q.Bucket = "busy", "1h"
					if err := p.run(p.d, &q); err != nil {
						b.Fatal(err)
					}
					n += records(&q)
				}
			}
			b.ReportMetric(float64(n)/(ownCPUSeconds(b)-start), "records/CPU-s")
		})
		for _, c := range append(dashboardBatch[:len(dashboardBatch):len(dashboardBatch)], otherTypes...) {
			b.Run(c.name+"/"+p.name, func(b *testing.B) {
				q := c.q
				q.Bot, q.Bucket = "busy", "1h"
				start, n := ownCPUSeconds(b), 0
				for b.Loop() {
					if err := p.run(p.d, &q); err != nil {
						b.Fatal(err)
					}
					n += records(&q)
				}
				b.ReportMetric(float64(n)/(ownCPUSeconds(b)-start), "records/CPU-s")
			})
		}
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
