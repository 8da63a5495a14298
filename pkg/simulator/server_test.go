package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var now = time.Date(2026, 11, 20, 12, 34, 56, 789_000_000, time.UTC)

func testDataset() *Dataset {
	return NewDataset(Config{Bots: []string{"bot-a", "bot-b"}, Days: 3, PerHour: 40, Seed: 11, Now: func() time.Time { return now }})
}

// get returns the status, headers and body of one request; the body is already closed.
func get(t *testing.T, base, path, key string, params url.Values) (answer, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path+"?"+params.Encode(), nil)
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{StatusCode: resp.StatusCode, Header: resp.Header}, b
}

type answer struct {
	StatusCode int
	Header     http.Header
}

func window(from, to time.Time) url.Values {
	return url.Values{"start_time": {strconv.FormatInt(from.Unix(), 10)}, "end_time": {strconv.FormatInt(to.Unix(), 10)}, "bot_name": {"bot-a"}}
}

func TestDataIsDeterministicAndReachesNow(t *testing.T) {
	a := testDataset().Conversations("bot-a", now.Add(-72*time.Hour), now.Add(time.Hour))
	b := testDataset().Conversations("bot-a", now.Add(-72*time.Hour), now.Add(time.Hour))
	if len(a) != len(b) || len(a) < 1000 {
		t.Fatalf("%d and %d conversations", len(a), len(b))
	}
	for i := range a {
		if a[i].ID != b[i].ID || !a[i].Start.Equal(b[i].Start) {
			t.Fatal("same seed, different data")
		}
	}
	last := a[len(a)-1]
	if now.Sub(last.Start) > 30*time.Minute || last.Start.After(now) {
		t.Fatalf("latest conversation starts at %s, now is %s", last.Start, now)
	}
	other := testDataset().Conversations("bot-b", now.Add(-72*time.Hour), now)
	if other[0].ID == a[0].ID {
		t.Fatal("bots share data")
	}
}

func TestDataHasTheShapesTheClientMustHandle(t *testing.T) {
	convs := testDataset().Conversations("bot-a", now.Add(-72*time.Hour), now)
	seen := map[string]int{}
	for _, c := range convs {
		if c.Start.Unix()%3600 == 0 {
			seen["on the hour"]++
		}
		switch c.LocaleMode {
		case localeNull:
			seen["null locale"]++
		case localeMissing:
			seen["missing locale"]++
		case localeEmpty:
			seen["empty locale"]++
		}
		if !c.HasUserMessageCount {
			seen["missing count"]++
		}
		if c.Metadata == nil {
			seen["null metadata"]++
		}
		for _, tag := range c.Tags {
			seen["tag "+tag]++
		}
		if len(c.Tags) == 0 {
			seen["no tags"]++
		}
		if c.LastActionAt.After(now) {
			t.Fatalf("conversation %s acts after now", c.ID)
		}
		for _, m := range c.Messages {
			seen["type "+m.Type]++
			for _, s := range append(m.Steps, m.UserInput) {
				if utf8.RuneCountInString(s) != len(s) {
					seen["unicode"]++
				}
			}
		}
	}
	for _, want := range []string{"on the hour", "null locale", "missing locale", "empty locale", "missing count", "null metadata",
		"tag resolved", "tag liveChat", "tag informed", "tag guideInteraction", "no tags", "type Question", "type UserInput", "type BotMessage", "unicode"} {
		if seen[want] == 0 {
			t.Errorf("no conversation with %s", want)
		}
	}
}

func TestConversationsUnderWayShowOnlyTheirPast(t *testing.T) {
	d := testDataset()
	later := NewDataset(Config{Bots: []string{"bot-a"}, Days: 3, PerHour: 40, Seed: 11, Now: func() time.Time { return now.Add(time.Hour) }})
	for _, c := range d.Conversations("bot-a", now.Add(-30*time.Minute), now) {
		for _, m := range c.Messages {
			if m.Time.After(now) {
				t.Fatalf("message of %s from the future", c.ID)
			}
		}
		i := slices.IndexFunc(later.Conversations("bot-a", c.Start, c.Start.Add(time.Second)), func(o Conversation) bool { return o.ID == c.ID })
		if i < 0 {
			t.Fatal("conversation not found an hour later")
		}
		full := later.Conversations("bot-a", c.Start, c.Start.Add(time.Second))[i]
		if len(full.Messages) > len(c.Messages) {
			if len(c.Tags) > len(full.Tags) || c.LastActionAt.After(now) {
				t.Fatalf("under way at now but shows its outcome: %+v", c)
			}
			return // found one still under way
		}
	}
	t.Fatal("no conversation was under way at now")
}

func TestServerEnforcesTheDocumentedLimits(t *testing.T) {
	srv := NewServer(testDataset(), ServerConfig{APIKey: "k", RequestsPerSecond: 3})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	w := window(now.Add(-2*time.Hour), now)

	if resp, _ := get(t, hs.URL, PathConversations, "", w); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no key: %d", resp.StatusCode)
	}
	if resp, _ := get(t, hs.URL, PathConversations, "wrong", w); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong key: %d", resp.StatusCode)
	}
	unknown := window(now.Add(-time.Hour), now)
	unknown.Set("bot_name", "nobody")
	if resp, _ := get(t, hs.URL, PathConversations, "k", unknown); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown bot: %d", resp.StatusCode)
	}
	big := window(now.Add(-time.Hour), now)
	big.Set("per_page", "1001")
	if resp, _ := get(t, hs.URL, PathConversations, "k", big); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("per_page 1001: %d", resp.StatusCode)
	}
	// Unknown bot and bad per_page took two of the three requests of this second;
	// within the next few, one is refused.
	var resp answer
	for i := 0; i < 4; i++ {
		if resp, _ = get(t, hs.URL, PathConversations, "k", w); resp.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("requests over 3/s: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// The other endpoint has its own budget.
	if resp, _ := get(t, hs.URL, PathMessages, "k", w); resp.StatusCode != http.StatusOK {
		t.Fatalf("messages endpoint: %d", resp.StatusCode)
	}
}

func TestCursorsNeedURLEncoding(t *testing.T) {
	srv := NewServer(testDataset(), ServerConfig{APIKey: "k", RequestsPerSecond: -1})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	w := window(now.Add(-6*time.Hour), now)
	w.Set("per_page", "10")
	_, body := get(t, hs.URL, PathConversations, "k", w)
	var page struct {
		Data   []json.RawMessage `json:"data"`
		Cursor *string           `json:"cursor"`
	}
	if err := json.Unmarshal(body, &page); err != nil || page.Cursor == nil || len(page.Data) != 10 {
		t.Fatalf("first page: %s", body)
	}
	if !strings.ContainsAny(*page.Cursor, "+/") {
		t.Fatalf("cursor %q has no character that needs encoding", *page.Cursor)
	}
	// Encoded, the cursor works.
	w.Set("cursor", *page.Cursor)
	if resp, b := get(t, hs.URL, PathConversations, "k", w); resp.StatusCode != http.StatusOK {
		t.Fatalf("encoded cursor: %d %s", resp.StatusCode, b)
	}
	// Pasted raw into the URL, '+' turns into a space and the cursor breaks.
	req, _ := http.NewRequest(http.MethodGet, hs.URL+PathConversations+"?"+window(now.Add(-6*time.Hour), now).Encode()+"&per_page=10&cursor="+*page.Cursor, nil)
	req.Header.Set("x-api-key", "k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("raw cursor accepted: %d", resp.StatusCode)
	}
}

func TestAConversationJustStartedHasNoMessageYet(t *testing.T) {
	d := testDataset()
	c := d.Conversations("bot-a", now.Add(-3*time.Hour), now)[5]
	if len(c.Messages) == 0 || c.Messages[0].Time.Equal(c.Start) {
		t.Skip("needs a conversation whose greeting comes after its start")
	}
	at := NewDataset(Config{Bots: []string{"bot-a", "bot-b"}, Days: 3, PerHour: 40, Seed: 11, Now: func() time.Time { return c.Start }})
	for _, o := range at.Conversations("bot-a", c.Start, c.Start.Add(time.Second)) {
		if o.ID == c.ID {
			if len(o.Messages) != 0 || !o.LastActionAt.Equal(c.Start) {
				t.Fatalf("at its start it shows %d messages, last action %s", len(o.Messages), o.LastActionAt)
			}
			return
		}
	}
	t.Fatal("the conversation is not visible at its own start")
}
