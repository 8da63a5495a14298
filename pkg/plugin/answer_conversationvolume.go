package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeConversationVolume, answerConversationVolume)

// answerConversationVolume counts the conversations that started in each bucket.
func answerConversationVolume(d *Datasource, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	v := frames.NewVolume(s.buckets, frames.SeriesSpec{Field: "conversations", Title: "Conversations started"}, s.grouper, s.seeds)
	var groups []string
	b := boundGroups(ctx, v.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			groups = s.grouper.Conversation(&page[i], groups)
			v.Add(page[i].StartTime, groups)
		}
		b.check()
	})
	return v.Frames(), c, b.err(err)
}
