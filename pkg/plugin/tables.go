package plugin

import (
	"context"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// conversationLookback is how long before a messages query's range its
// conversations are read when conversation filters apply to messages: a message
// belongs to a conversation that may have started before the range.
const conversationLookback = 24 * time.Hour

func (d *Datasource) conversationsTable(ctx context.Context, q query.Query, w exportapi.Window) backend.DataResponse {
	table := frames.NewConversationTable(q.Limit)
	req := d.request(q, w)
	st, err := d.client.Conversations(ctx, req, func(page []exportapi.Conversation) error {
		table.Add(matching(page, &q.Filters))
		return nil
	})
	if err != nil {
		return errorResponse(err)
	}
	frame := table.Frame()
	annotate(frame, st, d.client.Describe(exportapi.EndpointConversations, req))
	return backend.DataResponse{Frames: data.Frames{frame}}
}

func (d *Datasource) messagesTable(ctx context.Context, q query.Query, w exportapi.Window) backend.DataResponse {
	table := frames.NewMessageTable(q.Limit)
	var total exportapi.Stats
	var calls []string
	var keep map[string]struct{}
	if q.Filters.ConversationFilters() {
		convReq := d.request(q, exportapi.Window{From: w.From.Add(-conversationLookback), To: w.To})
		keep = map[string]struct{}{}
		st, err := d.client.Conversations(ctx, convReq, func(page []exportapi.Conversation) error {
			for i := range page {
				if q.Filters.Match(&page[i]) {
					keep[page[i].ID] = struct{}{}
				}
			}
			return nil
		})
		total.Add(st)
		if err != nil {
			return errorResponse(err)
		}
		calls = append(calls, d.client.Describe(exportapi.EndpointConversations, convReq))
	}
	req := d.request(q, w)
	req.ConversationID = q.Filters.ConversationID
	st, err := d.client.Messages(ctx, req, func(page []exportapi.Message) error {
		if keep == nil {
			table.Add(page)
			return nil
		}
		kept := make([]exportapi.Message, 0, len(page))
		for _, m := range page {
			if _, ok := keep[m.ConversationID]; ok {
				kept = append(kept, m)
			}
		}
		table.Add(kept)
		return nil
	})
	total.Add(st)
	if err != nil {
		return errorResponse(err)
	}
	calls = append(calls, d.client.Describe(exportapi.EndpointMessages, req))
	frame := table.Frame()
	annotate(frame, total, calls...)
	return backend.DataResponse{Frames: data.Frames{frame}}
}

func (d *Datasource) request(q query.Query, w exportapi.Window) exportapi.Request {
	return exportapi.Request{Bot: q.Bot, Window: w, MaxRecords: d.settings.MaxRecords}
}

// matching returns the conversations of page that pass the filters, in a new
// slice: pages may be shared with other queries and must not be changed.
func matching(page []exportapi.Conversation, f *query.Filters) []exportapi.Conversation {
	if !f.ConversationFilters() {
		return page
	}
	out := make([]exportapi.Conversation, 0, len(page))
	for i := range page {
		if f.Match(&page[i]) {
			out = append(out, page[i])
		}
	}
	return out
}
