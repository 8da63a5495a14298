package frames

import (
	"math"
	"math/rand/v2"
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

// BenchmarkStatistic measures Add and Frames of a p90 over 1M conversations:
// hourly buckets by locale (about 280 values a cell) and one bucket for the
// whole range (a stat panel: 1M values in one cell). records/CPU-s counts the
// process's CPU, the collector's included.
func BenchmarkStatistic(b *testing.B) {
	for _, values := range []string{"userMessages", "durations"} {
		records := statRecords(values == "durations")
		from := records[0].t
		to := records[len(records)-1].t.Add(time.Second)
		for _, shape := range []struct {
			name    string
			buckets Buckets
			g       selection.Grouper
		}{
			{"hourly-by-locale", NewBuckets(from, to, time.Hour), selection.Grouper{By: query.GroupLocale}},
			{"whole-range", RangeBucket(from, to), selection.Grouper{}},
		} {
			b.Run(values+"/"+shape.name, func(b *testing.B) {
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					s := NewStatistic(shape.buckets, SeriesSpec{Field: "p90"}, shape.g, query.StatP90, 1, nil)
					none := []string{""}
					for i := range records {
						groups := records[i].group
						if !shape.g.Grouped() {
							groups = none
						}
						s.Add(records[i].t, groups, records[i].value)
					}
					_ = s.Frames()
				}
				used := (cpuTime() - cpu).Seconds()
				b.ReportMetric(float64(len(records))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
				if used > 0 {
					b.ReportMetric(float64(len(records))*float64(b.N)/used, "records/CPU-s")
				}
			})
		}
	}
}
