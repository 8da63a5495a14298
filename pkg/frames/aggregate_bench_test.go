package frames

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

const benchRecords = 1_000_000

// benchPages is a month of conversations in pages of 1000, as exports deliver them.
func benchPages() [][]exportapi.Conversation {
	rng := rand.New(rand.NewPCG(1, 2))
	tags := [][]string{{"resolved"}, {"liveChat"}, {"informed", "guideInteraction"}, nil, {"resolved", "thumbsUp"}}
	locales := []string{"en_us", "de_de", "fr_fr", "", "ja_jp"}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	meta := []byte(`{"locale":"en_us","browser_visitorType":"new","channel":"web","guideNodeCount":5,"plan":{"tier":"pro"}}`)
	var pages [][]exportapi.Conversation
	for i := 0; i < benchRecords; i += 1000 {
		page := make([]exportapi.Conversation, 1000)
		for j := range page {
			page[j] = exportapi.Conversation{
				ID: fmt.Sprint(i + j), StartTime: start.Add(time.Duration(i+j) * 2600 * time.Millisecond),
				Locale: locales[rng.IntN(len(locales))], Tags: tags[rng.IntN(len(tags))],
				UserMessageCount: int64(rng.IntN(12)), HasUserMessages: true, Metadata: meta,
			}
		}
		pages = append(pages, page)
	}
	return pages
}

// BenchmarkAggregate measures the frame builders alone over 1M conversations
// (decoding is measured in exportapi); records/s is per core, as the loop is serial.
func BenchmarkAggregate(b *testing.B) {
	pages := benchPages()
	from := pages[0][0].StartTime
	to := pages[len(pages)-1][999].StartTime.Add(time.Second)
	buckets := NewBuckets(from, to, time.Hour)
	cases := map[string]func(){
		"volume-by-tag": func() {
			g := selection.Grouper{By: query.GroupTag}
			v := NewVolume(buckets, SeriesSpec{Field: "conversations"}, g, nil)
			var groups []string
			for _, p := range pages {
				for i := range p {
					groups = g.Conversation(&p[i], groups)
					v.Add(p[i].StartTime, groups)
				}
			}
			_ = v.Frames()
		},
		"rate-by-locale": func() {
			g := selection.Grouper{By: query.GroupLocale}
			r := NewRate(buckets, SeriesSpec{Field: "percent"}, g, nil)
			var groups []string
			for _, p := range pages {
				for i := range p {
					groups = g.Conversation(&p[i], groups)
					r.Add(p[i].StartTime, groups, len(p[i].Tags) > 0 && p[i].Tags[0] == "resolved")
				}
			}
			_ = r.Frames()
		},
		"p90-by-metadata": func() {
			g := selection.Grouper{By: query.GroupMetadata, MetadataKey: "channel"}
			s := NewStatistic(buckets, SeriesSpec{Field: "p90"}, g, query.StatP90, 1, nil)
			var groups []string
			for _, p := range pages {
				for i := range p {
					groups = g.Conversation(&p[i], groups)
					s.Add(p[i].StartTime, groups, p[i].UserMessageCount)
				}
			}
			_ = s.Frames()
		},
	}
	for name, fn := range cases {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fn()
			}
			b.ReportMetric(float64(benchRecords)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
