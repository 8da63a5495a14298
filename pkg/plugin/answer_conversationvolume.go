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

var _ = answers(query.TypeConversationVolume, answerConversationVolume)

// answerConversationVolume counts the conversations that started in each bucket.
func answerConversationVolume(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(ctx, q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	v := frames.NewVolume(s.buckets, frames.SeriesSpec{Field: "conversations", Title: "Conversations started"}, s.grouper, s.seeds)
	var rows [][]int64
	cg := newConvGrouping(s.grouper, newSlots(func(group string) bool {
		r := v.Row(group)
		if r == nil {
			return false
		}
		rows = append(rows, r)
		return true
	}))
	cur := s.buckets.Cursor()
	b := boundGroups(ctx, v.Err)
	defer b.cancel()
	c, err := scanConversationRows(d, b.ctx, q, w, func(batch *columnar.Conversations, recs []int32) {
		cg.batch(batch)
		cg.each(recs, batch.Start, &cur, func(_ int32, k int, slot int32) { rows[slot][k]++ })
		b.check()
	})
	return v.Frames(), c, b.err(err)
}
