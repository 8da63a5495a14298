package plugin

import (
	"context"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// structRecords hands the same pages of records to both paths: as pages to the
// struct path, as batches of columns (one a page, the window a row range of it,
// as the fetch layer hands out segments) to the columnar one.
type structRecords struct {
	conversationPages [][]exportapi.Conversation
	messagePages      [][]exportapi.Message
	bots              []string

	// Each page's span of time and the pages as batches, built once: the
	// records never change.
	conversationSpans, messageSpans []span
	conversationBatches             []*columnar.Conversations
	messageBatches                  []*columnar.Messages
}

func (d *structRecords) request(_ context.Context, q *query.Query, w exportapi.Window) fetch.Request {
	return fetch.Request{Bot: q.Bot, Window: w}
}

func (d *structRecords) knownBots() []string { return d.bots }

// conversations calls fn with each page's records in the window, in the page's order.
func (d *structRecords) conversations(req fetch.Request, fn func([]exportapi.Conversation)) (fetch.Stats, error) {
	if d.conversationSpans == nil {
		d.conversationSpans = spansOf(d.conversationPages, func(c *exportapi.Conversation) time.Time { return c.StartTime })
	}
	for k, p := range d.conversationPages {
		if d.conversationSpans[k].inside(req.Window) {
			fn(p) // a page wholly inside, as the struct cache handed it on
			continue
		}
		var in []exportapi.Conversation
		for i := range p {
			if req.Window.Contains(p[i].StartTime) {
				in = append(in, p[i])
			}
		}
		if len(in) > 0 {
			fn(in)
		}
	}
	return fetch.Stats{}, nil
}

func (d *structRecords) messages(req fetch.Request, fn func([]exportapi.Message)) (fetch.Stats, error) {
	if d.messageSpans == nil {
		d.messageSpans = spansOf(d.messagePages, func(m *exportapi.Message) time.Time { return m.Time })
	}
	for k, p := range d.messagePages {
		if req.ConversationID == "" && d.messageSpans[k].inside(req.Window) {
			fn(p)
			continue
		}
		var in []exportapi.Message
		for i := range p {
			if req.Window.Contains(p[i].Time) && (req.ConversationID == "" || p[i].ConversationID == req.ConversationID) {
				in = append(in, p[i])
			}
		}
		if len(in) > 0 {
			fn(in)
		}
	}
	return fetch.Stats{}, nil
}

// span is the earliest and latest time of a page's records (in whatever order
// the page holds them).
type span struct{ first, last time.Time }

// inside reports whether every record of the page is in w: the page is then
// handed on whole, as a copy of its records in w would be.
func (s span) inside(w exportapi.Window) bool {
	return !s.first.IsZero() && w.Contains(s.first) && w.Contains(s.last)
}

func spansOf[T any](pages [][]T, at func(*T) time.Time) []span {
	spans := make([]span, len(pages))
	for k, p := range pages {
		for i := range p {
			t := at(&p[i])
			if i == 0 || t.Before(spans[k].first) {
				spans[k].first = t
			}
			if i == 0 || t.After(spans[k].last) {
				spans[k].last = t
			}
		}
	}
	return spans
}

func (d *structRecords) conversationColumns(_ context.Context, req fetch.Request, fn func(b *columnar.Conversations, from, to int)) (fetch.Stats, error) {
	if d.conversationBatches == nil {
		for _, p := range d.conversationPages {
			b, err := columnar.BuildConversations(p)
			if err != nil {
				return fetch.Stats{}, err
			}
			d.conversationBatches = append(d.conversationBatches, b)
		}
	}
	for _, b := range d.conversationBatches {
		if from, to := b.Rows(req.Window.From, req.Window.To); to > from {
			fn(b, from, to)
		}
	}
	return fetch.Stats{}, nil
}

func (d *structRecords) messageColumns(_ context.Context, req fetch.Request, fn func(b *columnar.Messages, from, to int)) (fetch.Stats, error) {
	if req.ConversationID == "" && d.messageBatches != nil {
		for _, b := range d.messageBatches {
			if from, to := b.Rows(req.Window.From, req.Window.To); to > from {
				fn(b, from, to)
			}
		}
		return fetch.Stats{}, nil
	}
	var built []*columnar.Messages
	for _, p := range d.messagePages {
		if req.ConversationID != "" {
			// The export filters by conversation before a page is made.
			var in []exportapi.Message
			for i := range p {
				if p[i].ConversationID == req.ConversationID {
					in = append(in, p[i])
				}
			}
			p = in
		}
		b, err := columnar.BuildMessages(p)
		if err != nil {
			return fetch.Stats{}, err
		}
		built = append(built, b)
		if from, to := b.Rows(req.Window.From, req.Window.To); to > from {
			fn(b, from, to)
		}
	}
	if req.ConversationID == "" {
		d.messageBatches = built
	}
	return fetch.Stats{}, nil
}
