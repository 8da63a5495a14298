package plugin

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenCase is one query whose answer a golden file pins.
type goldenCase struct {
	queryType string
	model     map[string]any
}

// TestGoldenFrames pins the shape of every query type's answer: fields, types,
// labels, units, display names and meta. A type of the registry without a case
// fails here.
func TestGoldenFrames(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{})
	// The cache is off so each case's cost does not depend on the ones run before it.
	d := newTestDatasource(t, url, map[string]any{"bots": []string{"acme-support"}, "cacheMinutes": 0, "liveReuseSeconds": 0})
	from, to := testNow.Add(-3*time.Hour-10*time.Minute), testNow.Add(-70*time.Minute)
	for _, typ := range typesWithoutCase(goldenCases) {
		t.Errorf("query type %s has no golden case: add one to goldenCases (docs/query-types.md)", typ)
	}
	for name, tc := range goldenCases {
		t.Run(name, func(t *testing.T) {
			r := run(t, d, dataQuery("A", tc.queryType, from, to, tc.model)).Responses["A"]
			if r.Error != nil {
				t.Fatal(r.Error)
			}
			stable(&r, url)
			experimental.CheckGoldenJSONResponse(t, "testdata", name, &r, *update)
		})
	}
}

// typesWithoutCase are the registry's types no case asks for.
func typesWithoutCase(cases map[string]goldenCase) []query.Type {
	asked := map[string]bool{}
	for _, c := range cases {
		asked[c.queryType] = true
	}
	var out []query.Type
	for _, typ := range query.Types() {
		if !asked[string(typ)] {
			out = append(out, typ)
		}
	}
	return out
}

// goldenCases are the golden files' queries, each a file of testdata by its name;
// every query type has at least one.
var goldenCases = map[string]goldenCase{
	"conversations":                 {"conversations", map[string]any{"limit": 5}},
	"messages":                      {"messages", map[string]any{"limit": 5, "filters": map[string]any{"tags": []string{"resolved"}}}},
	"transcript":                    {"transcript", map[string]any{"limit": 6}},
	"conversationVolume":            {"conversationVolume", map[string]any{"bucket": "30m"}},
	"conversationVolume-by-tag":     {"conversationVolume", map[string]any{"bucket": "1h", "groupBy": "tag"}},
	"messageVolume-by-type":         {"messageVolume", map[string]any{"bucket": "1h", "groupBy": "type"}},
	"conversationCounts-by-locale":  {"conversationCounts", map[string]any{"groupBy": "locale"}},
	"conversationCounts-by-channel": {"conversationCounts", map[string]any{"groupBy": "metadata", "metadataKey": "channel"}},
	"tagRate":                       {"tagRate", map[string]any{"bucket": "1h", "tag": "resolved"}},
	"userMessages-p90-by-locale":    {"userMessages", map[string]any{"bucket": "1h", "stat": "p90", "groupBy": "locale", "filters": map[string]any{"locales": []string{"en_us", "de_de"}}}},
	"userMessageHistogram":          {"userMessageHistogram", map[string]any{}},
	"values-tag":                    {"values", map[string]any{"field": "tag"}},
	"values-bot":                    {"values", map[string]any{"field": "bot"}},
	"conversationDuration-p90":      {"conversationDuration", map[string]any{"bucket": "1h", "stat": "p90"}},
}

// stable removes what differs between runs: the test server's port and the time
// spent waiting on the rate limiter.
func stable(r *backend.DataResponse, url string) {
	for _, f := range r.Frames {
		if f.Meta == nil {
			continue
		}
		f.Meta.ExecutedQueryString = strings.ReplaceAll(f.Meta.ExecutedQueryString, url, "http://simulator")
		for i := range f.Meta.Stats {
			if f.Meta.Stats[i].Unit == "ms" {
				f.Meta.Stats[i].Value = 0
			}
		}
	}
}
