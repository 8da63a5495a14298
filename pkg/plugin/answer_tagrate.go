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
	s, err := newSeries(ctx, q, w)
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
	cur := s.buckets.Cursor()
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
		cg.each(recs, batch.Start, &cur, func(i int32, k int, slot int32) {
			totals[slot][k]++
			for _, code := range codes[offs[i]:offs[i+1]] {
				if isTag[code] {
					hits[slot][k]++
					break
				}
			}
		})
		b.check()
	})
	return r.Frames(), c, b.err(err)
}
