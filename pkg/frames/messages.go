package frames

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Field names of the messages table.
const (
	FieldTime           = "time"
	FieldConversationID = "conversationId"
	FieldType           = "type"
	FieldSender         = "sender"
	FieldText           = "text"
	FieldUserActionType = "userActionType"
)

// MessageTable builds the messages table from pages of matching records.
type MessageTable struct {
	rows *newest[exportapi.Message]
}

// NewMessageTable keeps the limit most recent messages.
// read, when set, is the time wholly read so far (fetch.Progress.Read): rows of
// it past the newest limit are let go while the read goes on.
func NewMessageTable(limit int, read func() []exportapi.Window) *MessageTable {
	return &MessageTable{rows: newNewest(limit, func(m *exportapi.Message) (time.Time, string) { return m.Time, m.ID }, read)}
}

// Add takes a page of messages that passed the query's filters.
func (t *MessageTable) Add(page []exportapi.Message) {
	t.rows.add(page)
}

// Frame returns the table, newest message first.
// Records of the unread windows (a partial answer's unread time) are left out
// before the limit is applied.
func (t *MessageTable) Frame(unread []exportapi.Window) *data.Frame {
	rows := t.rows.sorted(unread)
	ids := make([]string, len(rows))
	times := make([]time.Time, len(rows))
	convs := make([]string, len(rows))
	types := make([]string, len(rows))
	senders := make([]string, len(rows))
	texts := make([]string, len(rows))
	actions := make([]*string, len(rows))
	for i := range rows {
		m := &rows[i]
		ids[i] = m.ID
		times[i] = m.Time
		convs[i] = m.ConversationID
		types[i] = m.Type
		senders[i] = m.Sender()
		texts[i] = m.Text()
		if m.UserActionType != "" {
			actions[i] = &m.UserActionType
		}
	}
	frame := data.NewFrame("messages",
		named(data.NewField(FieldID, nil, ids), "Message"),
		named(data.NewField(FieldTime, nil, times), "Time"),
		named(data.NewField(FieldConversationID, nil, convs), "Conversation"),
		named(data.NewField(FieldType, nil, types), "Type"),
		named(data.NewField(FieldSender, nil, senders), "Sender"),
		named(data.NewField(FieldText, nil, texts), "Text"),
		named(data.NewField(FieldUserActionType, nil, actions), "User action"),
	)
	frame.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	t.rows.notice(frame, "messages")
	return frame
}
