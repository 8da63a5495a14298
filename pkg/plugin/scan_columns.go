package plugin

import (
	"context"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// conversationColumns calls fn with batches of the conversations that started in
// req's window, rows [from, to) of each (fetch.Source.ConversationColumns): every
// query type aggregates on the columns the fetch layer keeps.
func (d *Datasource) conversationColumns(ctx context.Context, req fetch.Request, fn func(b *columnar.Conversations, from, to int)) (fetch.Stats, error) {
	return d.source.ConversationColumns(ctx, req, fn)
}

// messageColumns is conversationColumns for the messages sent in req's window.
func (d *Datasource) messageColumns(ctx context.Context, req fetch.Request, fn func(b *columnar.Messages, from, to int)) (fetch.Stats, error) {
	return d.source.MessageColumns(ctx, req, fn)
}
