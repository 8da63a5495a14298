package plugin

import (
	"context"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeTagRate, answerTagRate)

// answerTagRate is the percent of each bucket's conversations that carry the tag.
func answerTagRate(d *Datasource, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	r := frames.NewRate(s.buckets, frames.SeriesSpec{Field: "percent", Title: q.Tag + " rate", Unit: "percent"}, s.grouper, s.seeds)
	var groups []string
	b := boundGroups(ctx, r.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			groups = s.grouper.Conversation(&page[i], groups)
			r.Add(page[i].StartTime, groups, slices.Contains(page[i].Tags, q.Tag))
		}
		b.check()
	})
	return r.Frames(), c, b.err(err)
}
