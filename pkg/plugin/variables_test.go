package plugin

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestAlertRulesRefuseUnresolvedVariables sends alert rules copied from a dashboard
// panel, as Grafana's alerting engine does (no browser replaced the variables): each
// answers an error naming the variable, never a series of zeros, and the API is not
// asked at all.
func TestAlertRulesRefuseUnresolvedVariables(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	is := instanceSettings(url, nil, testKey)
	is.UID = "unresolved-variables"
	from, to := testNow.Add(-time.Hour), testNow
	cases := map[string]struct {
		typ   string
		model map[string]any
		named string
	}{
		"tags":           {"conversationVolume", map[string]any{"filters": map[string]any{"tags": []string{"$tag"}}}, "$tag"},
		"locales":        {"conversationVolume", map[string]any{"filters": map[string]any{"locales": []string{"${locale}"}}}, "${locale}"},
		"metadata":       {"conversationVolume", map[string]any{"filters": map[string]any{"metadata": []map[string]any{{"key": "$k", "value": "$v"}}}}, "$k"},
		"tagRate":        {"tagRate", map[string]any{"tag": "[[tag]]"}, "[[tag]]"},
		"conversationId": {"messageVolume", map[string]any{"filters": map[string]any{"conversationId": "$cid"}}, "$cid"},
		"bot":            {"conversationVolume", map[string]any{"bot": "[[bot]]"}, "[[bot]]"},
		"bot csv":        {"conversationVolume", map[string]any{"bot": "${bot:csv}"}, "${bot:csv}"},
	}
	var queries []backend.DataQuery
	for ref, c := range cases {
		c.model["bucket"] = "5m"
		queries = append(queries, dataQuery(ref, c.typ, from, to, c.model))
	}
	resp, err := overGRPC(t, is).alert(t.Context(), queries...)
	if err != nil {
		t.Fatal(err)
	}
	for ref, c := range cases {
		r := resp.Responses[ref]
		if r.Error == nil || len(r.Frames) != 0 {
			t.Errorf("%s: error %v with %d frames; an unresolved variable must be an error, not a series of zeros", ref, r.Error, len(r.Frames))
			continue
		}
		if !strings.Contains(r.Error.Error(), "template variable "+c.named+",") {
			t.Errorf("%s: %q does not name %s", ref, r.Error, c.named)
		}
	}
	if n := sim.Counts(); n.Conversations+n.Messages != 0 {
		t.Fatalf("%d upstream requests for queries that cannot be answered; want 0", n.Conversations+n.Messages)
	}
}
