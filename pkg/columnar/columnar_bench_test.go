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

func BenchmarkConversations(b *testing.B) {
	recs := simulatorRecords(b).conversations
	n := len(recs)
	for _, span := range benchSpans {
		parts := bySpan(recs, span, func(c *exportapi.Conversation) time.Time { return c.StartTime })
		batches, heap := heapPerRecord(n, func() []*Conversations { return buildConversationBatches(b, parts) })
		encoded := make([][]byte, len(batches))
		disk := 0
		for i, bt := range batches {
			encoded[i] = bt.Encode()
			disk += len(encoded[i])
		}
		decoded, decodedHeap := heapPerRecord(n, func() []*Conversations { return decodeConversationBatches(b, encoded) })
		origin := recs[0].StartTime.Truncate(24 * time.Hour)
		checkAggregates(b, recs, decoded, origin)
		name := fmt.Sprintf("span=%s/records=%d", span, n)
		b.Run(name+"/build", func(b *testing.B) {
			cpu := startCPU(b)
			for b.Loop() {
				buildConversationBatches(b, parts)
				cpu.records += n
			}
			cpu.report("records/CPU-s")
			b.ReportMetric(heap, "heap-B/record")
		})
		b.Run(name+"/encode", func(b *testing.B) {
			cpu := startCPU(b)
			for b.Loop() {
				for _, bt := range batches {
					bt.Encode()
				}
				cpu.records += n
			}
			cpu.report("records/CPU-s")
			b.ReportMetric(float64(disk)/float64(n), "disk-B/record")
		})
		b.Run(name+"/decode", func(b *testing.B) {
			cpu := startCPU(b)
			for b.Loop() {
				decodeConversationBatches(b, encoded)
				cpu.records += n
			}
			cpu.report("records/CPU-s")
			b.ReportMetric(decodedHeap, "heap-B/record")
		})
		b.Run(name+"/count-by-tag-per-day", func(b *testing.B) {
			cpu := startCPU(b)
			for b.Loop() {
				countByTag(decoded, newDayGroups(origin))
				cpu.records += n
			}
			cpu.report("records/CPU-s")
		})
		b.Run(name+"/count-by-metadata-per-day", func(b *testing.B) {
			cpu := startCPU(b)
			for b.Loop() {
				countByMetadata(decoded, benchMetadataKey, newDayGroups(origin))
				cpu.records += n
			}
			cpu.report("records/CPU-s")
		})
		runtime.KeepAlive(batches)
	}
	b.Run("structs/count-by-metadata-per-day", func(b *testing.B) {
		origin := recs[0].StartTime.Truncate(24 * time.Hour)
		cpu := startCPU(b)
		for b.Loop() {
			countStructs(recs, byChannelGrouper, newDayGroups(origin))
			cpu.records += n
		}
		cpu.report("records/CPU-s")
	})
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
	for _, span := range benchSpans {
		parts := bySpan(recs, span, func(m *exportapi.Message) time.Time { return m.Time })
		batches, heap := heapPerRecord(n, func() []*Messages { return buildMessageBatches(b, parts) })
		encoded := make([][]byte, len(batches))
		disk := 0
		for i, bt := range batches {
			encoded[i] = bt.Encode()
			disk += len(encoded[i])
		}
		_, decodedHeap := heapPerRecord(n, func() []*Messages { return decodeMessageBatches(b, encoded) })
		name := fmt.Sprintf("span=%s/records=%d", span, n)
		b.Run(name+"/build", func(b *testing.B) {
			cpu := startCPU(b)
			for b.Loop() {
				buildMessageBatches(b, parts)
				cpu.records += n
			}
			cpu.report("records/CPU-s")
			b.ReportMetric(heap, "heap-B/record")
		})
		b.Run(name+"/encode", func(b *testing.B) {
			cpu := startCPU(b)
			for b.Loop() {
				for _, bt := range batches {
					bt.Encode()
				}
				cpu.records += n
			}
			cpu.report("records/CPU-s")
			b.ReportMetric(float64(disk)/float64(n), "disk-B/record")
		})
		b.Run(name+"/decode", func(b *testing.B) {
			cpu := startCPU(b)
			for b.Loop() {
				decodeMessageBatches(b, encoded)
				cpu.records += n
			}
			cpu.report("records/CPU-s")
			b.ReportMetric(decodedHeap, "heap-B/record")
		})
		runtime.KeepAlive(batches)
	}
}
