package plugin

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"gopkg.in/yaml.v3"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/templating"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
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
	testparallel.BesideWaiting(t)
	// Two weeks of data: the dashboard compares its 7 days with the 7 before them.
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210", "acme-support"}, Days: 15, PerHour: 10, Seed: 5,
		Now: func() time.Time { return testNow }})
	url := startServer(t, simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1}))
	d := newTestDatasource(t, url, map[string]any{"bots": []string{"r3-218210", "acme-support"}})

	dash := readDashboard(t)
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

	raw, err := os.ReadFile(filepath.Join("..", "..", "provisioning", "alerting", "agentx-rules.yaml"))
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
	testparallel.BesideWaiting(t)
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

// provisionedDashboard is the demo's dashboard, as far as the tests read it.
type provisionedDashboard struct {
	UID    string
	Time   struct{ From, To string }
	Panels []struct {
		ID      int
		Title   string
		Targets []map[string]any
	}
	Templating struct {
		List []struct {
			Name    string
			Type    string
			Sort    int
			Current struct{ Value any }
			Query   any // a values query, or the data source type of the datasource variable
		}
	}
	Annotations struct {
		List []struct {
			Name   string
			Target map[string]any
		}
	}
}

func readDashboard(t *testing.T) provisionedDashboard {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "provisioning", "dashboards", "agentx-bot-operations.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash provisionedDashboard
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatal(err)
	}
	return dash
}

// provisioned reads the demo's dashboard, alert rules and data source as Grafana
// would provision them.
type provisioned struct {
	dash  provisionedDashboard
	rules []struct {
		Title       string
		Annotations map[string]string
		Data        []struct {
			DatasourceUID string `yaml:"datasourceUid"`
			Model         map[string]any
		}
	}
	defaultBot string
}

func readProvisioned(t *testing.T) provisioned {
	t.Helper()
	var p provisioned
	read := func(path string) []byte {
		raw, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	p.dash = readDashboard(t)
	var rules struct {
		Groups []struct{ Rules json.RawMessage }
	}
	var file map[string]any
	if err := yaml.Unmarshal(read("provisioning/alerting/agentx-rules.yaml"), &file); err != nil {
		t.Fatal(err)
	}
	// Through JSON, so that the rules decode with the same field names as the dashboard.
	asJSON, _ := json.Marshal(file)
	if err := json.Unmarshal(asJSON, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		if err := json.Unmarshal(g.Rules, &p.rules); err != nil {
			t.Fatal(err)
		}
	}
	var ds struct {
		Datasources []struct {
			JSONData struct {
				DefaultBot string `yaml:"defaultBot"`
			} `yaml:"jsonData"`
		}
	}
	if err := yaml.Unmarshal(read("provisioning/datasources/datasources.yml"), &ds); err != nil {
		t.Fatal(err)
	}
	p.defaultBot = ds.Datasources[0].JSONData.DefaultBot
	return p
}

// watched is what an alert rule's query or a panel's target measures: the query
// type, and the tag, statistic, grouping and bucket that make it that measure.
func watched(model map[string]any) string {
	text := func(key, def string) string {
		if s, ok := model[key].(string); ok && s != "" {
			return s
		}
		return def
	}
	tag := ""
	if text("queryType", "") == "tagRate" {
		tag = text("tag", "resolved")
	}
	stat := ""
	if qt := text("queryType", ""); qt == "userMessages" || qt == "conversationDuration" {
		stat = text("stat", "avg")
	}
	return fmt.Sprintf("%s tag=%q stat=%q groupBy=%q bucket=%q", text("queryType", ""), tag, stat, text("groupBy", ""), text("bucket", ""))
}

// TestEveryAlertRuleLinksToThePanelThatShowsWhatItWatches follows each rule's panel
// link: the person paged lands on a panel drawing the rule's own query.
func TestEveryAlertRuleLinksToThePanelThatShowsWhatItWatches(t *testing.T) {
	testparallel.BesideWaiting(t)
	p := readProvisioned(t)
	if len(p.rules) != 3 {
		t.Fatalf("%d alert rules, want 3", len(p.rules))
	}
	for _, rule := range p.rules {
		var queries []string
		for _, q := range rule.Data {
			if q.DatasourceUID != "__expr__" {
				queries = append(queries, watched(q.Model))
			}
		}
		if len(queries) != 1 {
			t.Fatalf("%s: %d data source queries, want 1", rule.Title, len(queries))
		}
		if rule.Annotations["__dashboardUid__"] != p.dash.UID {
			t.Errorf("%s: links to dashboard %q, not %q", rule.Title, rule.Annotations["__dashboardUid__"], p.dash.UID)
		}
		var shows []string
		found := false
		for _, panel := range p.dash.Panels {
			if fmt.Sprint(panel.ID) != rule.Annotations["__panelId__"] {
				continue
			}
			found = true
			for _, target := range panel.Targets {
				shows = append(shows, watched(target))
			}
		}
		if !found {
			t.Errorf("%s: links to panel %s, which the dashboard does not have", rule.Title, rule.Annotations["__panelId__"])
			continue
		}
		if !slices.Contains(shows, queries[0]) {
			t.Errorf("%s watches %s, but its panel %s shows %v", rule.Title, queries[0], rule.Annotations["__panelId__"], shows)
		}
	}
}

// TestDashboardOpensOnTheDefaultBot: the dashboard opens on the bot the alert rules
// watch, the data source's default. Grafana keeps a saved selection only while it is
// among the options, and otherwise takes the first option in the variable's sort
// order; so both the saved value and the first option are the default bot.
func TestDashboardOpensOnTheDefaultBot(t *testing.T) {
	testparallel.BesideWaiting(t)
	p := readProvisioned(t)
	if p.defaultBot == "" {
		t.Fatal("the provisioned data source has no default bot")
	}
	var found bool
	for _, v := range p.dash.Templating.List {
		if v.Name != "bot" {
			continue
		}
		found = true
		if cur := fmt.Sprint(v.Current.Value); cur != "["+p.defaultBot+"]" && cur != p.defaultBot {
			t.Errorf("the bot variable is saved on %s, not the default bot %s", cur, p.defaultBot)
		}
		// Sort 0 keeps the options in the order the data source answers them, which
		// puts its default bot first (src/variables.ts); any other sort would open
		// on whichever bot sorts first.
		if v.Sort != 0 {
			t.Errorf("the bot variable sorts its options (sort %d): the first would not be the default bot", v.Sort)
		}
		if q, _ := v.Query.(map[string]any); q["field"] != "bot" {
			t.Errorf("the bot variable lists %v, not the data source's bots", v.Query)
		}
	}
	if !found {
		t.Fatal("the dashboard has no bot variable")
	}
	for _, rule := range p.rules {
		for _, q := range rule.Data {
			if bot, ok := q.Model["bot"]; ok && bot != p.defaultBot {
				t.Errorf("%s watches bot %v, not the default bot %s", rule.Title, bot, p.defaultBot)
			}
		}
	}
}
