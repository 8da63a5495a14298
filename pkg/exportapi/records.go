// Package exportapi is a client for the AgentX Support Export API. It knows HTTP,
// cursors, the rate limit and retries, and nothing of Grafana.
package exportapi

import (
	"encoding/json"
	"time"
)

// Conversation is one record of the conversations endpoint. Optional upstream
// fields decode to their zero value when missing or null; the Has* flags keep
// "missing" apart from a real zero where a caller needs to tell them apart.
type Conversation struct {
	ID        string
	StartTime time.Time
	// LastActionAt is zero when upstream sent none or an unparseable value.
	LastActionAt time.Time
	// Locale is "" when upstream sent null, nothing or an empty string.
	Locale           string
	Tags             []string
	UserMessageCount int64
	HasUserMessages  bool
	// Metadata is the raw JSON object as upstream sent it (nil when absent or null).
	Metadata json.RawMessage
}

// Message is one record of the messages endpoint.
type Message struct {
	ID             string
	Time           time.Time
	Type           string
	ConversationID string
	// UserInput is the user's text; a structured input (a form submission) is kept as compact JSON.
	UserInput      string
	UserActionType string
	// BotText is the text of outMsg: its steps joined by newlines, then its options.
	BotText string
}

// Message types the API documents or shows in its samples.
const (
	TypeUserInput  = "UserInput"
	TypeQuestion   = "Question"
	TypeBotMessage = "BotMessage"
)

// Sender says who wrote a message: "user" for user input, "bot" for everything the AI agent sent.
func (m *Message) Sender() string {
	if m.Type == TypeUserInput {
		return "user"
	}
	return "bot"
}

// Text is what the sender wrote, whichever field carried it.
func (m *Message) Text() string {
	if m.Type == TypeUserInput || (m.BotText == "" && m.UserInput != "") {
		return m.UserInput
	}
	return m.BotText
}
