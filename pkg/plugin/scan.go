package plugin

import (
	"context"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// conversationLookback is how long before a messages query's range its
// conversations are read, when filters or groups come from the conversation: a
// message belongs to a conversation that may have started before the range.
const conversationLookback = 24 * time.Hour

// scanConversations calls fn with each page of conversations in w that pass the
// query's filters. Pages may be shared and must not be changed.
func (d *Datasource) scanConversations(ctx context.Context, q *query.Query, w exportapi.Window, fn func([]exportapi.Conversation)) (fetch.Stats, error) {
	return d.source.Conversations(ctx, d.request(q, w), func(page []exportapi.Conversation) {
		if m := matching(page, &q.Filters); len(m) > 0 {
			fn(m)
		}
	})
}

// scanMessages calls fn with each page of messages in w whose conversation passes
// the query's filters, and the groups each message's conversation falls in when g
// groups by the conversation. A message whose conversation is not found within the
// lookback counts as one with no tags, locale or metadata: it is left out by
// conversation filters and falls in the (none) group.
func (d *Datasource) scanMessages(ctx context.Context, q *query.Query, w exportapi.Window, g frames.Grouper,
	fn func(page []exportapi.Message, convGroups [][]string),
) (fetch.Stats, error) {
	var c fetch.Stats
	filtered := q.Filters.ConversationFilters()
	var index map[string][]string
	if filtered || g.ByConversation() {
		index = map[string][]string{}
		lookback := exportapi.Window{From: w.From.Add(-conversationLookback), To: w.To}
		var buf []string
		cc, err := d.scanConversations(ctx, q, lookback, func(page []exportapi.Conversation) {
			for i := range page {
				var groups []string
				if g.ByConversation() {
					buf = g.Conversation(&page[i], buf)
					groups = append([]string(nil), buf...)
				}
				index[page[i].ID] = groups
			}
		})
		c = cc
		if err != nil {
			return c, err
		}
	}
	req := d.request(q, w)
	req.ConversationID = q.Filters.ConversationID
	var kept []exportapi.Message
	var keptGroups [][]string
	st, err := d.source.Messages(ctx, req, func(page []exportapi.Message) {
		if index == nil {
			fn(page, nil)
			return
		}
		kept, keptGroups = kept[:0], keptGroups[:0]
		for i := range page {
			groups, known := index[page[i].ConversationID]
			if filtered && !known {
				continue
			}
			kept = append(kept, page[i])
			keptGroups = append(keptGroups, groups)
		}
		fn(kept, keptGroups)
	})
	c.Add(st)
	return c, err
}

func (d *Datasource) request(q *query.Query, w exportapi.Window) fetch.Request {
	return fetch.Request{Bot: q.Bot, Window: w, MaxRecords: d.settings.MaxRecords}
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
