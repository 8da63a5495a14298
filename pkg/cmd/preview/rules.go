package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"
	"gopkg.in/yaml.v3"
)

// expressionUID is the data source uid of Grafana's server-side expressions:
// the preview evaluates them itself (src/preview/alertRules.ts).
const expressionUID = "__expr__"

// RuleAnswer is one provisioned alert rule with what its data queries answered
// over their relative time ranges, as Grafana's rule evaluation would ask at Now.
type RuleAnswer struct {
	UID          string            `json:"uid"`
	Title        string            `json:"title"`
	Folder       string            `json:"folder"`
	Group        string            `json:"group"`
	Condition    string            `json:"condition"`
	For          string            `json:"for"`
	NoDataState  string            `json:"noDataState"`
	ExecErrState string            `json:"execErrState"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	Data         []RuleQuery       `json:"data"`
}

// RuleQuery is one entry of a rule's data: a query of this plugin with its
// frames or error, or an expression, whose model the preview evaluates.
type RuleQuery struct {
	RefID             string         `json:"refId"`
	DatasourceUID     string         `json:"datasourceUid"`
	RelativeTimeRange map[string]int `json:"relativeTimeRange"`
	Model             map[string]any `json:"model"`
	Frames            []*data.Frame  `json:"frames,omitempty"`
	Error             string         `json:"error,omitempty"`
}

type rulesFile struct {
	Groups []struct {
		Name   string `yaml:"name"`
		Folder string `yaml:"folder"`
		Rules  []struct {
			UID          string            `yaml:"uid"`
			Title        string            `yaml:"title"`
			Condition    string            `yaml:"condition"`
			For          string            `yaml:"for"`
			NoDataState  string            `yaml:"noDataState"`
			ExecErrState string            `yaml:"execErrState"`
			Labels       map[string]string `yaml:"labels"`
			Annotations  map[string]string `yaml:"annotations"`
			Data         []struct {
				RefID             string `yaml:"refId"`
				DatasourceUID     string `yaml:"datasourceUid"`
				RelativeTimeRange struct {
					From int `yaml:"from"`
					To   int `yaml:"to"`
				} `yaml:"relativeTimeRange"`
				Model map[string]any `yaml:"model"`
			} `yaml:"data"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// answerRules asks this plugin each provisioned rule's data queries. A query of
// another data source is an error on that query: the preview cannot answer it.
func answerRules(ctx context.Context, path string, tp datasourcetest.TestPlugin, pctx backend.PluginContext,
	dsUID string, now time.Time) ([]RuleAnswer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file rulesFile
	if err := yaml.Unmarshal(raw, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := []RuleAnswer{}
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			a := RuleAnswer{UID: r.UID, Title: r.Title, Folder: g.Folder, Group: g.Name, Condition: r.Condition,
				For: r.For, NoDataState: r.NoDataState, ExecErrState: r.ExecErrState, Labels: r.Labels, Annotations: r.Annotations}
			for _, d := range r.Data {
				q := RuleQuery{RefID: d.RefID, DatasourceUID: d.DatasourceUID, Model: d.Model,
					RelativeTimeRange: map[string]int{"from": d.RelativeTimeRange.From, "to": d.RelativeTimeRange.To}}
				switch d.DatasourceUID {
				case expressionUID:
				case dsUID:
					from := now.Add(-time.Duration(d.RelativeTimeRange.From) * time.Second)
					to := now.Add(-time.Duration(d.RelativeTimeRange.To) * time.Second)
					// Grafana's alerting asks with its own defaults: 1 s interval, 43,200 points.
					frames, err := query(ctx, tp, pctx, copyModel(d.Model), from, to, 43200, "1s")
					if err != nil {
						q.Error = err.Error()
					} else {
						for _, f := range frames {
							f.RefID = d.RefID
						}
						q.Frames = frames
					}
				default:
					q.Error = fmt.Sprintf("the preview answers only data source %s, not %s", dsUID, d.DatasourceUID)
				}
				a.Data = append(a.Data, q)
			}
			out = append(out, a)
			printf("rule %-45q %d queries\n", r.Title, len(r.Data))
		}
	}
	return out, nil
}

// copyModel keeps the rule's model as provisioned: query deletes keys from what it sends.
func copyModel(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
