package plugin

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"gopkg.in/yaml.v3"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/templating"
	"github.com/agentx-support/agentx-export-datasource/pkg/settings"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// dashboardVariables are what the provisioned dashboard's variables hold by
// default: the first bot, and All (no filter) for locale and tag.
var dashboardVariables = map[string]string{"bot": "r3-218210", "locale": templating.All, "tag": templating.All}

// hasData reports whether a response holds at least one value that is not zero or null.
func hasData(r backend.DataResponse) bool {
	for _, f := range r.Frames {
		for _, field := range f.Fields {
			if field.Type() == data.FieldTypeTime || field.Type() == data.FieldTypeNullableTime {
				continue
			}
			for i := 0; i < field.Len(); i++ {
				v, ok := field.ConcreteAt(i)
				if ok && v != "" && v != int64(0) && v != float64(0) {
					return true
				}
			}
		}
	}
	return false
}

func runSaved(t *testing.T, d *Datasource, name string, model map[string]any, from, to time.Time) {
	t.Helper()
	model = templating.Interpolate(model, dashboardVariables).(map[string]any)
	delete(model, "datasource")
	raw, _ := json.Marshal(model)
	qt, _ := model["queryType"].(string)
	q := backend.DataQuery{RefID: "A", QueryType: qt, JSON: raw, TimeRange: backend.TimeRange{From: from, To: to},
		Interval: time.Minute, MaxDataPoints: 800}
	r := run(t, d, q).Responses["A"]
	if r.Error != nil {
		t.Errorf("%s: %v", name, r.Error)
		return
	}
	if !hasData(r) {
		t.Errorf("%s: answered without data", name)
	}
}

// TestProvisionedDashboardAndAlertRulesAnswer runs every query the demo provisions
// (panels, variables, the annotation, alert rules) against the simulator.
func TestProvisionedDashboardAndAlertRulesAnswer(t *testing.T) {
	// Two weeks of data: the dashboard compares its 7 days with the 7 before them.
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210", "acme-support"}, Days: 15, PerHour: 10, Seed: 5,
		Now: func() time.Time { return testNow }})
	url := startServer(t, simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1}))
	d := newTestDatasource(t, url, map[string]any{"bots": []string{"r3-218210", "acme-support"}})

	raw, err := os.ReadFile(filepath.Join("..", "..", "provisioning", "dashboards", "agentx-bot-operations.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string
		Time   struct{ From, To string }
		Panels []struct {
			ID      int
			Title   string
			Targets []map[string]any
		}
		Templating struct {
			List []struct {
				Name  string
				Type  string
				Query any
			}
		}
		Annotations struct {
			List []struct {
				Name   string
				Target map[string]any
			}
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	if dash.Time.From != "now-7d" || dash.Time.To != "now" {
		t.Fatalf("the test assumes the dashboard's range is the last 7 days, not %s to %s", dash.Time.From, dash.Time.To)
	}
	from, to := testNow.Add(-7*24*time.Hour), testNow
	panels := 0
	for _, p := range dash.Panels {
		for _, target := range p.Targets {
			runSaved(t, d, p.Title+" / "+target["refId"].(string), target, from, to)
			panels++
		}
	}
	for _, v := range dash.Templating.List {
		if q, ok := v.Query.(map[string]any); ok && v.Type == "query" {
			runSaved(t, d, "variable "+v.Name, q, from, to)
		}
	}
	for _, a := range dash.Annotations.List {
		target := a.Target
		target["queryType"] = "conversations" // what the frontend's prepareAnnotation sends
		runSaved(t, d, "annotation "+a.Name, target, from, to)
	}
	if panels < 8 {
		t.Fatalf("only %d panel queries found", panels)
	}

	raw, err = os.ReadFile(filepath.Join("..", "..", "provisioning", "alerting", "agentx-rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Title       string
				Annotations map[string]string
				Data        []struct {
					RefID             string                   `yaml:"refId"`
					DatasourceUID     string                   `yaml:"datasourceUid"`
					RelativeTimeRange struct{ From, To int64 } `yaml:"relativeTimeRange"`
					Model             map[string]any
				}
			}
		}
	}
	if err := yaml.Unmarshal(raw, &rules); err != nil {
		t.Fatal(err)
	}
	provisionedDS, err := os.ReadFile(filepath.Join("..", "..", "provisioning", "datasources", "datasources.yml"))
	if err != nil {
		t.Fatal(err)
	}
	queries := 0
	panelIDs := map[string]bool{}
	for _, p := range dash.Panels {
		panelIDs[fmt.Sprint(p.ID)] = true
	}
	for _, g := range rules.Groups {
		for _, rule := range g.Rules {
			// What the person paged reads first: what happened, what to do, where to look.
			for _, key := range []string{"summary", "description", "runbook_url"} {
				if strings.TrimSpace(rule.Annotations[key]) == "" {
					t.Errorf("%s: no %s", rule.Title, key)
				}
			}
			if rule.Annotations["__dashboardUid__"] != dash.UID || !panelIDs[rule.Annotations["__panelId__"]] {
				t.Errorf("%s: links to dashboard %q panel %q, not to a panel of %q", rule.Title,
					rule.Annotations["__dashboardUid__"], rule.Annotations["__panelId__"], dash.UID)
			}
			for _, q := range rule.Data {
				if q.DatasourceUID == "__expr__" {
					continue
				}
				if !strings.Contains(string(provisionedDS), "uid: "+q.DatasourceUID+"\n") {
					t.Errorf("%s: data source %q is not the provisioned one", rule.Title, q.DatasourceUID)
				}
				rto := testNow.Add(-time.Duration(q.RelativeTimeRange.To) * time.Second)
				rfrom := testNow.Add(-time.Duration(q.RelativeTimeRange.From) * time.Second)
				runSaved(t, d, "alert "+rule.Title, q.Model, rfrom, rto)
				queries++
			}
		}
	}
	if queries != 3 {
		t.Fatalf("%d alert rule queries, want 3", queries)
	}
}

// TestEveryProvisionedDataSourceIsValid reads the provisioned data sources, the
// single server's and the HA example's, as Grafana would hand them to the plugin.
func TestEveryProvisionedDataSourceIsValid(t *testing.T) {
	for _, path := range []string{"provisioning/datasources/datasources.yml", "provisioning-ha/datasources/datasources.yml"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Datasources []struct {
				UID            string            `yaml:"uid"`
				Type           string            `yaml:"type"`
				JSONData       map[string]any    `yaml:"jsonData"`
				SecureJSONData map[string]string `yaml:"secureJsonData"`
			}
		}
		if err := yaml.Unmarshal(raw, &file); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, ds := range file.Datasources {
			jd, _ := json.Marshal(ds.JSONData)
			s, err := settings.Parse(jd, ds.SecureJSONData)
			if err != nil || ds.Type != PluginID || ds.UID != "agentx-simulator" {
				t.Errorf("%s: %s: %v", path, ds.UID, err)
			}
			if strings.HasPrefix(path, "provisioning-ha") && (s.RedisURL == "" || s.ExpectedReplicas != 2) {
				t.Errorf("%s: the HA data source must name the shared Redis: %+v", path, s.RedisURL)
			}
		}
	}
}
