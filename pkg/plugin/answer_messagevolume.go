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

var _ = answers(query.TypeMessageVolume, answerMessageVolume)

// answerMessageVolume counts the messages sent in each bucket, grouped by their
// conversation's groups or by message type.
func answerMessageVolume(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(ctx, q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	v := frames.NewVolume(s.buckets, frames.SeriesSpec{Field: "messages", Title: "Messages"}, s.grouper, s.seeds)
	var rows [][]int64
	mg := newMsgGrouping(s.grouper, newSlots(func(group string) bool {
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
	c, err := scanMessageRows(d, b.ctx, q, w, s.grouper, func(batch *columnar.Messages, recs []int32, j *columnJoin) {
		mg.batch(batch)
		mg.each(recs, batch.Time, j, &cur, func(_ int32, k int, slot int32) { rows[slot][k]++ })
		b.check()
	})
	return v.Frames(), c, b.err(err)
}
