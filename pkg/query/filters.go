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

// Match reports whether a conversation passes every conversation filter.
// A missing or null locale or metadata value compares as the empty text.
func (f *Filters) Match(c *exportapi.Conversation) bool {
	for _, t := range f.Tags {
		if !slices.Contains(c.Tags, t) {
			return false
		}
	}
	for _, t := range f.ExcludeTags {
		if slices.Contains(c.Tags, t) {
			return false
		}
	}
	if len(f.Locales) > 0 && !slices.Contains(f.Locales, c.Locale) {
		return false
	}
	for _, m := range f.Metadata {
		text, _ := c.MetadataText(m.Key)
		if (text == m.Value) != (m.Op == "=") {
			return false
		}
	}
	return true
}
