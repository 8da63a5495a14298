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

var _ = answers(query.TypeUserMessages, answerUserMessages)

// answerUserMessages is a statistic of userMessageCount over each bucket's conversations.
func answerUserMessages(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(ctx, q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	st := frames.NewStatistic(s.buckets, frames.SeriesSpec{Field: q.Stat, Title: "User messages per conversation (" + q.Stat + ")"}, s.grouper, q.Stat, 1, s.seeds)
	rows, cg := statisticGroups(st, s)
	var counts []uint32
	cur := s.buckets.Cursor()
	b := boundGroups(ctx, st.Err)
	defer b.cancel()
	c, err := scanConversationRows(d, b.ctx, q, w, func(batch *columnar.Conversations, recs []int32) {
		cg.batch(batch)
		// A conversation without a count counts 0, as its record reads.
		counts = batch.UserMessages.Widen(counts)
		cg.each(recs, batch.Start, &cur, func(i int32, k int, slot int32) { st.AddAt(k, (*rows)[slot], int64(counts[i])) })
		b.check()
	})
	return st.Frames(), c, b.err(err)
}

// statisticGroups numbers the groups of a statistic: slot i's cells are (*rows)[i].
func statisticGroups(st *frames.Statistic, s seriesBase) (*[]frames.StatisticRow, *convGrouping) {
	rows := new([]frames.StatisticRow)
	cg := newConvGrouping(s.grouper, newSlots(func(group string) bool {
		r, ok := st.Row(group)
		if ok {
			*rows = append(*rows, r)
		}
		return ok
	}))
	return rows, cg
}
