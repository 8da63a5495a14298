// Package selection decides which records a query sees and in which groups they
// fall: the conversation filters, the grouping, and the join that gives a
// message its conversation's filters and groups. docs/reference.md states the
// rules ("Groups"); the aggregators in pkg/frames count what it hands them.
package selection

import (
	"slices"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// ConversationFilters reports whether any filter looks at the conversation, so a
// messages query knows it must read conversations too.
func ConversationFilters(f *query.Filters) bool {
	return len(f.Tags) > 0 || len(f.ExcludeTags) > 0 || len(f.Locales) > 0 || len(f.ExcludeLocales) > 0 || len(f.Metadata) > 0
}

// NoneGroup is the group of a conversation without a tag, or with a missing, null
// or empty locale or metadata value. As a filter value it selects that group.
const NoneGroup = "(none)"

// OrNone is the group of a locale or metadata text: NoneGroup for the empty text.
func OrNone(s string) string {
	if s == "" {
		return NoneGroup
	}
	return s
}

// Selects reports whether a conversation passes every conversation filter. Each
// filter selects groups as grouping shows them, so a filter on NoneGroup selects
// exactly the conversations of the (none) group.
func Selects(f *query.Filters, c *exportapi.Conversation) bool {
	for _, t := range f.Tags {
		if !hasTag(c, t) {
			return false
		}
	}
	for _, t := range f.ExcludeTags {
		if hasTag(c, t) {
			return false
		}
	}
	if len(f.Locales) > 0 && !slices.Contains(f.Locales, OrNone(c.Locale)) {
		return false
	}
	if slices.Contains(f.ExcludeLocales, OrNone(c.Locale)) {
		return false
	}
	for _, m := range f.Metadata {
		text, _ := c.MetadataText(m.Key)
		if (OrNone(text) == OrNone(m.Value)) != (m.Op == "=") {
			return false
		}
	}
	return true
}

// SelectsMessage reports whether a message passes the message type filters: its
// type (NoneGroup when empty, as grouping by type shows it) is one of Types, when
// any, and none of ExcludeTypes.
func SelectsMessage(f *query.Filters, m *exportapi.Message) bool {
	t := OrNone(m.Type)
	if len(f.Types) > 0 && !slices.Contains(f.Types, t) {
		return false
	}
	return !slices.Contains(f.ExcludeTypes, t)
}

// hasTag reports whether c falls in the group of tag t: it carries t, or t is
// NoneGroup and c carries no tag.
func hasTag(c *exportapi.Conversation, t string) bool {
	return slices.Contains(c.Tags, t) || (t == NoneGroup && len(c.Tags) == 0)
}

// Matching returns the conversations of page that pass the filters, in a new
// slice: pages may be shared with other queries and must not be changed.
func Matching(page []exportapi.Conversation, f *query.Filters) []exportapi.Conversation {
	if !ConversationFilters(f) {
		return page
	}
	out := make([]exportapi.Conversation, 0, len(page))
	for i := range page {
		if Selects(f, &page[i]) {
			out = append(out, page[i])
		}
	}
	return out
}
