package frames

import (
	"flag"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var t0 = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func sampleConversations() []exportapi.Conversation {
	return []exportapi.Conversation{
		{ID: "c1", StartTime: t0, LastActionAt: t0.Add(95*time.Second + 384884*time.Microsecond), Locale: "en_us",
			Tags: []string{"resolved", "guideInteraction"}, UserMessageCount: 6, HasUserMessages: true,
			Metadata: []byte(`{"locale":"en_us","draft":true,"plan":{"tier":"pro"}}`)},
		{ID: "c2", StartTime: t0.Add(time.Minute), Locale: "", Tags: nil},
		{ID: "c3", StartTime: t0.Add(2 * time.Minute), LastActionAt: t0.Add(3 * time.Minute), Locale: "ja_jp",
			Tags: []string{"liveChat"}, UserMessageCount: 0, HasUserMessages: true, Metadata: []byte(`{"question":"カメラがオフラインです"}`)},
	}
}

func sampleMessages() []exportapi.Message {
	return []exportapi.Message{
		{ID: "m1", Time: t0.Add(652 * time.Millisecond), Type: "Question", ConversationID: "c1", BotText: "Hello 👋 I am a virtual assistant."},
		{ID: "m2", Time: t0.Add(5 * time.Second), Type: "UserInput", ConversationID: "c1", UserInput: "Tell me about Comfort Headphones", UserActionType: "text"},
		{ID: "m3", Time: t0.Add(15*time.Second + 839*time.Millisecond), Type: "Question", ConversationID: "c1", BotText: "Details\nDid that answer your question?\n[Yes] [No]"},
	}
}

func TestConversationTableGolden(t *testing.T) {
	table := NewConversationTable(10, nil)
	table.Add(sampleConversations()[:1])
	table.Add(sampleConversations()[1:])
	experimental.CheckGoldenJSONFrame(t, "testdata", "conversations-table", table.Frame(nil), *update)
}

func TestMessageTableGolden(t *testing.T) {
	table := NewMessageTable(10, nil)
	table.Add(sampleMessages())
	experimental.CheckGoldenJSONFrame(t, "testdata", "messages-table", table.Frame(nil), *update)
}

func TestLimitKeepsTheNewestAndSaysSo(t *testing.T) {
	table := NewConversationTable(2, nil)
	for i := 0; i < 25; i++ {
		// Pages arrive oldest first, as the API sends them.
		table.Add([]exportapi.Conversation{{ID: string(rune('a' + i)), StartTime: t0.Add(time.Duration(i) * time.Minute)}})
	}
	f := table.Frame(nil)
	if f.Rows() != 2 {
		t.Fatalf("%d rows", f.Rows())
	}
	if f.Fields[0].At(0) != "y" || f.Fields[0].At(1) != "x" {
		t.Fatalf("rows %v %v, want the two newest", f.Fields[0].At(0), f.Fields[0].At(1))
	}
	if len(f.Meta.Notices) != 1 || f.Meta.Notices[0].Text != "Showing the newest 2 of 25 conversations; raise the query's limit to see more." {
		t.Fatalf("notices %+v", f.Meta.Notices)
	}
	experimental.CheckGoldenJSONFrame(t, "testdata", "conversations-limited", f, *update)
}
