package plugin

// The struct path the queries answered by before they aggregated on columns,
// kept word for word as the reference the columnar path must equal (see
// columns_property_test.go): pages of records, selection's filters, groups and
// join, and frames' struct aggregators.

import (
	"context"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

var structAnswers = map[query.Type]func(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error){
	query.TypeConversationCounts:   structAnswerConversationCounts,
	query.TypeConversationDuration: structAnswerConversationDuration,
	query.TypeConversations:        structAnswerConversations,
	query.TypeConversationVolume:   structAnswerConversationVolume,
	query.TypeMessages:             structAnswerMessages,
	query.TypeMessageVolume:        structAnswerMessageVolume,
	query.TypeTagRate:              structAnswerTagRate,
	query.TypeTranscript:           structAnswerTranscript,
	query.TypeUserMessageHistogram: structAnswerUserMessageHistogram,
	query.TypeUserMessages:         structAnswerUserMessages,
	query.TypeValues:               structAnswerValues,
}

// scanConversations calls fn with each page of conversations in w that pass the
// query's filters. Pages may be shared and must not be changed.
func (d *structRecords) scanConversations(ctx context.Context, q *query.Query, w exportapi.Window, fn func([]exportapi.Conversation)) (fetch.Stats, error) {
	return structEachBot(q, func() (fetch.Stats, error) { return d.scanBotConversations(ctx, q, w, fn) })
}

// structEachBot reads each bot of q in turn, q.Bot set to it (the groupers follow
// it), and fails with the first bot that fails.
func structEachBot(q *query.Query, read func() (fetch.Stats, error)) (fetch.Stats, error) {
	bots := q.Bots
	if len(bots) == 0 {
		bots = []string{q.Bot}
	}
	first := q.Bot
	defer func() { q.Bot = first }()
	var all fetch.Stats
	for _, bot := range bots {
		q.Bot = bot
		st, err := read()
		all.Add(st)
		if err != nil {
			return all, botError{bot: bot, err: err}
		}
	}
	return all, nil
}

func (d *structRecords) scanBotConversations(ctx context.Context, q *query.Query, w exportapi.Window, fn func([]exportapi.Conversation)) (fetch.Stats, error) {
	return d.conversations(d.request(ctx, q, w), func(page []exportapi.Conversation) {
		if m := selection.Matching(page, &q.Filters); len(m) > 0 {
			fn(m)
		}
	})
}

// scanMessages calls fn with each page of messages in w whose conversation passes
// the query's filters, and the groups each message's conversation falls in when g
// groups by the conversation (see selection.Join).
func (d *structRecords) scanMessages(ctx context.Context, q *query.Query, w exportapi.Window, g selection.Grouper,
	fn func(page []exportapi.Message, convGroups [][]string),
) (fetch.Stats, error) {
	return structEachBot(q, func() (fetch.Stats, error) { return d.scanBotMessages(ctx, q, w, g, fn) })
}

func (d *structRecords) scanBotMessages(ctx context.Context, q *query.Query, w exportapi.Window, g selection.Grouper,
	fn func(page []exportapi.Message, convGroups [][]string),
) (fetch.Stats, error) {
	var c fetch.Stats
	join := selection.NewJoin(&q.Filters, g)
	if join != nil {
		lookback := exportapi.Window{From: w.From.Add(-conversationLookback), To: w.To}
		cc, err := d.scanBotConversations(withTableProgress(ctx, nil), q, lookback, join.AddConversations)
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
	st, err := d.messages(req, func(page []exportapi.Message) {
		if join == nil {
			fn(typedMessages(&q.Filters, page, nil))
			return
		}
		msgs, groups := join.Messages(page)
		fn(typedMessages(&q.Filters, msgs, groups))
	})
	c.Add(st)
	return c, err
}

// structAnswerConversationCounts is a table of conversations per group.
func structAnswerConversationCounts(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	g := selection.NewGrouper(q)
	counts := frames.NewCounts(g, g.Seeds(&q.Filters))
	var groups []string
	b := boundGroups(ctx, counts.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			groups = g.Conversation(&page[i], groups)
			counts.Add(groups)
		}
		b.check()
	})
	return data.Frames{counts.Frame(q.Limit)}, c, b.err(err)
}

// structAnswerConversationDuration is a statistic of lastActionAt − startTime, in
// seconds, over each bucket's conversations. Conversations without a readable
// lastActionAt (or one before their start) are left out: no duration is known.
func structAnswerConversationDuration(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(ctx, q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	// Durations are kept in microseconds, the API's precision, so that
	// percentiles stay exact; the series shows seconds.
	st := frames.NewStatistic(s.buckets, frames.SeriesSpec{Field: q.Stat, Title: "Conversation duration (" + q.Stat + ")", Unit: "s"},
		s.grouper, q.Stat, 1e-6, s.seeds)
	var groups []string
	b := boundGroups(ctx, st.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			conv := &page[i]
			if conv.LastActionAt.IsZero() || conv.LastActionAt.Before(conv.StartTime) {
				continue
			}
			groups = s.grouper.Conversation(conv, groups)
			st.Add(conv.StartTime, groups, int64(conv.LastActionAt.Sub(conv.StartTime)/time.Microsecond))
		}
		b.check()
	})
	return st.Frames(), c, b.err(err)
}

// structAnswerConversations is a table of the newest conversations, up to the limit.
func structAnswerConversations(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	pr := &fetch.Progress{}
	ctx = withTableProgress(ctx, pr)
	t := frames.NewConversationTable(q.Limit, pr.Read)
	c, err := d.scanConversations(ctx, q, w, t.Add)
	return data.Frames{t.Frame(unread(w, c))}, c, err
}

// structAnswerConversationVolume counts the conversations that started in each bucket.
func structAnswerConversationVolume(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(ctx, q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	v := frames.NewVolume(s.buckets, frames.SeriesSpec{Field: "conversations", Title: "Conversations started"}, s.grouper, s.seeds)
	var groups []string
	b := boundGroups(ctx, v.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			groups = s.grouper.Conversation(&page[i], groups)
			v.Add(page[i].StartTime, groups)
		}
		b.check()
	})
	return v.Frames(), c, b.err(err)
}

// structAnswerMessages is a table of the newest messages, up to the limit.
func structAnswerMessages(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	pr := &fetch.Progress{}
	ctx = withTableProgress(ctx, pr)
	t := frames.NewMessageTable(q.Limit, pr.Read)
	c, err := d.scanMessages(ctx, q, w, selection.Grouper{}, func(page []exportapi.Message, _ [][]string) { t.Add(page) })
	return data.Frames{t.Frame(unread(w, c))}, c, err
}

// structAnswerMessageVolume counts the messages sent in each bucket, grouped by their
// conversation's groups or by message type.
func structAnswerMessageVolume(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(ctx, q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	v := frames.NewVolume(s.buckets, frames.SeriesSpec{Field: "messages", Title: "Messages"}, s.grouper, s.seeds)
	var groups []string
	b := boundGroups(ctx, v.Err)
	defer b.cancel()
	c, err := d.scanMessages(b.ctx, q, w, s.grouper, func(page []exportapi.Message, convGroups [][]string) {
		for i := range page {
			var cg []string
			if convGroups != nil {
				cg = convGroups[i]
			}
			groups = s.grouper.Message(&page[i], cg, groups)
			v.Add(page[i].Time, groups)
		}
		b.check()
	})
	return v.Frames(), c, b.err(err)
}

// structAnswerTagRate is the percent of each bucket's conversations that carry the tag.
func structAnswerTagRate(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(ctx, q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	r := frames.NewRate(s.buckets, frames.SeriesSpec{Field: "percent", Title: q.Tag + " rate", Unit: "percent"}, s.grouper, s.seeds)
	var groups []string
	b := boundGroups(ctx, r.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			groups = s.grouper.Conversation(&page[i], groups)
			r.Add(page[i].StartTime, groups, slices.Contains(page[i].Tags, q.Tag))
		}
		b.check()
	})
	return r.Frames(), c, b.err(err)
}

// structAnswerTranscript is messages as a logs frame, for Explore.
func structAnswerTranscript(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	pr := &fetch.Progress{}
	ctx = withTableProgress(ctx, pr)
	t := frames.NewTranscript(q.Limit, pr.Read)
	c, err := d.scanMessages(ctx, q, w, selection.Grouper{}, func(page []exportapi.Message, _ [][]string) { t.Add(page) })
	return data.Frames{t.Frame(unread(w, c))}, c, err
}

// structAnswerUserMessageHistogram is a table of conversations per user message count.
func structAnswerUserMessageHistogram(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	h := frames.NewHistogram()
	c, err := d.scanConversations(ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			h.Add(page[i].UserMessageCount)
		}
	})
	return data.Frames{h.Frame()}, c, err
}

// structAnswerUserMessages is a statistic of userMessageCount over each bucket's conversations.
func structAnswerUserMessages(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(ctx, q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	st := frames.NewStatistic(s.buckets, frames.SeriesSpec{Field: q.Stat, Title: "User messages per conversation (" + q.Stat + ")"}, s.grouper, q.Stat, 1, s.seeds)
	var groups []string
	b := boundGroups(ctx, st.Err)
	defer b.cancel()
	c, err := d.scanConversations(b.ctx, q, w, func(page []exportapi.Conversation) {
		for i := range page {
			groups = s.grouper.Conversation(&page[i], groups)
			st.Add(page[i].StartTime, groups, page[i].UserMessageCount)
		}
		b.check()
	})
	return st.Frames(), c, b.err(err)
}

// structAnswerValues lists the distinct values of a field, for template variables.
func structAnswerValues(d *structRecords, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	v := frames.NewValues(q.Field, q.Limit)
	var c fetch.Stats
	var err error
	switch q.Field {
	case query.FieldBot:
		v.Add(d.knownBots()...)
	case query.FieldMessageType:
		c, err = d.scanMessages(ctx, q, w, selection.Grouper{}, func(page []exportapi.Message, _ [][]string) {
			for i := range page {
				v.Add(page[i].Type)
			}
		})
	default:
		c, err = d.scanConversations(ctx, q, w, func(page []exportapi.Conversation) {
			for i := range page {
				conv := &page[i]
				switch q.Field {
				case query.FieldTag:
					v.Add(conv.Tags...)
				case query.FieldLocale:
					v.Add(conv.Locale)
				case query.FieldMetadataKey:
					v.Add(conv.MetadataKeys()...)
				case query.FieldMetadataValue:
					text, _ := conv.MetadataText(q.MetadataKey)
					v.Add(text)
				}
			}
		})
	}
	return data.Frames{v.Frame()}, c, err
}

// typedMessages keeps the messages of a page (and their conversation groups)
// that pass the message type filters, in new slices.
func typedMessages(f *query.Filters, page []exportapi.Message, convGroups [][]string) ([]exportapi.Message, [][]string) {
	if !f.MessageTypeFilters() {
		return page, convGroups
	}
	var out []exportapi.Message
	var groups [][]string
	for i := range page {
		if selection.SelectsMessage(f, &page[i]) {
			out = append(out, page[i])
			if convGroups != nil {
				groups = append(groups, convGroups[i])
			}
		}
	}
	return out, groups
}
