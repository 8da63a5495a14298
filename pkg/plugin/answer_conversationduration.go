package plugin

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeConversationDuration, answerConversationDuration)

// answerConversationDuration is a statistic of lastActionAt − startTime, in
// seconds, over each bucket's conversations. Conversations without a readable
// lastActionAt (or one before their start) are left out: no duration is known.
func answerConversationDuration(d *Datasource, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	// Durations are kept in microseconds, the API's precision, so that
	// percentiles stay exact; the series shows seconds.
	st := frames.NewStatistic(s.buckets, frames.SeriesSpec{Field: q.Stat, Title: "Conversation duration (" + q.Stat + ")", Unit: "s"},
		s.grouper, q.Stat, 1e-6, s.seeds)
	var groups []string
	b := boundGroups(ctx, st.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			conv := &page[i]
			if conv.LastActionAt.IsZero() || conv.LastActionAt.Before(conv.StartTime) {
				continue
			}
			groups = s.grouper.Conversation(conv, groups)
			st.Add(conv.StartTime, groups, int64(conv.LastActionAt.Sub(conv.StartTime)/time.Microsecond))
		}
		b.check()
	})
	return st.Frames(), c, b.err(err)
}
