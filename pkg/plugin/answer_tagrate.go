package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeTagRate, answerTagRate)

// answerTagRate is the percent of each bucket's conversations that carry the tag.
func answerTagRate(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	r := frames.NewRate(s.buckets, frames.SeriesSpec{Field: "percent", Title: q.Tag + " rate", Unit: "percent"}, s.grouper, s.seeds)
	var totals, hits [][]int64
	cg := newConvGrouping(s.grouper, newSlots(func(group string) bool {
		total, hit := r.Rows(group)
		if total == nil {
			return false
		}
		totals, hits = append(totals, total), append(hits, hit)
		return true
	}))
	var isTag []bool
	var offs, codes []uint32
	b := boundGroups(ctx, r.Err)
	defer b.cancel()
	c, err := scanConversationRows(d, b.ctx, q, w, func(batch *columnar.Conversations, recs []int32) {
		cg.batch(batch)
		tags := &batch.Tags
		isTag = growBools(isTag, tags.Values.Len())
		for code := range isTag {
			isTag[code] = tags.Values.At(code) == q.Tag
		}
		offs, codes = tags.Offsets.Widen(offs), tags.Codes.Widen(codes)
		for _, i := range recs {
			k := s.buckets.IndexNanos(batch.Start[i])
			if k < 0 {
				continue
			}
			hit := false
			for _, code := range codes[offs[i]:offs[i+1]] {
				if isTag[code] {
					hit = true
					break
				}
			}
			for _, slot := range cg.of(int(i)) {
				totals[slot][k]++
				if hit {
					hits[slot][k]++
				}
			}
		}
		b.check()
	})
	return r.Frames(), c, b.err(err)
}
