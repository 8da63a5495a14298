// Command preview answers every panel of the provisioned dashboard the way the
// demo runs in Grafana: the plugin served over gRPC, the provisioned data source's
// settings, a simulator in this process, the dashboard's variables at their
// defaults. It writes the answers as data frame JSON, which the panel preview
// (src/preview, the harness' dashboard view) turns into what Grafana would show.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"
	"gopkg.in/yaml.v3"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/loopback"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/templating"
	"github.com/agentx-support/agentx-export-datasource/pkg/plugin"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

const apiKey = "sim-key"

var printf = func(format string, a ...any) { fmt.Printf(format, a...) }

// Output is what the preview reads: the dashboard as provisioned, the values its
// variables took, and each query's answer.
type Output struct {
	Now       time.Time              `json:"now"`
	From      time.Time              `json:"from"`
	To        time.Time              `json:"to"`
	Variables map[string]string      `json:"variables"`
	Dashboard json.RawMessage        `json:"dashboard"`
	Panels    map[string]PanelAnswer `json:"panels"` // by panel id
	Rules     []RuleAnswer           `json:"rules"`  // the provisioned alert rules, evaluated at Now
}

// PanelAnswer holds one panel's frames in query order, or the errors it got.
type PanelAnswer struct {
	Frames []*data.Frame      `json:"frames"`
	Errors map[string]string  `json:"errors,omitempty"`
	Range  map[string]float64 `json:"range"` // from, to in epoch ms, after the panel's own time options
}

type panel struct {
	ID          int              `json:"id"`
	Type        string           `json:"type"`
	Title       string           `json:"title"`
	TimeFrom    string           `json:"timeFrom"`
	TimeShift   string           `json:"timeShift"`
	Interval    string           `json:"interval"` // the panel's min interval
	GridPos     struct{ W int }  `json:"gridPos"`
	Targets     []map[string]any `json:"targets"`
	Panels      []panel          `json:"panels"` // of a collapsed row
	MaxDataPnts int              `json:"maxDataPoints"`
}

type dashboard struct {
	Time       struct{ From, To string } `json:"time"`
	Panels     []panel                   `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Sort       int    `json:"sort"`
			IncludeAll bool   `json:"includeAll"`
			Query      any    `json:"query"`
			Current    struct {
				Value any `json:"value"`
			} `json:"current"`
		} `json:"list"`
	} `json:"templating"`
}

func main() {
	var (
		dashPath = flag.String("dashboard", "provisioning/dashboards/agentx-bot-operations.json", "dashboard to answer")
		dsPath   = flag.String("datasources", "provisioning/datasources/datasources.yml", "provisioned data sources; the first of this plugin's type is used")
		rulePath = flag.String("rules", "provisioning/alerting/agentx-rules.yaml", "provisioned alert rules to answer")
		out      = flag.String("out", "harness/preview/answers.json", "where to write the answers")
		quiet    = flag.Bool("quiet", false, "print nothing but errors")
		verbose  = flag.Bool("v", false, "show the plugin's log lines (JSON, as Grafana receives them)")
	)
	flag.Parse()
	if !*verbose {
		log.DefaultLogger = log.NewWithLevel(log.Error)
		backend.Logger = log.DefaultLogger
	}
	printf = func(format string, a ...any) {
		if !*quiet {
			fmt.Printf(format, a...)
		}
	}
	if err := run(*dashPath, *dsPath, *rulePath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "preview:", err)
		os.Exit(1)
	}
}

func run(dashPath, dsPath, rulePath, out string) error {
	rawDash, err := os.ReadFile(dashPath)
	if err != nil {
		return err
	}
	var dash dashboard
	if err := json.Unmarshal(rawDash, &dash); err != nil {
		return fmt.Errorf("%s: %w", dashPath, err)
	}
	jsonData, dsUID, err := provisionedJSONData(dsPath)
	if err != nil {
		return err
	}
	// What docker-compose's simulator service serves.
	url, err := loopback.Serve(simulator.NewServer(simulator.NewDataset(simulator.DemoConfig()), simulator.ServerConfig{APIKey: apiKey}))
	if err != nil {
		return err
	}
	jsonData["baseUrl"] = url
	// Reading ahead would only compete with the panels for the simulator's rate limit.
	jsonData["syncDays"] = 0
	// The preview shows complete answers, however slow the machine.
	jsonData["responseSeconds"] = 600

	tp, err := loopback.Plugin(plugin.NewDatasource)
	if err != nil {
		return err
	}
	defer func() { _ = tp.Shutdown() }()
	settingsJSON, _ := json.Marshal(jsonData)
	is := backend.DataSourceInstanceSettings{ID: 1, UID: dsUID, Name: "AgentX Support (simulator)",
		Type: plugin.PluginID, JSONData: settingsJSON, DecryptedSecureJSONData: map[string]string{"apiKey": apiKey}, Updated: time.Now()}
	pctx := backend.PluginContext{PluginID: plugin.PluginID, DataSourceInstanceSettings: &is}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	now := time.Now().UTC().Truncate(time.Second)
	tr := gtime.NewTimeRange(dash.Time.From, dash.Time.To)
	from, err := tr.ParseFrom(gtime.WithNow(now), gtime.WithLocation(time.UTC))
	if err != nil {
		return err
	}
	to, err := tr.ParseTo(gtime.WithNow(now), gtime.WithLocation(time.UTC))
	if err != nil {
		return err
	}
	o := Output{Now: now, From: from, To: to, Dashboard: rawDash, Panels: map[string]PanelAnswer{}, Variables: map[string]string{}}

	// Variables take their saved value, or, like Grafana, the first of their
	// options in their sort order; "All" is what the frontend drops from filters.
	for _, v := range dash.Templating.List {
		model, ok := v.Query.(map[string]any)
		if v.Type != "query" || !ok {
			continue
		}
		if cur := currentValue(v.Current.Value); cur != "" {
			o.Variables[v.Name] = cur
			continue
		}
		q := templating.Interpolate(model, o.Variables).(map[string]any)
		frames, err := query(ctx, tp, pctx, q, from, to, 0, "")
		if err != nil {
			return fmt.Errorf("variable %s: %w", v.Name, err)
		}
		var opts []string
		for _, f := range frames {
			for i := 0; i < f.Rows(); i++ {
				if s, ok := f.Fields[0].ConcreteAt(i); ok {
					opts = append(opts, fmt.Sprint(s))
				}
			}
		}
		if v.Sort == 1 || v.Sort == 5 || v.Sort == 7 {
			sort.Strings(opts)
		}
		if len(opts) == 0 {
			return fmt.Errorf("variable %s has no options", v.Name)
		}
		o.Variables[v.Name] = opts[0]
	}

	var all []panel
	for _, p := range dash.Panels {
		all = append(all, p)
		all = append(all, p.Panels...)
	}
	for _, p := range all {
		if len(p.Targets) == 0 {
			continue
		}
		pFrom, pTo, err := panelRange(p, now, from, to)
		if err != nil {
			return fmt.Errorf("panel %q: %w", p.Title, err)
		}
		answer := PanelAnswer{Errors: map[string]string{}, Frames: []*data.Frame{},
			Range: map[string]float64{"from": float64(pFrom.UnixMilli()), "to": float64(pTo.UnixMilli())}}
		// Grafana asks for about one point per pixel: a 24-column panel is ~1,900 px wide.
		points := p.MaxDataPnts
		if points == 0 {
			points = max(p.GridPos.W*80, 100)
		}
		for _, t := range p.Targets {
			model := templating.Interpolate(t, o.Variables).(map[string]any)
			refID, _ := model["refId"].(string)
			frames, err := query(ctx, tp, pctx, model, pFrom, pTo, points, p.Interval)
			if err != nil {
				answer.Errors[refID] = err.Error()
				continue
			}
			for _, f := range frames {
				f.RefID = refID
			}
			answer.Frames = append(answer.Frames, frames...)
		}
		o.Panels[fmt.Sprint(p.ID)] = answer
		printf("panel %2d %-45q %d frames, %d errors\n", p.ID, p.Title, len(answer.Frames), len(answer.Errors))
	}

	if o.Rules, err = answerRules(ctx, rulePath, tp, pctx, dsUID, now); err != nil {
		return err
	}

	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, raw, 0o600)
}

// panelRange applies a panel's relative time and time shift the way Grafana does.
func panelRange(p panel, now, from, to time.Time) (time.Time, time.Time, error) {
	if p.TimeFrom != "" {
		expr := p.TimeFrom
		if !strings.HasPrefix(expr, "now") {
			expr = "now-" + expr
		}
		f, err := gtime.NewTimeRange(expr, "now").ParseFrom(gtime.WithNow(now), gtime.WithLocation(time.UTC))
		if err != nil {
			return from, to, err
		}
		from, to = f, now
	}
	if p.TimeShift != "" {
		d, err := gtime.ParseInterval(p.TimeShift)
		if err != nil {
			return from, to, err
		}
		from, to = from.Add(-d), to.Add(-d)
	}
	return from, to, nil
}

func query(ctx context.Context, tp datasourcetest.TestPlugin, pctx backend.PluginContext, model map[string]any,
	from, to time.Time, points int, minInterval string) (data.Frames, error) {
	delete(model, "datasource")
	raw, _ := json.Marshal(model)
	qt, _ := model["queryType"].(string)
	if points == 0 {
		points = 1000
	}
	// Grafana's interval: range ÷ max data points, at least the panel's min interval.
	interval := max(to.Sub(from)/time.Duration(points), time.Millisecond)
	if minInterval != "" {
		d, err := gtime.ParseInterval(minInterval)
		if err != nil {
			return nil, fmt.Errorf("min interval %q: %w", minInterval, err)
		}
		interval = max(interval, d)
	}
	q := backend.DataQuery{RefID: "A", QueryType: qt, JSON: raw, TimeRange: backend.TimeRange{From: from, To: to},
		Interval: interval, MaxDataPoints: int64(points)}
	resp, err := tp.Client.QueryData(ctx, &backend.QueryDataRequest{PluginContext: pctx, Queries: []backend.DataQuery{q}})
	if err != nil {
		return nil, err
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		return nil, r.Error
	}
	return r.Frames, nil
}

func currentValue(v any) string {
	switch x := v.(type) {
	case string:
		if x == "$__all" {
			return templating.All
		}
		return x
	case []any:
		if len(x) == 1 {
			return currentValue(x[0])
		}
	}
	return ""
}

// provisionedJSONData returns the settings and uid of the provisioned data source of this plugin.
func provisionedJSONData(path string) (map[string]any, string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var file struct {
		Datasources []struct {
			Type     string         `yaml:"type"`
			UID      string         `yaml:"uid"`
			JSONData map[string]any `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	for _, d := range file.Datasources {
		if d.Type == plugin.PluginID {
			return d.JSONData, d.UID, nil
		}
	}
	return nil, "", fmt.Errorf("%s provisions no %s data source", path, plugin.PluginID)
}
