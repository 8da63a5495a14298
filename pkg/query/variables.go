package query

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/agentx-support/agentx-export-datasource/pkg/quote"
)

// unresolvedVariable is Grafana's own variable syntax (variableRegex in Grafana's
// public/app/features/variables/utils.ts): $name, [[name]], [[name:format]],
// ${name}, ${name.path} and ${name:format}, where a name is letters, digits and _.
// Text it matches is a variable Grafana did not replace, as happens when an alert
// rule is copied from a dashboard panel; taken literally it would match nothing
// and answer zeros. A $ not followed by such a name ("$", "$ 5", "US$") is text.
var unresolvedVariable = regexp.MustCompile(`\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}`)

// textField is one text of the query, named as the query's JSON names it.
type textField struct {
	name, value string
}

// texts lists every text of the query that reaches a filter, a grouping or the API.
func (q *Query) texts() []textField {
	out := []textField{
		{"groupBy", q.GroupBy}, {"metadataKey", q.MetadataKey}, {"tag", q.Tag},
		{"stat", q.Stat}, {"bucket", q.Bucket}, {"timeShift", q.TimeShiftText}, {"field", q.Field},
		{"timezone", q.Timezone},
		{"filters.conversationId", q.Filters.ConversationID},
	}
	for _, l := range []struct {
		name  string
		items []string
	}{{"bot", q.BotList()}, {"filters.tags", q.Filters.Tags}, {"filters.excludeTags", q.Filters.ExcludeTags}, {"filters.locales", q.Filters.Locales},
		{"filters.excludeLocales", q.Filters.ExcludeLocales}, {"filters.types", q.Filters.Types}, {"filters.excludeTypes", q.Filters.ExcludeTypes}} {
		for _, s := range l.items {
			out = append(out, textField{l.name, s})
		}
	}
	for i, m := range q.Filters.Metadata {
		at := "filters.metadata[" + strconv.Itoa(i) + "]"
		out = append(out, textField{at + ".key", m.Key}, textField{at + ".value", m.Value})
	}
	return out
}

// checkVariables refuses a query that still holds a template variable, naming the
// field and the variable as written (${bot:csv} whole).
func (q *Query) checkVariables() error {
	for _, f := range q.texts() {
		if v := unresolvedVariable.FindString(f.value); v != "" {
			return fmt.Errorf("%s %s contains the template variable %s, which has no value here (alert rules and queries outside a dashboard cannot use dashboard variables): write the value itself",
				f.name, quote.Text(f.value), v)
		}
	}
	return nil
}
