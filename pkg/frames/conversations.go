package frames

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Field names of the conversations table. They are part of the frame shapes in
// docs/reference.md (data links and transformations refer to them); display
// names are for people.
const (
	FieldID               = "id"
	FieldStartTime        = "startTime"
	FieldLastActionAt     = "lastActionAt"
	FieldLocale           = "locale"
	FieldTags             = "tags"
	FieldUserMessageCount = "userMessageCount"
	FieldMetadata         = "metadata"
)

// ConversationTable builds the conversations table from pages of matching records.
type ConversationTable struct {
	rows *newest[exportapi.Conversation]
}

// NewConversationTable keeps the limit most recently started conversations.
// read, when set, is the time wholly read so far (fetch.Progress.Read): rows of
// it past the newest limit are let go while the read goes on.
func NewConversationTable(limit int, read func() []exportapi.Window) *ConversationTable {
	return &ConversationTable{rows: newNewest(limit, func(c *exportapi.Conversation) (time.Time, string) { return c.StartTime, c.ID }, read)}
}

// Add takes a page of conversations that passed the query's filters.
func (t *ConversationTable) Add(page []exportapi.Conversation) {
	t.rows.add(page)
}

// Frame returns the table, newest conversation first.
// Records of the unread windows (a partial answer's unread time) are left out
// before the limit is applied.
func (t *ConversationTable) Frame(unread []exportapi.Window) *data.Frame {
	rows := t.rows.sorted(unread)
	ids := make([]string, len(rows))
	starts := make([]time.Time, len(rows))
	lastActions := make([]*time.Time, len(rows))
	locales := make([]*string, len(rows))
	tags := make([]string, len(rows))
	counts := make([]*int64, len(rows))
	metadata := make([]*json.RawMessage, len(rows))
	for i := range rows {
		c := &rows[i]
		ids[i] = c.ID
		starts[i] = c.StartTime
		if !c.LastActionAt.IsZero() {
			lastActions[i] = &c.LastActionAt
		}
		if c.Locale != "" {
			locales[i] = &c.Locale
		}
		tags[i] = strings.Join(c.Tags, ", ")
		if c.HasUserMessages {
			counts[i] = &c.UserMessageCount
		}
		if len(c.Metadata) > 0 {
			metadata[i] = &c.Metadata
		}
	}
	frame := data.NewFrame("conversations",
		named(data.NewField(FieldID, nil, ids), "Conversation"),
		named(data.NewField(FieldStartTime, nil, starts), "Started"),
		named(data.NewField(FieldLastActionAt, nil, lastActions), "Last action"),
		named(data.NewField(FieldLocale, nil, locales), "Locale"),
		named(data.NewField(FieldTags, nil, tags), "Tags"),
		named(data.NewField(FieldUserMessageCount, nil, counts), "User messages"),
		named(data.NewField(FieldMetadata, nil, metadata), "Metadata"),
	)
	frame.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	t.rows.notice(frame, "conversations")
	return frame
}

func named(f *data.Field, display string) *data.Field {
	f.Config = &data.FieldConfig{DisplayNameFromDS: display}
	return f
}

func limitNotice(frame *data.Frame, shown, total int, what string) {
	if total > shown {
		frame.AppendNotices(data.Notice{
			Severity: data.NoticeSeverityWarning,
			Text:     fmt.Sprintf("Showing the newest %d of %d %s; raise the query's limit to see more.", shown, total, what),
		})
	}
}
