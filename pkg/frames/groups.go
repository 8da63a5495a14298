package frames

import (
	"cmp"
	"slices"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// NoneGroup is the group of a conversation without a tag, or with a missing,
// null or empty locale or metadata value.
const NoneGroup = query.NoneGroup

// Grouper puts records into the groups of a query's groupBy.
type Grouper struct {
	By          string
	MetadataKey string
}

// NewGrouper returns the grouper of a query.
func NewGrouper(q *query.Query) Grouper {
	return Grouper{By: q.GroupBy, MetadataKey: q.MetadataKey}
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
		return append(buf, query.OrNone(c.Locale))
	case query.GroupMetadata:
		v, _ := c.MetadataText(g.MetadataKey)
		return append(buf, query.OrNone(v))
	}
	return append(buf, "")
}

// Message appends the groups of m to buf. convGroups are the groups of its
// conversation (nil when unknown) for groupings that come from the conversation.
func (g Grouper) Message(m *exportapi.Message, convGroups []string, buf []string) []string {
	buf = buf[:0]
	switch {
	case g.By == query.GroupType:
		return append(buf, query.OrNone(m.Type))
	case g.ByConversation():
		if len(convGroups) == 0 {
			return append(buf, NoneGroup)
		}
		return append(buf, convGroups...)
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
	}
	return nil
}

// sortedGroups orders groups by name with (none) last, for a stable series order.
func sortedGroups[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if (a == NoneGroup) != (b == NoneGroup) {
			if a == NoneGroup {
				return 1
			}
			return -1
		}
		return cmp.Compare(a, b)
	})
	return keys
}

// row returns a group's buckets, making them on first use.
func row[T any](m map[string][]T, group string, n int) []T {
	r, ok := m[group]
	if !ok {
		r = make([]T, n)
		m[group] = r
	}
	return r
}
