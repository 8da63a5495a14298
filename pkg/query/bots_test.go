package query

import (
	"slices"
	"strings"
	"testing"
)

func TestBotsOfAQuery(t *testing.T) {
	known := []string{"d", "a", "b"}
	for _, tc := range []struct {
		json     string
		bot      string
		bots     []string
		errorHas string
	}{
		{`{}`, "d", nil, ""},
		{`{"bot":"a"}`, "a", nil, ""},
		{`{"bot":["a"]}`, "a", nil, ""},
		{`{"bot":["b"," a ","b",""]}`, "b", []string{"b", "a"}, ""},
		{`{"bot":"__all__"}`, "d", []string{"d", "a", "b"}, ""},
		{`{"bot":["a","__all__"]}`, "a", []string{"a", "d", "b"}, ""},
		{`{"bot":["a","$bot"]}`, "", nil, "template variable $bot"},
		{`{"bot":[{"x":1}]}`, "", nil, "bot must be a text"},
	} {
		q, err := ParseWithBots([]byte(tc.json), TypeConversationVolume, "d", known)
		if tc.errorHas != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errorHas) {
				t.Errorf("%s: error %v, want one with %q", tc.json, err, tc.errorHas)
			}
			continue
		}
		if err != nil || q.Bot != tc.bot || !slices.Equal(q.Bots, tc.bots) {
			t.Errorf("%s: bot %q bots %v (%v), want %q %v", tc.json, q.Bot, q.Bots, err, tc.bot, tc.bots)
		}
	}
	// All on a data source without bots is its default bot; without a default bot, an error.
	if q, err := ParseWithBots([]byte(`{"bot":"__all__"}`), TypeConversationVolume, "d", nil); err != nil || q.Bot != "d" || q.MultiBot() {
		t.Errorf("All without bots: %q %v %v", q.Bot, q.Bots, err)
	}
	if _, err := ParseWithBots([]byte(`{"bot":"__all__"}`), TypeConversationVolume, "", nil); err == nil || !strings.Contains(err.Error(), "all bots") {
		t.Errorf("All without any bot: %v", err)
	}
	if _, err := Parse([]byte(`{"bot":"a","groupBy":"bot"}`), TypeTagRate, ""); err != nil {
		t.Errorf("groupBy bot: %v", err)
	}
}
