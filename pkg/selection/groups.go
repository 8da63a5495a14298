package selection

import (
	"slices"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// Grouper puts records into the groups of a query's groupBy.
type Grouper struct {
	By          string
	MetadataKey string
	// Bots are the query's bots, each of which has a group with groupBy bot;
	// Reading is the bot whose records are being grouped (the query's Bot, which
	// a read of several bots sets to each in turn).
	Bots    []string
	Reading *string
}

// NewGrouper returns the grouper of a query.
func NewGrouper(q *query.Query) Grouper {
	g := Grouper{By: q.GroupBy, MetadataKey: q.MetadataKey}
	if q.GroupBy == query.GroupBot {
		g.Bots, g.Reading = q.BotList(), &q.Bot
	}
	return g
}

// ReadingBot is the bot whose records are being grouped ("" when unknown).
func (g Grouper) ReadingBot() string {
	if g.Reading == nil {
		return ""
	}
	return *g.Reading
}

// Grouped reports whether records are split into groups at all.
func (g Grouper) Grouped() bool { return g.By != query.GroupNone }

// ByConversation reports whether a message's groups come from its conversation.
func (g Grouper) ByConversation() bool {
	return g.By == query.GroupTag || g.By == query.GroupLocale || g.By == query.GroupMetadata
}

// LabelName is the series label that names a group: tag, locale, type, or the metadata key itself.
func (g Grouper) LabelName() string {
	if g.By == query.GroupMetadata {
		return g.MetadataKey
	}
	return g.By
}

// Conversation appends the groups of c to buf: one per distinct tag with groupBy
// tag (so groups may overlap), else exactly one.
func (g Grouper) Conversation(c *exportapi.Conversation, buf []string) []string {
	buf = buf[:0]
	switch g.By {
	case query.GroupNone:
		return append(buf, "")
	case query.GroupTag:
		for _, t := range c.Tags {
			if !slices.Contains(buf, t) {
				buf = append(buf, t)
			}
		}
		if len(buf) == 0 {
			buf = append(buf, NoneGroup)
		}
		return buf
	case query.GroupLocale:
		return append(buf, OrNone(c.Locale))
	case query.GroupMetadata:
		v, _ := c.MetadataText(g.MetadataKey)
		return append(buf, OrNone(v))
	case query.GroupBot:
		return append(buf, g.ReadingBot())
	}
	return append(buf, "")
}

// Message appends the groups of m to buf. convGroups are the groups of its
// conversation (nil when unknown) for groupings that come from the conversation.
func (g Grouper) Message(m *exportapi.Message, convGroups []string, buf []string) []string {
	buf = buf[:0]
	switch {
	case g.By == query.GroupType:
		return append(buf, OrNone(m.Type))
	case g.ByConversation():
		if len(convGroups) == 0 {
			return append(buf, NoneGroup)
		}
		return append(buf, convGroups...)
	case g.By == query.GroupBot:
		return append(buf, g.ReadingBot())
	}
	return append(buf, "")
}

// Seeds are the groups a query names in its filters: they appear even when empty,
// so an alert per locale sees a zero series rather than none.
func (g Grouper) Seeds(f *query.Filters) []string {
	switch g.By {
	case query.GroupTag:
		return f.Tags
	case query.GroupLocale:
		return f.Locales
	case query.GroupBot:
		// Every bot has a series, zero when it has no records: an alert per bot
		// sees its bot go quiet.
		return g.Bots
	}
	return nil
}
