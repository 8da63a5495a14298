package plugin

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/query/typescript"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// typeOnlyInTests is a query type no build has: the conversations of a
// metadata key, a table whose rows each carry a conversation's start.
const typeOnlyInTests query.Type = "keyedConversations"

// keyedSpec is its registry entry; each case changes what it tests.
func keyedSpec() query.Spec {
	return query.Spec{Type: typeOnlyInTests, Label: "Keyed conversations", Description: "Table: conversations that have a metadata key",
		Kind: query.KindTable, Reads: "conversations", Uses: []query.Param{query.ParamLimit, query.ParamMetadataKey},
		Requires: []query.Need{{Param: query.ParamMetadataKey, Why: "the key the conversations must have"}},
		RowTime:  true, Links: []query.Link{query.LinkTranscript},
		Result: "Table: `id` and the conversations' fields, of those with the key."}
}

// answerKeyed answers it as the conversations table of those that have the key.
func answerKeyed(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	keyed := *q
	keyed.Filters.Metadata = append(slices.Clone(q.Filters.Metadata), query.MetadataFilter{Key: q.MetadataKey, Op: "!=", Value: ""})
	return answerConversations(d, ctx, &keyed, w)
}

// registerForTest adds a type to the registry, with its answerer, until the
// test ends. Tests that call it must not run in parallel: the registry is
// read without a lock.
func registerForTest(t *testing.T, s query.Spec, a answerer) {
	t.Helper()
	before := query.Registry
	query.Registry = append(slices.Clone(before), s)
	answerers[s.Type] = a
	t.Cleanup(func() {
		query.Registry = before
		delete(answerers, s.Type)
	})
}

// TestATypeRegisteredInATestReachesEveryConsumer registers a type only this
// test knows and checks that the parser, its required parameter, the alert
// rule refusal, the partial answer, the links and the generated TypeScript
// all follow its registry entry, with no other file naming it.
func TestATypeRegisteredInATestReachesEveryConsumer(t *testing.T) {
	registerForTest(t, keyedSpec(), answerKeyed)

	// Parse: the type is known, and its required parameter is asked for.
	if _, err := query.Parse([]byte(`{"bot":"b"}`), typeOnlyInTests, ""); err == nil ||
		err.Error() != "keyedConversations needs a metadataKey: the key the conversations must have" {
		t.Fatalf("without its key: %v", err)
	}
	q, err := query.Parse([]byte(`{"bot":"b","metadataKey":"channel","limit":7}`), typeOnlyInTests, "")
	if err != nil || q.Limit != 7 || q.MetadataKey != "channel" {
		t.Fatalf("with its key: %+v, %v", q, err)
	}
	if !strings.Contains(query.Choices(query.Types()), string(typeOnlyInTests)) {
		t.Fatal("the type is missing from the choices an unknown type is offered")
	}

	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	from, to := testNow.Add(-6*time.Hour), testNow.Add(-2*time.Hour)
	model := func() map[string]any { return map[string]any{"metadataKey": "channel", "limit": 5} }

	// Answer and links: its rows open their transcripts because the entry says so.
	r := run(t, d, dataQuery("A", string(typeOnlyInTests), from, to, model())).Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	if id, _ := r.Frames[0].FieldByName(frames.FieldID); id == nil || id.Config == nil || len(id.Config.Links) != 1 ||
		id.Config.Links[0].Title != "Show transcript" || id.Len() != 5 {
		t.Fatalf("id field of the new type: %+v", id)
	}

	// Alert rules: refused, naming the types they may use, as the entry says.
	alertReq := &backend.QueryDataRequest{Headers: map[string]string{backend.FromAlertHeaderName: "true"},
		Queries: []backend.DataQuery{dataQuery("B", string(typeOnlyInTests), from, to, model())}}
	resp, err := d.QueryData(t.Context(), alertReq)
	if err != nil {
		t.Fatal(err)
	}
	if e := resp.Responses["B"].Error; e == nil || !strings.Contains(e.Error(), "keyedConversations answers with a table; alert rules evaluate time series: use "+query.Choices(query.AlertTypes())) {
		t.Fatalf("an alert rule of the new type: %v", e)
	}

	// A partial answer: rows carrying their time are kept, with a notice.
	half := exportapi.Window{From: from, To: from.Add(2 * time.Hour)}
	parsed, err := query.Parse([]byte(`{"bot":"r3-218210","metadataKey":"channel"}`), typeOnlyInTests, "")
	if err != nil {
		t.Fatal(err)
	}
	out := data.Frames{data.NewFrame("conversations")}
	if _, made := d.partial(&parsed, exportapi.Window{From: from, To: to}, out, fetch.Stats{Incomplete: []exportapi.Window{half}}, nil); made != framesMarked ||
		!strings.Contains(out[0].Meta.Notices[0].Text, "read so far") {
		t.Fatalf("a partial answer of a table with row times: made %v, %+v", made, out[0].Meta)
	}

	// The README's type table has its row.
	readme, err := os.ReadFile(filepath.Join("..", "..", typescript.ReadmePath))
	if err != nil {
		t.Fatal(err)
	}
	if table, err := typescript.ReadmeTypes(readme); err != nil ||
		!strings.Contains(string(table), "| `keyedConversations` | Table: `id` and the conversations' fields, of those with the key. |\n") {
		t.Errorf("the README's table lacks the new type: %v", err)
	}

	// The generated TypeScript has its entry: what the editor shows, asks for and keeps.
	ts := string(typescript.Generate())
	for _, want := range []string{
		"  | 'keyedConversations';\n",
		"  keyedConversations: {\n    label: 'Keyed conversations',\n",
		"    uses: ['limit', 'metadataKey'],\n",
		"    needs: [{ param: 'metadataKey' }],\n    keeps: ['limit', 'metadataKey'],\n    alerting: false,\n",
	} {
		if !strings.Contains(ts, want) {
			t.Errorf("generated TypeScript lacks %q", want)
		}
	}
}

// TestTheRegistryEntryDecidesPartialAnswersLinksAndAlerts changes one field of
// the test type's entry at a time: each consumer changes with it.
func TestTheRegistryEntryDecidesPartialAnswersLinksAndAlerts(t *testing.T) {
	spec := keyedSpec()
	spec.RowTime, spec.Links, spec.Kind, spec.Alerting = false, nil, query.KindSeries, true
	registerForTest(t, spec, answerKeyed)
	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	from, to := testNow.Add(-6*time.Hour), testNow.Add(-2*time.Hour)

	if !slices.Contains(query.AlertTypes(), typeOnlyInTests) {
		t.Fatal("an alerting entry is not among the alert types")
	}
	resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{Headers: map[string]string{backend.FromAlertHeaderName: "true"},
		Queries: []backend.DataQuery{dataQuery("A", string(typeOnlyInTests), from, to, map[string]any{"metadataKey": "channel"})}})
	if err != nil {
		t.Fatal(err)
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		t.Fatalf("an alert rule of an alerting type: %v", r.Error)
	}
	if id, _ := r.Frames[0].FieldByName(frames.FieldID); id == nil || (id.Config != nil && len(id.Config.Links) > 0) {
		t.Fatalf("an entry without links still links: %+v", id)
	}

	// Without row times the table is a whole-range aggregate: refused until read.
	spec.Kind = query.KindTable
	query.Registry[len(query.Registry)-1] = spec
	parsed, err := query.Parse([]byte(`{"bot":"r3-218210","metadataKey":"channel"}`), typeOnlyInTests, "")
	if err != nil {
		t.Fatal(err)
	}
	half := exportapi.Window{From: from, To: from.Add(2 * time.Hour)}
	pr, made := d.partial(&parsed, exportapi.Window{From: from, To: to}, data.Frames{data.NewFrame("conversations")},
		fetch.Stats{Incomplete: []exportapi.Window{half}}, nil)
	if made != framesReplaced || pr.Error == nil || !strings.Contains(pr.Error.Error(), "exact only once all of it is read") {
		t.Fatalf("a partial answer of a table without row times: made %v, %v", made, pr.Error)
	}
}
