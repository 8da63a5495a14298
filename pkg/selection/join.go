package selection

import (
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// Join gives messages their conversation's filters and groups. A messages query
// reads the conversations first (from before its range: a message may belong to
// a conversation that started earlier), then each page of messages.
type Join struct {
	filtered bool
	grouper  Grouper
	index    map[string][]string // conversation id -> its groups
	buf      []string
	kept     []exportapi.Message
	groups   [][]string
}

// NewJoin returns the join a messages query needs, or nil when neither its
// filters nor its grouping look at conversations.
func NewJoin(f *query.Filters, g Grouper) *Join {
	filtered := ConversationFilters(f)
	if !filtered && !g.ByConversation() {
		return nil
	}
	return &Join{filtered: filtered, grouper: g, index: map[string][]string{}}
}

// AddConversations records conversations that passed the filters.
func (j *Join) AddConversations(page []exportapi.Conversation) {
	for i := range page {
		var groups []string
		if j.grouper.ByConversation() {
			j.buf = j.grouper.Conversation(&page[i], j.buf)
			groups = append([]string(nil), j.buf...)
		}
		j.index[page[i].ID] = groups
	}
}

// Messages returns the messages of page whose conversation passes the filters,
// and each one's conversation groups. A message whose conversation was not read
// counts as one with no tags, locale or metadata: filters leave it out, and it
// falls in the (none) group. The slices are reused by the next call.
func (j *Join) Messages(page []exportapi.Message) ([]exportapi.Message, [][]string) {
	j.kept, j.groups = j.kept[:0], j.groups[:0]
	for i := range page {
		groups, known := j.index[page[i].ConversationID]
		if j.filtered && !known {
			continue
		}
		j.kept = append(j.kept, page[i])
		j.groups = append(j.groups, groups)
	}
	return j.kept, j.groups
}
