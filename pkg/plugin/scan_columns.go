package plugin

import (
	"context"
	"sync"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// conversationColumns calls fn with batches of the conversations that started in
// req's window, rows [from, to) of each, as fetch.Source.ConversationColumns
// does: each query type aggregates on the columns. The batches are built here
// from the fetch layer's pages until it hands out its own.
func (d *Datasource) conversationColumns(ctx context.Context, req fetch.Request, fn func(b *columnar.Conversations, from, to int)) (fetch.Stats, error) {
	var bad buildFailure
	ctx = bad.watch(ctx)
	defer bad.cancel()
	st, err := d.source.Conversations(ctx, req, func(page []exportapi.Conversation) {
		b, err := columnar.BuildConversations(page)
		if bad.failed(err) {
			return
		}
		fn(b, 0, b.Len())
	})
	return st, bad.or(err)
}

// messageColumns is conversationColumns for the messages sent in req's window.
func (d *Datasource) messageColumns(ctx context.Context, req fetch.Request, fn func(b *columnar.Messages, from, to int)) (fetch.Stats, error) {
	var bad buildFailure
	ctx = bad.watch(ctx)
	defer bad.cancel()
	st, err := d.source.Messages(ctx, req, func(page []exportapi.Message) {
		b, err := columnar.BuildMessages(page)
		if bad.failed(err) {
			return
		}
		fn(b, 0, b.Len())
	})
	return st, bad.or(err)
}

// buildFailure stops a read whose page cannot be held as columns (a time
// nanoseconds cannot hold): an answer without its records would be wrong.
type buildFailure struct {
	mu     sync.Mutex
	err    error
	cancel context.CancelFunc
}

func (f *buildFailure) watch(ctx context.Context) context.Context {
	ctx, f.cancel = context.WithCancel(ctx)
	return ctx
}

func (f *buildFailure) failed(err error) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil && f.err == nil {
		f.err = err
		f.cancel()
	}
	return f.err != nil
}

func (f *buildFailure) or(readErr error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	return readErr
}
