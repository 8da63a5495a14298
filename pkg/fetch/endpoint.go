package fetch

import (
	"context"
	"time"
	"unsafe"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// allocSlack is what the allocator adds to a record's strings, roughly.
const allocSlack = 48

// endpoint is what the planner needs to know of one record type.
type endpoint[T any] struct {
	name   string
	export func(*exportapi.Client, context.Context, exportapi.Request, func([]T) error) (exportapi.Stats, error)
	when   func(*T) time.Time
	size   func(*T) int64
	cols   columns[T]
}

var conversations = endpoint[exportapi.Conversation]{
	name:   exportapi.EndpointConversations,
	export: (*exportapi.Client).Conversations,
	when:   func(c *exportapi.Conversation) time.Time { return c.StartTime },
	size: func(c *exportapi.Conversation) int64 {
		n := int64(unsafe.Sizeof(*c)) + int64(len(c.ID)+len(c.Locale)+len(c.Metadata)) + allocSlack
		for _, t := range c.Tags {
			n += int64(unsafe.Sizeof(t)) + int64(len(t)) + 8
		}
		return n + n/4 // retained slices grow by doubling
	},
	cols: conversationColumns,
}

var messages = endpoint[exportapi.Message]{
	name:   exportapi.EndpointMessages,
	export: (*exportapi.Client).Messages,
	when:   func(m *exportapi.Message) time.Time { return m.Time },
	size: func(m *exportapi.Message) int64 {
		n := int64(unsafe.Sizeof(*m)) + int64(len(m.ID)+len(m.Type)+len(m.ConversationID)+len(m.UserInput)+len(m.UserActionType)+len(m.BotText)) + allocSlack
		return n + n/4
	},
	cols: messageColumns,
}
