package query

import (
	"slices"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// ConversationFilters reports whether any filter looks at the conversation, so a
// messages query knows it must read conversations too.
func (f *Filters) ConversationFilters() bool {
	return len(f.Tags) > 0 || len(f.ExcludeTags) > 0 || len(f.Locales) > 0 || len(f.Metadata) > 0
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

// Match reports whether a conversation passes every conversation filter. Each
// filter selects groups as grouping shows them, so a filter on NoneGroup selects
// exactly the conversations of the (none) group.
func (f *Filters) Match(c *exportapi.Conversation) bool {
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
	for _, m := range f.Metadata {
		text, _ := c.MetadataText(m.Key)
		if (OrNone(text) == OrNone(m.Value)) != (m.Op == "=") {
			return false
		}
	}
	return true
}

// hasTag reports whether c falls in the group of tag t: it carries t, or t is
// NoneGroup and c carries no tag.
func hasTag(c *exportapi.Conversation, t string) bool {
	return slices.Contains(c.Tags, t) || (t == NoneGroup && len(c.Tags) == 0)
}
