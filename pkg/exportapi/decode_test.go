package exportapi

import (
	"strings"
	"testing"
	"time"
)

func TestDecodeConversationsTolerantly(t *testing.T) {
	body := `{"cursor":"a+b/c=","unknown":{"x":[1,2]},"data":[
	 {"_id":"5c80","startTime":1744750665,"locale":"en_us","metadata":{"locale":"en_us","draft":true,"guideNodeCount":5,"plan":{"tier":"pro"}},
	  "tags":["guideInteraction"],"userMessageCount":6,"lastActionAt":"2025-04-15T20:58:15.384884","extra":null},
	 {"_id":"n1","startTime":1744750665.25,"locale":null,"metadata":null,"tags":null,"userMessageCount":null,"lastActionAt":null},
	 {"_id":"n2","startTime":"1744750666"},
	 {"_id":"n3","startTime":1744750667,"locale":"","tags":"resolved","userMessageCount":"3","lastActionAt":"2025-04-15T20:58:15Z"},
	 {"_id":"bad-time","startTime":"soon"},
	 {"startTime":1744750668},
	 7
	]}`
	p, err := decodeConversationPage(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if p.cursor != "a+b/c=" || len(p.records) != 4 || p.skipped != 3 {
		t.Fatalf("cursor %q, %d records, %d skipped", p.cursor, len(p.records), p.skipped)
	}
	c := p.records[0]
	if c.ID != "5c80" || !c.StartTime.Equal(time.Unix(1744750665, 0)) || c.Locale != "en_us" || len(c.Tags) != 1 ||
		c.UserMessageCount != 6 || !c.HasUserMessages || !c.LastActionAt.Equal(time.Date(2025, 4, 15, 20, 58, 15, 384884000, time.UTC)) {
		t.Fatalf("first record %+v", c)
	}
	if v, ok := c.MetadataText("plan"); !ok || v != `{"tier":"pro"}` {
		t.Errorf("plan %q %v", v, ok)
	}
	if v, ok := c.MetadataText("draft"); !ok || v != "true" {
		t.Errorf("draft %q", v)
	}
	if v, ok := c.MetadataText("guideNodeCount"); !ok || v != "5" {
		t.Errorf("guideNodeCount %q", v)
	}
	if _, ok := c.MetadataText("missing"); ok {
		t.Error("a missing key was found")
	}
	n1 := p.records[1]
	if n1.Locale != "" || n1.Tags != nil || n1.Metadata != nil || n1.HasUserMessages || !n1.LastActionAt.IsZero() ||
		!n1.StartTime.Equal(time.Unix(1744750665, 250_000_000)) {
		t.Fatalf("nulls decoded as %+v", n1)
	}
	if !p.records[2].StartTime.Equal(time.Unix(1744750666, 0)) {
		t.Errorf("numeric string time %v", p.records[2].StartTime)
	}
	n3 := p.records[3]
	if n3.Tags[0] != "resolved" || n3.UserMessageCount != 3 || n3.LastActionAt.IsZero() {
		t.Errorf("loose shapes decoded as %+v", n3)
	}
}

func TestDecodeMessages(t *testing.T) {
	body := `{"data":[
	 {"_id":"aee4","time":1744651778.652,"type":"Question","outMsg":{"steps":[{"text":"Hello 👋"}]},"conversationId":"7eee"},
	 {"_id":"33f3","time":1744651783,"type":"UserInput","userInput":"Tell me","userActionType":"text","conversationId":"7eee"},
	 {"_id":"4514","time":1744651793.839,"type":"Question","outMsg":{"steps":[{"text":"Details"},{"text":"Did that answer your question?"}],
	   "options":[{"txt":"Yes"},{"txt":"No"}]},"conversationId":"7eee"},
	 {"_id":"f1","time":1744651794.1,"type":"UserInput","userInput":{"email":"a@b.c"},"userActionType":"formSubmission","conversationId":"7eee"}
	],"cursor":null}`
	p, err := decodeMessagePage(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if p.cursor != "" || len(p.records) != 4 {
		t.Fatalf("%+v", p)
	}
	m := p.records
	if !m[0].Time.Equal(time.Unix(1744651778, 652_000_000)) || m[0].Sender() != "bot" || m[0].Text() != "Hello 👋" {
		t.Errorf("bot message %+v", m[0])
	}
	if m[1].Sender() != "user" || m[1].Text() != "Tell me" || m[1].UserActionType != "text" {
		t.Errorf("user message %+v", m[1])
	}
	if m[2].Text() != "Details\nDid that answer your question?\n[Yes] [No]" {
		t.Errorf("steps and options %q", m[2].Text())
	}
	if m[3].Text() != `{"email":"a@b.c"}` || !m[3].Time.Equal(time.Unix(1744651794, 100_000_000)) {
		t.Errorf("form input %+v", m[3])
	}
}

func TestDecodeRejectsBrokenPages(t *testing.T) {
	for name, body := range map[string]string{
		"truncated":      `{"data":[{"_id":"a","startTime":1744750665},{"_id":"b","sta`,
		"not json":       `<html>502 Bad Gateway</html>`,
		"no data":        `{"cursor":null}`,
		"data not array": `{"data":{"_id":"a"},"cursor":null}`,
		"array":          `[{"_id":"a"}]`,
		"empty":          ``,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := decodeConversationPage(strings.NewReader(body)); err == nil {
				t.Fatal("accepted a broken page")
			}
		})
	}
}

func TestParseEpochSecondsIsExact(t *testing.T) {
	cases := map[string]time.Time{
		"1744651778":            time.Unix(1744651778, 0),
		"1744651778.652":        time.Unix(1744651778, 652_000_000),
		"1744651778.1":          time.Unix(1744651778, 100_000_000),
		"1744651778.123456789":  time.Unix(1744651778, 123456789),
		"1744651778.0000000019": time.Unix(1744651778, 1),
		"1.744651778652e9":      time.Unix(1744651778, 652_000_000),
		"-1.5":                  time.Unix(-1, -500_000_000),
	}
	for in, want := range cases {
		got, err := parseEpochSeconds(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: got %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "1.2.3", "1e400", "99999999999999999999", "1.x"} {
		if _, err := parseEpochSeconds(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d := parseRetryAfter("2", now); d != 2*time.Second {
		t.Errorf("seconds: %s", d)
	}
	if d := parseRetryAfter("Thu, 01 Jan 2026 00:00:07 GMT", now); d != 7*time.Second {
		t.Errorf("date: %s", d)
	}
	if d := parseRetryAfter("", now); d != defaultRetryAfter {
		t.Errorf("empty: %s", d)
	}
	if d := parseRetryAfter("soon", now); d != defaultRetryAfter {
		t.Errorf("garbage: %s", d)
	}
}

func TestAbsurdUserMessageCountsAreMissing(t *testing.T) {
	body := `{"data":[{"_id":"a","startTime":1,"userMessageCount":1000000},{"_id":"b","startTime":1,"userMessageCount":10000000},
		{"_id":"c","startTime":1,"userMessageCount":"1e12"}]}`
	p, err := decodeConversationPage(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if !p.records[0].HasUserMessages || p.records[1].HasUserMessages || p.records[2].HasUserMessages || p.records[2].UserMessageCount != 0 {
		t.Fatalf("%+v", p.records)
	}
}
