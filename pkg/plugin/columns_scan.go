package plugin

import (
	"context"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// reader is what an answer reads through: a Datasource's fetch layer, as columns.
type reader interface {
	conversationColumns(ctx context.Context, req fetch.Request, fn func(b *columnar.Conversations, from, to int)) (fetch.Stats, error)
	messageColumns(ctx context.Context, req fetch.Request, fn func(b *columnar.Messages, from, to int)) (fetch.Stats, error)
	request(ctx context.Context, q *query.Query, w exportapi.Window) fetch.Request
	knownBots() []string
}

func (d *Datasource) knownBots() []string { return d.settings.KnownBots() }

// scanConversationRows calls fn with each batch of conversations in w and the
// rows of it that pass the query's filters (never none), in a buffer the next
// call reuses, bot by bot (eachBot). Batches may be shared and must not be changed.
func scanConversationRows(d reader, ctx context.Context, q *query.Query, w exportapi.Window, fn func(b *columnar.Conversations, rows []int32)) (fetch.Stats, error) {
	return eachBot(q, func() (fetch.Stats, error) { return scanBotConversationRows(d, ctx, q, w, fn) })
}

// scanBotConversationRows is scanConversationRows for the bot q.Bot.
func scanBotConversationRows(d reader, ctx context.Context, q *query.Query, w exportapi.Window, fn func(b *columnar.Conversations, rows []int32)) (fetch.Stats, error) {
	f := newColumnFilter(&q.Filters)
	return d.conversationColumns(ctx, d.request(ctx, q, w), func(b *columnar.Conversations, from, to int) {
		if rows := f.passing(b, from, to); len(rows) > 0 {
			fn(b, rows)
		}
	})
}

// scanMessageRows calls fn with each batch of messages in w and the rows of it
// whose conversation passes the query's filters and whose type passes its type
// filters, bot by bot (eachBot). j, when not nil, gives each row's conversation
// groups when g groups by the conversation (see selection.Join); it joins a
// bot's messages with that bot's conversations only, as ids may repeat across bots.
func scanMessageRows(d reader, ctx context.Context, q *query.Query, w exportapi.Window, g selection.Grouper,
	fn func(b *columnar.Messages, rows []int32, j *columnJoin),
) (fetch.Stats, error) {
	return eachBot(q, func() (fetch.Stats, error) { return scanBotMessageRows(d, ctx, q, w, g, fn) })
}

// scanBotMessageRows is scanMessageRows for the bot q.Bot.
func scanBotMessageRows(d reader, ctx context.Context, q *query.Query, w exportapi.Window, g selection.Grouper,
	fn func(b *columnar.Messages, rows []int32, j *columnJoin),
) (fetch.Stats, error) {
	var c fetch.Stats
	join := newColumnJoin(&q.Filters, g)
	if join != nil {
		lookback := exportapi.Window{From: w.From.Add(-conversationLookback), To: w.To}
		cc, err := scanBotConversationRows(d, withTableProgress(ctx, nil), q, lookback, join.addConversations)
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
	var all []int32
	types := newTypeFilter(&q.Filters)
	pass := func(b *columnar.Messages, rows []int32, j *columnJoin) {
		if types != nil {
			rows = types.keep(b, rows)
		}
		fn(b, rows, j)
	}
	st, err := d.messageColumns(ctx, req, func(b *columnar.Messages, from, to int) {
		if join == nil {
			all = all[:0]
			for i := from; i < to; i++ {
				all = append(all, int32(i))
			}
			pass(b, all, nil)
			return
		}
		pass(b, join.messages(b, from, to), join)
	})
	c.Add(st)
	return c, err
}

// msgGrouping gives each message of a batch its groups' slots, as
// selection.Grouper.Message names them: by type code, or by the conversation's
// group set (resolved once per set for the whole query).
type msgGrouping struct {
	g        selection.Grouper
	s        *slots
	byCode   []int32
	codes    []uint32
	values   *columnar.Strings
	bySet    [][]int32
	setKnown []bool
	none     int32
	buf      []int32
	join     *columnJoin // the join bySet follows: each bot's has sets of its own
}

func newMsgGrouping(g selection.Grouper, s *slots) *msgGrouping {
	return &msgGrouping{g: g, s: s, none: unresolved}
}

func (mg *msgGrouping) batch(b *columnar.Messages) {
	if mg.g.By == query.GroupBot {
		// The batch may be of another bot than the last.
		mg.none = unresolved
	}
	if mg.g.By == query.GroupType {
		mg.codes = b.Type.Codes.Widen(mg.codes)
		mg.values = &b.Type.Values
		mg.byCode = resetSlots(mg.byCode, mg.values.Len())
	}
}

// noneSlot is the slot of every message of an ungrouped query, or of a message
// whose conversation was not read.
func (mg *msgGrouping) noneSlot() int32 {
	if mg.none == unresolved {
		mg.none = mg.s.of(noneGroup(mg.g))
	}
	return mg.none
}

// each calls fn with each message of rows that falls in a bucket (times are the
// batch's message times), its bucket and each of its slots.
func (mg *msgGrouping) each(rows []int32, times []int64, j *columnJoin, cur *frames.BucketCursor, fn func(i int32, k int, slot int32)) {
	if mg.g.By == query.GroupType {
		// One group a message, by its type's code: no list.
		for _, i := range rows {
			k := cur.Index(times[i])
			if k < 0 {
				continue
			}
			c := mg.codes[i]
			s := mg.byCode[c]
			if s == unresolved {
				s = mg.s.of(selection.OrNone(mg.values.At(int(c))))
				mg.byCode[c] = s
			}
			if s >= 0 {
				fn(i, k, s)
			}
		}
		return
	}
	for _, i := range rows {
		k := cur.Index(times[i])
		if k < 0 {
			continue
		}
		for _, s := range mg.of(int(i), j) {
			fn(i, k, s)
		}
	}
}

// of returns message i's slots, in a buffer the next call reuses; refused groups are left out.
func (mg *msgGrouping) of(i int, j *columnJoin) []int32 {
	buf := mg.buf[:0]
	switch {
	case mg.g.By == query.GroupType:
		c := mg.codes[i]
		s := mg.byCode[c]
		if s == unresolved {
			s = mg.s.of(selection.OrNone(mg.values.At(int(c))))
			mg.byCode[c] = s
		}
		if s >= 0 {
			buf = append(buf, s)
		}
	case mg.g.ByConversation() && j != nil && j.set(i) != noConversation:
		if j != mg.join {
			mg.join, mg.bySet, mg.setKnown = j, mg.bySet[:0], mg.setKnown[:0]
		}
		set := j.set(i)
		for int(set) >= len(mg.bySet) {
			mg.bySet = append(mg.bySet, nil)
			mg.setKnown = append(mg.setKnown, false)
		}
		if !mg.setKnown[set] {
			var slots []int32
			for _, g := range j.sets[set] {
				if s := mg.s.of(g); s >= 0 {
					slots = append(slots, s)
				}
			}
			mg.bySet[set], mg.setKnown[set] = slots, true
		}
		buf = append(buf, mg.bySet[set]...)
	default:
		if s := mg.noneSlot(); s >= 0 {
			buf = append(buf, s)
		}
	}
	mg.buf = buf
	return buf
}
