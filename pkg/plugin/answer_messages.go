package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeMessages, answerMessages)

// answerMessages is a table of the newest messages, up to the limit.
func answerMessages(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	pr := newTableReads(q)
	ctx = withTableReads(ctx, pr)
	t := frames.NewMessageTable(q.Limit, pr.Read)
	c, err := scanMessageRecords(d, ctx, q, w, t.Add)
	return data.Frames{t.Frame(unread(w, c))}, c, err
}
