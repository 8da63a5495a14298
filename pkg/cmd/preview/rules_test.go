package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"
)

// A rule's query of another data source cannot be answered here: it is recorded as
// that query's error, so the preview shows the rule's error state rather than a guess.
// Expressions pass through for the preview to evaluate.
func TestAnswerRulesKeepsExpressionsAndNamesForeignQueries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.yaml")
	const rules = `apiVersion: 1
groups:
  - name: G
    folder: F
    rules:
      - uid: r1
        title: Other data source
        condition: B
        for: 5m
        noDataState: OK
        execErrState: Error
        labels: { team: support }
        data:
          - refId: A
            relativeTimeRange: { from: 600, to: 0 }
            datasourceUid: prometheus
            model: { refId: A, expr: up }
          - refId: B
            datasourceUid: __expr__
            model: { refId: B, type: reduce, expression: A, reducer: last }
`
	if err := os.WriteFile(path, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := answerRules(context.Background(), path, datasourcetest.TestPlugin{}, backend.PluginContext{}, "agentx-simulator", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0].Data) != 2 {
		t.Fatalf("got %+v, want one rule with two data entries", got)
	}
	r := got[0]
	if r.Title != "Other data source" || r.Folder != "F" || r.Group != "G" || r.For != "5m" || r.Labels["team"] != "support" {
		t.Errorf("rule fields not kept: %+v", r)
	}
	if want := "the preview answers only data source agentx-simulator, not prometheus"; r.Data[0].Error != want {
		t.Errorf("foreign query error = %q, want %q", r.Data[0].Error, want)
	}
	if r.Data[0].RelativeTimeRange["from"] != 600 {
		t.Errorf("relative time range = %v, want from 600", r.Data[0].RelativeTimeRange)
	}
	if r.Data[1].Error != "" || r.Data[1].Frames != nil || r.Data[1].Model["type"] != "reduce" {
		t.Errorf("expression entry = %+v, want its model and nothing else", r.Data[1])
	}
}
