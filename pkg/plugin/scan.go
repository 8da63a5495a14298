package plugin

import (
	"context"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// conversationLookback is how long before a messages query's range its
// conversations are read, when filters or groups come from the conversation: a
// message belongs to a conversation that may have started before the range.
const conversationLookback = 24 * time.Hour

func (d *Datasource) request(ctx context.Context, q *query.Query, w exportapi.Window) fetch.Request {
	return fetch.Request{Bot: q.Bot, Window: w, MaxRecords: d.settings.MaxRecords, AnswerBy: answerBy(ctx), Progress: tableProgress(ctx, q.Bot)}
}

type tableProgressKey struct{}

// withTableProgress marks the context of a table's read with the progress its
// newest-rows buffer follows (nil: none); a query's other reads (a join's
// conversations) must not report to it.
func withTableProgress(ctx context.Context, pr *fetch.Progress) context.Context {
	return context.WithValue(ctx, tableProgressKey{}, pr)
}

// withTableReads is withTableProgress for a table that follows each bot's read.
func withTableReads(ctx context.Context, t *tableReads) context.Context {
	return context.WithValue(ctx, tableProgressKey{}, t)
}

// tableProgress is the progress the read of bot reports to (nil: none).
func tableProgress(ctx context.Context, bot string) *fetch.Progress {
	switch pr := ctx.Value(tableProgressKey{}).(type) {
	case *fetch.Progress:
		return pr
	case *tableReads:
		return pr.forBot(bot)
	}
	return nil
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
