package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeUserMessageHistogram, answerUserMessageHistogram)

// answerUserMessageHistogram is a table of conversations per user message count.
func answerUserMessageHistogram(d *Datasource, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	h := frames.NewHistogram()
	c, err := d.scanConversations(ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			h.Add(page[i].UserMessageCount)
		}
	})
	return data.Frames{h.Frame()}, c, err
}
