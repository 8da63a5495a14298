package plugin

import (
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// annotate tells the query inspector what the query cost and which export calls
// it made, and warns about records that could not be used.
func annotate(frame *data.Frame, st fetch.Stats) {
	if frame.Meta == nil {
		frame.Meta = &data.FrameMeta{}
	}
	frame.Meta.ExecutedQueryString = strings.Join(st.Calls, "\n")
	frame.Meta.Stats = append(frame.Meta.Stats,
		stat("Exports", float64(st.Exports), ""),
		stat("Exports shared with other queries", float64(st.SharedExports), ""),
		stat("Cache hits (stored segments)", float64(st.CacheHits), ""),
		stat("Cache hits from disk or Redis", float64(st.TierHits), ""),
		stat("Cache misses (settled time read again)", float64(st.CacheMisses), ""),
		stat("Upstream requests", float64(st.Requests), ""),
		stat("Pages", float64(st.Pages), ""),
		stat("Records read", float64(st.RecordsRead), ""),
		stat("Records in range", float64(st.RecordsKept), ""),
		stat("Retries", float64(st.Retries), ""),
		stat("Rate-limit answers (429)", float64(st.RateLimited), ""),
		stat("Rate-limit wait", float64(st.RateLimitWait.Milliseconds()), "ms"),
	)
	for _, w := range st.Warnings {
		frame.AppendNotices(data.Notice{Severity: data.NoticeSeverityWarning, Text: sentence(w)})
	}
	if st.Skipped > 0 {
		frame.AppendNotices(data.Notice{
			Severity: data.NoticeSeverityWarning,
			Text:     fmt.Sprintf("%d records from the API had no id or no readable time and were left out.", st.Skipped),
		})
	}
}

func stat(name string, v float64, unit string) data.QueryStat {
	return data.QueryStat{FieldConfig: data.FieldConfig{DisplayName: name, Unit: unit}, Value: v}
}

// linkTranscripts makes every conversation id in a table open that conversation's
// transcript in Explore, over the panel's time range and the same bot.
func (d *Datasource) linkTranscripts(frame *data.Frame, q *query.Query) {
	// A row of several bots' table opens its transcript in each of them: the
	// conversation id is asked of every bot, and only its own bot has it.
	var bot any = q.Bot
	if q.MultiBot() {
		bot = q.Bots
	}
	for _, f := range frame.Fields {
		if (frame.Name == "conversations" && f.Name == frames.FieldID) || f.Name == frames.FieldConversationID {
			if f.Config == nil {
				f.Config = &data.FieldConfig{}
			}
			f.Config.Links = append(f.Config.Links, data.DataLink{
				Title: "Show transcript",
				Internal: &data.InternalDataLink{
					DatasourceUID:  d.uid,
					DatasourceName: d.name,
					Query: map[string]any{
						"refId": "transcript", "queryType": "transcript", "bot": bot,
						"filters": map[string]any{"conversationId": "${__value.raw}"},
					},
				},
			})
		}
	}
}
