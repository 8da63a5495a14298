package frames

import (
	"math"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// statRecord is one conversation as a statistic sees it.
type statRecord struct {
	t     time.Time
	group []string
	value int64
}

// statRecords is a month of conversations in five locales, with user message
// counts (0..11 mostly, a few long ones) or durations in microseconds (seconds
// to days, nearly all distinct).
func statRecords(durations bool) []statRecord {
	rng := rand.New(rand.NewPCG(3, 4))
	locales := [][]string{{"en_us"}, {"de_de"}, {"fr_fr"}, {NoneGroup}, {"ja_jp"}}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	out := make([]statRecord, benchRecords)
	for i := range out {
		var v int64
		if durations {
			v = int64(math.Exp(rng.NormFloat64()*1.5+math.Log(300)) * 1e6) // a median of 5 minutes
		} else {
			v = int64(rng.IntN(12))
			if rng.IntN(1000) == 0 {
				v = int64(rng.IntN(300))
			}
		}
		out[i] = statRecord{t: start.Add(time.Duration(i) * 2600 * time.Millisecond), group: locales[rng.IntN(len(locales))], value: v}
	}
	return out
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// statShapes are the cells of the benchmark: minute buckets by locale (about 5
// values a cell, where a cell's own memory counts most), hourly buckets by
// locale (about 280) and one bucket for the whole range (a stat panel: 1M
// values in one cell).
func statShapes(records []statRecord) []statShape {
	from := records[0].t
	to := records[len(records)-1].t.Add(time.Second)
	return []statShape{
		{"minutely-by-locale", NewBuckets(from, to, time.Minute), selection.Grouper{By: query.GroupLocale}},
		{"hourly-by-locale", NewBuckets(from, to, time.Hour), selection.Grouper{By: query.GroupLocale}},
		{"whole-range", RangeBucket(from, to), selection.Grouper{}},
	}
}

type statShape struct {
	name    string
	buckets Buckets
	g       selection.Grouper
}

// addAll adds records to a statistic (Statistic or the reference) as an answerer would.
func (shape statShape) addAll(records []statRecord, add func(t time.Time, groups []string, v int64)) {
	none := []string{""}
	for i := range records {
		groups := records[i].group
		if !shape.g.Grouped() {
			groups = none
		}
		add(records[i].t, groups, records[i].value)
	}
}

// BenchmarkStatistic measures Add and Frames of a p90 over 1M conversations,
// and the same over referenceStatistic (the map histogram percentiles had
// before; Add and the value of every cell, without building frames).
// records/CPU-s counts the process's CPU, the collector's included; B/value is
// the heap the cells hold once every value is added.
func BenchmarkStatistic(b *testing.B) {
	for _, values := range []string{"userMessages", "durations"} {
		records := statRecords(values == "durations")
		for _, shape := range statShapes(records) {
			for _, impl := range []string{"rankedValues", "mapHistogram"} {
				b.Run(values+"/"+shape.name+"/"+impl, func(b *testing.B) {
					b.ReportAllocs()
					run := func() (held any, answer func()) {
						if impl == "mapHistogram" {
							s := newReferenceStatistic(shape.buckets, query.StatP90, 1)
							shape.addAll(records, s.Add)
							return s, func() {
								for _, row := range s.cells {
									for i := range row {
										_ = s.value(&row[i])
									}
								}
							}
						}
						s := NewStatistic(shape.buckets, SeriesSpec{Field: "p90"}, shape.g, query.StatP90, 1, nil)
						shape.addAll(records, s.Add)
						return s, func() { _ = s.Frames() }
					}
					held := heldBytes(func() any { h, _ := run(); return h })
					cpu := cpuTime()
					for b.Loop() {
						_, answer := run()
						answer()
					}
					used := (cpuTime() - cpu).Seconds()
					b.ReportMetric(float64(len(records))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
					if used > 0 {
						b.ReportMetric(float64(len(records))*float64(b.N)/used, "records/CPU-s")
					}
					b.ReportMetric(float64(held)/float64(len(records)), "B/value")
				})
			}
		}
	}
}

// heldBytes is the heap that what build returns holds, after a collection.
func heldBytes(build func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	held := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(held)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}
