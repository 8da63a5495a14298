package columnar

import (
	"bytes"
	"fmt"
	"maps"
	"runtime"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// go test -run XXX -bench . -benchtime 3x ./pkg/columnar/
//
// Reports, per batch span: heap bytes per record of the built and of the
// decoded batches (all fields), encoded bytes per record, and records per
// CPU-second to build, encode, decode and aggregate.

var benchSpans = []time.Duration{time.Hour, 15 * time.Minute}

func heapInUse() uint64 {
	// The process's zstd coders, which keep their tables, are not the batches' weight.
	if _, err := decompress(compress(bytes.Repeat([]byte("warm up the coders "), 1<<16))); err != nil {
		panic(err)
	}
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// heapPerRecord is the heap that make's result holds, per record.
func heapPerRecord[T any](records int, make func() T) (T, float64) {
	before := heapInUse()
	v := make()
	after := heapInUse()
	return v, float64(int64(after)-int64(before)) / float64(records)
}

func buildConversationBatches(b *testing.B, parts [][]exportapi.Conversation) []*Conversations {
	out := make([]*Conversations, len(parts))
	for i, p := range parts {
		var err error
		if out[i], err = BuildConversations(p); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

func buildMessageBatches(b *testing.B, parts [][]exportapi.Message) []*Messages {
	out := make([]*Messages, len(parts))
	for i, p := range parts {
		var err error
		if out[i], err = BuildMessages(p); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// spanRun is what one batch span keeps once the structs are dropped.
type spanRun struct {
	name      string
	encoded   [][]byte
	disk      int
	builtHeap float64
}

// encodeAll encodes batches and sums their bytes.
func encodeAll[T interface{ Encode() []byte }](batches []T) ([][]byte, int) {
	out := make([][]byte, len(batches))
	disk := 0
	for i, bt := range batches {
		out[i] = bt.Encode()
		disk += len(out[i])
	}
	return out, disk
}

// cpuRate runs fn in a benchmark loop and reports records per CPU-second.
func cpuRate(b *testing.B, records int, fn func()) {
	cpu := startCPU(b)
	for b.Loop() {
		fn()
		cpu.records += records
	}
	cpu.report("records/CPU-s")
}

func BenchmarkConversations(b *testing.B) {
	recs := simulatorRecords(b).conversations
	n := len(recs)
	origin := recs[0].StartTime.Truncate(24 * time.Hour)
	var runs []spanRun
	for _, span := range benchSpans {
		parts := bySpan(recs, span, func(c *exportapi.Conversation) time.Time { return c.StartTime })
		batches, heap := heapPerRecord(n, func() []*Conversations { return buildConversationBatches(b, parts) })
		run := spanRun{name: fmt.Sprintf("span=%s/records=%d", span, n), builtHeap: heap}
		run.encoded, run.disk = encodeAll(batches)
		checkAggregates(b, recs, decodeConversationBatches(b, run.encoded), origin)
		b.Run(run.name+"/build", func(b *testing.B) {
			cpuRate(b, n, func() { buildConversationBatches(b, parts) })
			b.ReportMetric(heap, "heap-B/record")
		})
		parts, batches = nil, nil //nolint:ineffassign // drops the records before the next build is measured
		runs = append(runs, run)
	}
	b.Run("structs/count-by-metadata-per-day", func(b *testing.B) {
		cpuRate(b, n, func() { countStructs(recs, byChannelGrouper, newDayGroups(origin)) })
	})
	recs = nil //nolint:ineffassign // drops the records before the decode is measured
	for _, run := range runs {
		decoded, heap := heapPerRecord(n, func() []*Conversations { return decodeConversationBatches(b, run.encoded) })
		size := 0
		for _, d := range decoded {
			size += d.Size()
		}
		b.Run(run.name+"/encode", func(b *testing.B) {
			cpuRate(b, n, func() { encodeAll(decoded) })
			b.ReportMetric(float64(run.disk)/float64(n), "disk-B/record")
		})
		b.Run(run.name+"/decode", func(b *testing.B) {
			cpuRate(b, n, func() { decodeConversationBatches(b, run.encoded) })
			b.ReportMetric(heap, "heap-B/record")
			b.ReportMetric(float64(size)/float64(n), "Size-B/record")
		})
		b.Run(run.name+"/count-by-tag-per-day", func(b *testing.B) {
			cpuRate(b, n, func() { countByTag(decoded, newDayGroups(origin)) })
		})
		b.Run(run.name+"/count-by-metadata-per-day", func(b *testing.B) {
			cpuRate(b, n, func() { countByMetadata(decoded, benchMetadataKey, newDayGroups(origin)) })
		})
	}
}

func decodeConversationBatches(b *testing.B, encoded [][]byte) []*Conversations {
	out := make([]*Conversations, len(encoded))
	for i, e := range encoded {
		var err error
		if out[i], err = DecodeConversations(e); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

func decodeMessageBatches(b *testing.B, encoded [][]byte) []*Messages {
	out := make([]*Messages, len(encoded))
	for i, e := range encoded {
		var err error
		if out[i], err = DecodeMessages(e); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// checkAggregates fails unless the column aggregations give what the struct path gives.
func checkAggregates(b *testing.B, recs []exportapi.Conversation, batches []*Conversations, origin time.Time) {
	for _, c := range []struct {
		name    string
		columns func(*dayGroups)
		structs func(*dayGroups)
	}{
		{"tag", func(d *dayGroups) { countByTag(batches, d) }, func(d *dayGroups) { countStructs(recs, byTagGrouper, d) }},
		{"metadata", func(d *dayGroups) { countByMetadata(batches, benchMetadataKey, d) }, func(d *dayGroups) { countStructs(recs, byChannelGrouper, d) }},
	} {
		cols, structs := newDayGroups(origin), newDayGroups(origin)
		c.columns(cols)
		c.structs(structs)
		if !maps.Equal(cols.result(), structs.result()) {
			b.Fatalf("count by %s: columns %v, structs %v", c.name, cols.result(), structs.result())
		}
	}
}

func BenchmarkMessages(b *testing.B) {
	recs := simulatorRecords(b).messages
	n := len(recs)
	var runs []spanRun
	for _, span := range benchSpans {
		parts := bySpan(recs, span, func(m *exportapi.Message) time.Time { return m.Time })
		batches, heap := heapPerRecord(n, func() []*Messages { return buildMessageBatches(b, parts) })
		run := spanRun{name: fmt.Sprintf("span=%s/records=%d", span, n), builtHeap: heap}
		run.encoded, run.disk = encodeAll(batches)
		b.Run(run.name+"/build", func(b *testing.B) {
			cpuRate(b, n, func() { buildMessageBatches(b, parts) })
			b.ReportMetric(heap, "heap-B/record")
		})
		parts, batches = nil, nil //nolint:ineffassign // drops the records before the next build is measured
		runs = append(runs, run)
	}
	recs = nil //nolint:ineffassign // drops the records before the decode is measured
	for _, run := range runs {
		decoded, heap := heapPerRecord(n, func() []*Messages { return decodeMessageBatches(b, run.encoded) })
		size := 0
		for _, d := range decoded {
			size += d.Size()
		}
		b.Run(run.name+"/encode", func(b *testing.B) {
			cpuRate(b, n, func() { encodeAll(decoded) })
			b.ReportMetric(float64(run.disk)/float64(n), "disk-B/record")
		})
		b.Run(run.name+"/decode", func(b *testing.B) {
			cpuRate(b, n, func() { decodeMessageBatches(b, run.encoded) })
			b.ReportMetric(heap, "heap-B/record")
			b.ReportMetric(float64(size)/float64(n), "Size-B/record")
		})
	}
}
