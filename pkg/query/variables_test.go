package query

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestUnresolvedVariablesAreRefused puts each of Grafana's variable forms into each
// text field of the query: every one is an error naming the field and the variable
// whole, never a literal value that would match nothing and answer zeros.
func TestUnresolvedVariablesAreRefused(t *testing.T) {
	forms := []string{"$v", "${v}", "${v:csv}", "${v:date:iso}", "${v.name}", "[[v]]", "[[v:raw]]", "$__all", "$5"}
	// Each field with the query type that uses it and the rest of the query around it.
	fields := []struct {
		name string
		typ  Type
		json func(v string) map[string]any
	}{
		{"bot", TypeConversationVolume, func(v string) map[string]any { return map[string]any{"bot": v} }},
		{"groupBy", TypeConversationVolume, func(v string) map[string]any { return map[string]any{"groupBy": v} }},
		{"metadataKey", TypeConversationVolume, func(v string) map[string]any { return map[string]any{"groupBy": "metadata", "metadataKey": v} }},
		{"tag", TypeTagRate, func(v string) map[string]any { return map[string]any{"tag": v} }},
		{"stat", TypeUserMessages, func(v string) map[string]any { return map[string]any{"stat": v} }},
		{"bucket", TypeConversationVolume, func(v string) map[string]any { return map[string]any{"bucket": v} }},
		{"timeShift", TypeConversationVolume, func(v string) map[string]any { return map[string]any{"timeShift": v} }},
		{"field", TypeValues, func(v string) map[string]any { return map[string]any{"field": v} }},
		{"filters.tags", TypeConversationVolume, func(v string) map[string]any { return filters("tags", []string{"resolved", v}) }},
		{"filters.tags", TypeConversationVolume, func(v string) map[string]any { return filters("tags", v) }},
		{"filters.excludeTags", TypeConversationVolume, func(v string) map[string]any { return filters("excludeTags", []string{v}) }},
		{"filters.locales", TypeConversationVolume, func(v string) map[string]any { return filters("locales", []string{v}) }},
		{"filters.conversationId", TypeMessageVolume, func(v string) map[string]any { return filters("conversationId", v) }},
		{"filters.metadata[0].key", TypeConversationVolume, func(v string) map[string]any {
			return filters("metadata", []map[string]any{{"key": v, "op": "=", "value": "pro"}})
		}},
		{"filters.metadata[1].value", TypeConversationVolume, func(v string) map[string]any {
			return filters("metadata", []map[string]any{{"key": "plan", "value": "pro"}, {"key": "plan", "op": "!=", "value": "plan " + v}})
		}},
	}
	for _, f := range fields {
		for _, form := range forms {
			t.Run(f.name+"/"+form, func(t *testing.T) {
				fields := f.json(form)
				if _, ok := fields["bot"]; !ok {
					fields["bot"] = "r3"
				}
				raw, err := json.Marshal(fields)
				if err != nil {
					t.Fatal(err)
				}
				_, err = Parse(raw, f.typ, "")
				if err == nil {
					t.Fatalf("%s accepted", raw)
				}
				want := f.name + " "
				if !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "the template variable "+form+",") {
					t.Fatalf("%s: %v; want an error starting %q naming %s whole", raw, err, want, form)
				}
			})
		}
	}
}

func filters(key string, v any) map[string]any {
	return map[string]any{"filters": map[string]any{key: v}}
}

// TestDollarTextIsNotAVariable keeps a $ that Grafana's syntax does not read as a
// variable: such text reaches the filter as written.
func TestDollarTextIsNotAVariable(t *testing.T) {
	for _, v := range []string{"$", "US$", "$ 5 plan", "5$", "[[ v ]]", "${}", "$-plan", "[[]]"} {
		q, err := Parse([]byte(`{"bot":"r3","filters":{"metadata":[{"key":"plan","value":`+quoteJSON(v)+`}]}}`), TypeConversations, "")
		if err != nil {
			t.Fatalf("%q refused: %v", v, err)
		}
		if got := q.Filters.Metadata[0].Value; got != v {
			t.Fatalf("value %q became %q", v, got)
		}
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
