package plugin

import (
	"context"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// conversationLookback is how long before a messages query's range its
// conversations are read, when filters or groups come from the conversation: a
// message belongs to a conversation that may have started before the range.
const conversationLookback = 24 * time.Hour

// scanConversations calls fn with each page of conversations in w that pass the
// query's filters. Pages may be shared and must not be changed.
func (d *Datasource) scanConversations(ctx context.Context, q *query.Query, w exportapi.Window, fn func([]exportapi.Conversation)) (fetch.Stats, error) {
	return d.source.Conversations(ctx, d.request(ctx, q, w), func(page []exportapi.Conversation) {
		if m := selection.Matching(page, &q.Filters); len(m) > 0 {
			fn(m)
		}
	})
}

// scanMessages calls fn with each page of messages in w whose conversation passes
// the query's filters, and the groups each message's conversation falls in when g
// groups by the conversation (see selection.Join).
func (d *Datasource) scanMessages(ctx context.Context, q *query.Query, w exportapi.Window, g selection.Grouper,
	fn func(page []exportapi.Message, convGroups [][]string),
) (fetch.Stats, error) {
	var c fetch.Stats
	join := selection.NewJoin(&q.Filters, g)
	if join != nil {
		lookback := exportapi.Window{From: w.From.Add(-conversationLookback), To: w.To}
		cc, err := d.scanConversations(withTableProgress(ctx, nil), q, lookback, join.AddConversations)
		if len(cc.Incomplete) > 0 {
			// Messages of read time may yet be dropped for their conversations':
			// the table keeps its newest rows without following the read.
			ctx = withTableProgress(ctx, nil)
		}
		// A message is only as complete as the conversations it may belong to:
		// those that started up to a lookback before it.
		for i := range cc.Incomplete {
			cc.Incomplete[i].To = cc.Incomplete[i].To.Add(conversationLookback)
		}
		c = cc
		if err != nil {
			return c, err
		}
	}
	req := d.request(ctx, q, w)
	req.ConversationID = q.Filters.ConversationID
	st, err := d.source.Messages(ctx, req, func(page []exportapi.Message) {
		if join == nil {
			fn(page, nil)
			return
		}
		fn(join.Messages(page))
	})
	c.Add(st)
	return c, err
}

func (d *Datasource) request(ctx context.Context, q *query.Query, w exportapi.Window) fetch.Request {
	return fetch.Request{Bot: q.Bot, Window: w, MaxRecords: d.settings.MaxRecords, AnswerBy: answerBy(ctx), Progress: tableProgress(ctx)}
}

type tableProgressKey struct{}

// withTableProgress marks the context of a table's read with the progress its
// newest-rows buffer follows (nil: none); a query's other reads (a join's
// conversations) must not report to it.
func withTableProgress(ctx context.Context, pr *fetch.Progress) context.Context {
	return context.WithValue(ctx, tableProgressKey{}, pr)
}

func tableProgress(ctx context.Context) *fetch.Progress {
	pr, _ := ctx.Value(tableProgressKey{}).(*fetch.Progress)
	return pr
}

type answerByKey struct{}

// withAnswerBy marks a dashboard query's context with when it answers with what is
// complete (responseSeconds); alert rules' queries never answer partially.
func withAnswerBy(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, answerByKey{}, t)
}

func answerBy(ctx context.Context) time.Time {
	t, _ := ctx.Value(answerByKey{}).(time.Time)
	return t
}
