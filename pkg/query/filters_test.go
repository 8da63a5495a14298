package query

import (
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

func TestFiltersMatch(t *testing.T) {
	c := exportapi.Conversation{ID: "c", Locale: "en_us", Tags: []string{"resolved", "guideInteraction"},
		Metadata: []byte(`{"channel":"web","draft":false,"plan":{"tier":"pro"}}`)}
	none := exportapi.Conversation{ID: "n"}
	cases := []struct {
		name string
		f    Filters
		c, n bool // want for c and for none
	}{
		{"no filters", Filters{}, true, true},
		{"all tags", Filters{Tags: []string{"resolved", "guideInteraction"}}, true, false},
		{"a tag it lacks", Filters{Tags: []string{"resolved", "liveChat"}}, false, false},
		{"exclude", Filters{ExcludeTags: []string{"liveChat"}}, true, true},
		{"exclude hit", Filters{ExcludeTags: []string{"guideInteraction"}}, false, true},
		{"locale", Filters{Locales: []string{"de_de", "en_us"}}, true, false},
		{"metadata =", Filters{Metadata: []MetadataFilter{{"channel", "=", "web"}}}, true, false},
		{"metadata bool text", Filters{Metadata: []MetadataFilter{{"draft", "=", "false"}}}, true, false},
		{"metadata object text", Filters{Metadata: []MetadataFilter{{"plan", "=", `{"tier":"pro"}`}}}, true, false},
		{"metadata !=", Filters{Metadata: []MetadataFilter{{"channel", "!=", "web"}}}, false, true},
		{"missing compares as empty", Filters{Metadata: []MetadataFilter{{"channel", "=", ""}}}, false, true},
		{"tags (none)", Filters{Tags: []string{NoneGroup}}, false, true},
		{"exclude tags (none)", Filters{ExcludeTags: []string{NoneGroup}}, true, false},
		{"locale (none)", Filters{Locales: []string{NoneGroup}}, false, true},
		{"locale (none) or one", Filters{Locales: []string{"en_us", NoneGroup}}, true, true},
		{"metadata = (none)", Filters{Metadata: []MetadataFilter{{"channel", "=", NoneGroup}}}, false, true},
		{"metadata != (none)", Filters{Metadata: []MetadataFilter{{"channel", "!=", NoneGroup}}}, true, false},
	}
	for _, tc := range cases {
		if got := tc.f.Match(&c); got != tc.c {
			t.Errorf("%s: conversation with values: %v", tc.name, got)
		}
		if got := tc.f.Match(&none); got != tc.n {
			t.Errorf("%s: conversation without values: %v", tc.name, got)
		}
	}
}
