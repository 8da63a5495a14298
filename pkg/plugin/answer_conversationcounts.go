package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

var _ = answers(query.TypeConversationCounts, answerConversationCounts)

// answerConversationCounts is a table of conversations per group.
func answerConversationCounts(d *Datasource, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	g := selection.NewGrouper(q)
	counts := frames.NewCounts(g, g.Seeds(&q.Filters))
	var groups []string
	b := boundGroups(ctx, counts.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			groups = g.Conversation(&page[i], groups)
			counts.Add(groups)
		}
		b.check()
	})
	return data.Frames{counts.Frame(q.Limit)}, c, b.err(err)
}
