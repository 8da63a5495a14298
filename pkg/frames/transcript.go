package frames

import (
	"encoding/json"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Transcript turns messages into a logs frame, one line per message, so Explore
// shows a conversation as it was written: "user: …" and "bot: …".
type Transcript struct {
	rows *newest[exportapi.Message]
}

// NewTranscript keeps the limit most recent messages.
// read, when set, is the time wholly read so far (fetch.Progress.Read): rows of
// it past the newest limit are let go while the read goes on.
func NewTranscript(limit int, read func() []exportapi.Window) *Transcript {
	return &Transcript{rows: newNewest(limit, func(m *exportapi.Message) (time.Time, string) { return m.Time, m.ID }, read)}
}

// Add takes a page of matching messages.
func (t *Transcript) Add(page []exportapi.Message) { t.rows.add(page) }

type logLabels struct {
	Sender         string `json:"sender"`
	Type           string `json:"type"`
	ConversationID string `json:"conversationId"`
	UserActionType string `json:"userActionType,omitempty"`
}

// Frame returns the lines oldest first, in the dataplane's log-lines shape.
// Records of the unread windows (a partial answer's unread time) are left out
// before the limit is applied.
func (t *Transcript) Frame(unread []exportapi.Window) *data.Frame {
	rows := t.rows.sorted(unread)
	n := len(rows)
	times := make([]time.Time, n)
	bodies := make([]string, n)
	ids := make([]string, n)
	labels := make([]json.RawMessage, n)
	for i := range rows {
		m := &rows[n-1-i]
		times[i] = m.Time
		bodies[i] = m.Sender() + ": " + m.Text()
		ids[i] = m.ID
		labels[i], _ = json.Marshal(logLabels{Sender: m.Sender(), Type: m.Type, ConversationID: m.ConversationID, UserActionType: m.UserActionType})
	}
	frame := data.NewFrame("transcript",
		data.NewField("timestamp", nil, times),
		data.NewField("body", nil, bodies),
		data.NewField("id", nil, ids),
		data.NewField("labels", nil, labels),
	)
	frame.Meta = &data.FrameMeta{Type: data.FrameTypeLogLines, TypeVersion: data.FrameTypeVersion{0, 0}, PreferredVisualization: data.VisTypeLogs}
	t.rows.notice(frame, "messages")
	return frame
}
