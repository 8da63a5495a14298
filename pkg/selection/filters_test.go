package selection

import (
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

func TestFiltersMatch(t *testing.T) {
	c := exportapi.Conversation{ID: "c", Locale: "en_us", Tags: []string{"resolved", "guideInteraction"},
		Metadata: []byte(`{"channel":"web","draft":false,"plan":{"tier":"pro"}}`)}
	none := exportapi.Conversation{ID: "n"}
	cases := []struct {
		name string
		f    query.Filters
		c, n bool // want for c and for none
	}{
		{"no filters", query.Filters{}, true, true},
		{"all tags", query.Filters{Tags: []string{"resolved", "guideInteraction"}}, true, false},
		{"a tag it lacks", query.Filters{Tags: []string{"resolved", "liveChat"}}, false, false},
		{"exclude", query.Filters{ExcludeTags: []string{"liveChat"}}, true, true},
		{"exclude hit", query.Filters{ExcludeTags: []string{"guideInteraction"}}, false, true},
		{"locale", query.Filters{Locales: []string{"de_de", "en_us"}}, true, false},
		{"metadata =", query.Filters{Metadata: []query.MetadataFilter{{Key: "channel", Op: "=", Value: "web"}}}, true, false},
		{"metadata bool text", query.Filters{Metadata: []query.MetadataFilter{{Key: "draft", Op: "=", Value: "false"}}}, true, false},
		{"metadata object text", query.Filters{Metadata: []query.MetadataFilter{{Key: "plan", Op: "=", Value: `{"tier":"pro"}`}}}, true, false},
		{"metadata !=", query.Filters{Metadata: []query.MetadataFilter{{Key: "channel", Op: "!=", Value: "web"}}}, false, true},
		{"missing compares as empty", query.Filters{Metadata: []query.MetadataFilter{{Key: "channel", Op: "=", Value: ""}}}, false, true},
		{"tags (none)", query.Filters{Tags: []string{NoneGroup}}, false, true},
		{"exclude tags (none)", query.Filters{ExcludeTags: []string{NoneGroup}}, true, false},
		{"locale (none)", query.Filters{Locales: []string{NoneGroup}}, false, true},
		{"locale (none) or one", query.Filters{Locales: []string{"en_us", NoneGroup}}, true, true},
		{"metadata = (none)", query.Filters{Metadata: []query.MetadataFilter{{Key: "channel", Op: "=", Value: NoneGroup}}}, false, true},
		{"metadata != (none)", query.Filters{Metadata: []query.MetadataFilter{{Key: "channel", Op: "!=", Value: NoneGroup}}}, true, false},
		{"exclude locale", query.Filters{ExcludeLocales: []string{"en_us"}}, false, true},
		{"exclude locale (none)", query.Filters{ExcludeLocales: []string{NoneGroup}}, true, false},
		{"exclude another locale", query.Filters{ExcludeLocales: []string{"de_de"}}, true, true},
		{"locale and its exclusion", query.Filters{Locales: []string{"en_us"}, ExcludeLocales: []string{"en_us"}}, false, false},
	}
	for _, tc := range cases {
		if got := Selects(&tc.f, &c); got != tc.c {
			t.Errorf("%s: conversation with values: %v", tc.name, got)
		}
		if got := Selects(&tc.f, &none); got != tc.n {
			t.Errorf("%s: conversation without values: %v", tc.name, got)
		}
	}
}

func TestSelectsMessage(t *testing.T) {
	user := exportapi.Message{ID: "u", Type: "user"}
	none := exportapi.Message{ID: "n"}
	cases := []struct {
		name string
		f    query.Filters
		u, n bool
	}{
		{"no filters", query.Filters{}, true, true},
		{"type", query.Filters{Types: []string{"user"}}, true, false},
		{"types", query.Filters{Types: []string{"bot", NoneGroup}}, false, true},
		{"exclude", query.Filters{ExcludeTypes: []string{"user"}}, false, true},
		{"exclude (none)", query.Filters{ExcludeTypes: []string{NoneGroup}}, true, false},
		{"conversation filters do not look at the type", query.Filters{Locales: []string{"x"}}, true, true},
	}
	for _, tc := range cases {
		if got := SelectsMessage(&tc.f, &user); got != tc.u {
			t.Errorf("%s: typed message: %v", tc.name, got)
		}
		if got := SelectsMessage(&tc.f, &none); got != tc.n {
			t.Errorf("%s: message without type: %v", tc.name, got)
		}
	}
}
