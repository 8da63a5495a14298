package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeUserMessages, answerUserMessages)

// answerUserMessages is a statistic of userMessageCount over each bucket's conversations.
func answerUserMessages(d *Datasource, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	st := frames.NewStatistic(s.buckets, frames.SeriesSpec{Field: q.Stat, Title: "User messages per conversation (" + q.Stat + ")"}, s.grouper, q.Stat, 1, s.seeds)
	var groups []string
	b := boundGroups(ctx, st.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			groups = s.grouper.Conversation(&page[i], groups)
			st.Add(page[i].StartTime, groups, page[i].UserMessageCount)
		}
		b.check()
	})
	return st.Frames(), c, b.err(err)
}
