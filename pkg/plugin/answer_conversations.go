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

var _ = answers(query.TypeConversations, answerConversations)

// answerConversations is a table of the newest conversations, up to the limit.
func answerConversations(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	pr := newTableReads(q)
	ctx = withTableReads(ctx, pr)
	t := frames.NewConversationTable(q.Limit, pr.Read)
	var recs []exportapi.Conversation
	var rebuild rebuildFailure
	c, err := scanConversationRows(d, ctx, q, w, func(b *columnar.Conversations, rows []int32) {
		var err error
		recs, err = b.AppendRows(recs[:0], rows)
		if rebuild.failed(err) {
			return
		}
		// The table copies what it keeps: the buffer serves the next batch.
		t.Add(recs)
	})
	return data.Frames{t.Frame(unread(w, c))}, c, rebuild.or(err)
}
