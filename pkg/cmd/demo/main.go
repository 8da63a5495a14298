// Command demo runs the plugin the way Grafana does, over gRPC, against the
// simulator (or a real API), and prints what a bot-operations person looks at:
// resolution and hand-off rates by locale, volume by tag, how much users type and
// how long conversations last. It needs no Grafana server and no AgentX account.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/loopback"
	"github.com/agentx-support/agentx-export-datasource/pkg/plugin"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

func main() {
	var (
		baseURL = flag.String("url", "", "Export API base URL; empty starts a simulator in this process")
		bot     = flag.String("bot", "r3-218210", "bot name or id")
		window  = flag.Duration("range", 7*24*time.Hour, "time range to report on, ending now")
		verbose = flag.Bool("v", false, "show the plugin's log lines (JSON, as Grafana receives them)")
		store   = flag.String("store", "", `where the plugin keeps what it reads on disk: a directory, or "off" for nothing; empty: where it would in Grafana without store_dir`)
	)
	flag.Parse()
	if err := chooseStore(*store); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(2)
	}
	if !*verbose {
		// The SDK logs every request at debug level, as JSON for Grafana; a person
		// at a terminal wants the tables, and errors.
		log.DefaultLogger = log.NewWithLevel(log.Error)
		backend.Logger = log.DefaultLogger
	}
	if err := run(*baseURL, *bot, *window); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(baseURL, bot string, window time.Duration) error {
	// The key comes from the environment so it never shows in a process list.
	apiKey := os.Getenv("AGENTX_API_KEY")
	if baseURL == "" {
		apiKey = "sim-key"
		url, err := loopback.Serve(simulator.NewServer(simulator.NewDataset(simulator.DemoConfig()), simulator.ServerConfig{APIKey: apiKey}))
		if err != nil {
			return err
		}
		baseURL = url
		demo := simulator.DemoConfig()
		fmt.Printf("A simulated Export API serves on %s: %d days of %d bots (%s); this report is on one of them, -bot picks it.\n",
			url, demo.Days, len(demo.Bots), strings.Join(demo.Bots, ", "))
	}
	storeFile := describeStore()
	if apiKey == "" {
		return fmt.Errorf("set AGENTX_API_KEY to query a real Export API")
	}

	tp, err := loopback.Plugin(plugin.NewDatasource)
	if err != nil {
		return err
	}
	defer func() { _ = tp.Shutdown() }()

	jsonData, _ := json.Marshal(map[string]any{"baseUrl": baseURL, "defaultBot": bot})
	is := backend.DataSourceInstanceSettings{ID: 1, UID: "demo", Name: "AgentX Support", Type: plugin.PluginID,
		JSONData: jsonData, DecryptedSecureJSONData: map[string]string{"apiKey": apiKey}, Updated: time.Now()}
	pctx := backend.PluginContext{PluginID: plugin.PluginID, DataSourceInstanceSettings: &is}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	health, err := tp.Client.CheckHealth(ctx, &backend.CheckHealthRequest{PluginContext: pctx})
	if err != nil {
		return err
	}
	fmt.Printf("Save & test says: %s\n", firstLine(health.Message))
	if health.Status != backend.HealthStatusOk {
		return fmt.Errorf("the health check failed")
	}

	now := time.Now().UTC().Truncate(time.Second)
	tr := backend.TimeRange{From: now.Add(-window), To: now}
	q := func(refID, queryType, model string) backend.DataQuery {
		return backend.DataQuery{RefID: refID, QueryType: queryType, TimeRange: tr, JSON: []byte(model),
			Interval: time.Minute, MaxDataPoints: 1000}
	}
	// One request, as one dashboard load: the backend reads each record once for all of them.
	queries := []backend.DataQuery{
		q("locales", "conversationCounts", `{"groupBy":"locale"}`),
		q("resolved", "tagRate", `{"tag":"resolved","groupBy":"locale","bucket":"range"}`),
		q("liveChat", "tagRate", `{"tag":"liveChat","groupBy":"locale","bucket":"range"}`),
		q("resolvedAll", "tagRate", `{"tag":"resolved","bucket":"range"}`),
		q("liveChatAll", "tagRate", `{"tag":"liveChat","bucket":"range"}`),
		q("tags", "conversationCounts", `{"groupBy":"tag"}`),
		q("daily", "conversationVolume", `{"bucket":"1d"}`),
	}
	for _, s := range []string{"avg", "p50", "p90", "max"} {
		queries = append(queries,
			q("users-"+s, "userMessages", `{"stat":"`+s+`","bucket":"range"}`),
			q("duration-"+s, "conversationDuration", `{"stat":"`+s+`","bucket":"range"}`))
	}
	start := time.Now()
	resp, err := tp.Client.QueryData(ctx, &backend.QueryDataRequest{PluginContext: pctx, Queries: queries})
	if err != nil {
		return err
	}
	for _, query := range queries {
		if e := resp.Responses[query.RefID].Error; e != nil {
			return fmt.Errorf("%s: %w", query.RefID, e)
		}
	}
	r := answers{resp}
	fmt.Printf("Bot %s, %s to %s UTC, answered in %s.\n", bot, tr.From.Format("2 Jan 15:04"), tr.To.Format("2 Jan 15:04"),
		time.Since(start).Round(10*time.Millisecond))

	section("Outcomes by locale")
	t := table("Locale", "Conversations", "Resolved", "Live chat")
	counts := r.rows("locales")
	resolved, liveChat := r.byLabel("resolved", "locale"), r.byLabel("liveChat", "locale")
	total := 0.0
	for _, row := range counts {
		total += row.value
		t.row(row.name, count(row.value), percent(resolved[row.name]), percent(liveChat[row.name]))
	}
	t.row("All", count(total), percent(r.single("resolvedAll")), percent(r.single("liveChatAll")))
	t.flush()

	section("Conversations by tag (one conversation counts under each of its tags)")
	t = table("Tag", "Conversations", "Share")
	for _, row := range r.rows("tags") {
		t.row(row.name, count(row.value), percent(&row.share))
	}
	t.flush()
	fmt.Println("(none): conversations without a tag, which ended with no outcome (not resolved, informed or handed to")
	fmt.Println("live chat) and no rating, or are still under way. As a locale, (none) is a conversation without one.")

	section("Conversations per day (UTC)")
	t = table("Day", "Conversations")
	for _, p := range r.series("daily") {
		day := p.at.Format("Mon 2 Jan")
		// The range's first and last days are only partly in it: their counts are not drops.
		if p.at.Before(tr.From) {
			day += fmt.Sprintf(" (from %s)", tr.From.Format("15:04"))
		}
		if p.at.Add(24 * time.Hour).After(tr.To) {
			day += fmt.Sprintf(" (so far, to %s)", tr.To.Format("15:04"))
		}
		t.row(day, count(*p.value))
	}
	t.flush()

	section("Per conversation")
	t = table("", "Average", "Median", "90th percentile", "Longest")
	// The median, 90th percentile and longest are counts of messages: whole numbers.
	t.row("User messages", number(r.single("users-avg")), whole(r.single("users-p50")), whole(r.single("users-p90")), whole(r.single("users-max")))
	t.row("Duration", duration(r.single("duration-avg")), duration(r.single("duration-p50")), duration(r.single("duration-p90")), duration(r.single("duration-max")))
	t.flush()
	fmt.Println("\nThe same queries drive the demo dashboard (provisioning/dashboards); -v shows the plugin's log lines.")
	if storeFile != "" {
		if info, err := os.Stat(storeFile); err == nil {
			fmt.Printf("The disk cache %s now holds %.1f MB; the next run answers settled time from it.\n", storeFile, float64(info.Size())/(1<<20))
		}
	}
	return nil
}

// chooseStore points the plugin's disk cache where -store says, through the
// variables Grafana would set from the plugin's grafana.ini section.
func chooseStore(store string) error {
	switch store {
	case "":
		return nil
	case "off":
		return os.Setenv("GF_PLUGIN_STORE_MB", "0")
	default:
		return os.Setenv("GF_PLUGIN_STORE_DIR", store)
	}
}

// describeStore says what the run leaves on disk, since the plugin keeps what it
// reads as it does in Grafana, and returns the file it writes ("" when none).
func describeStore() string {
	ps := plugin.ReadProcessSettings(os.Getenv)
	if ps.StoreBytes <= 0 || ps.StoreDir == "" {
		fmt.Println("The plugin keeps nothing on disk (-store off).")
		return ""
	}
	file := filepath.Join(ps.StoreDir, diskcache.FileName)
	fmt.Printf("The plugin keeps what it reads on disk, as in Grafana: %s (at most %d MB, stays after the demo; delete the directory to drop it, or run with -store off).\n",
		file, ps.StoreBytes>>20)
	return file
}

// answers reads the frames of one QueryData response.
type answers struct{ resp *backend.QueryDataResponse }

type countRow struct {
	name         string
	value, share float64
}

// rows reads a conversationCounts table: group, conversations, percent.
func (a answers) rows(refID string) []countRow {
	var out []countRow
	for _, f := range a.resp.Responses[refID].Frames {
		if len(f.Fields) < 3 {
			continue
		}
		for i := 0; i < f.Rows(); i++ {
			name, _ := f.Fields[0].ConcreteAt(i)
			n, _ := f.Fields[1].FloatAt(i)
			share, _ := f.Fields[2].FloatAt(i)
			out = append(out, countRow{name: fmt.Sprint(name), value: n, share: share})
		}
	}
	return out
}

type point struct {
	at    time.Time
	value *float64
}

// series reads the one series of an ungrouped time series.
func (a answers) series(refID string) []point {
	var out []point
	for _, f := range a.resp.Responses[refID].Frames {
		if len(f.Fields) != 2 {
			continue
		}
		for i := 0; i < f.Rows(); i++ {
			at, _ := f.Fields[0].ConcreteAt(i)
			out = append(out, point{at: at.(time.Time), value: valueAt(f.Fields[1], i)})
		}
	}
	return out
}

// single is the one value of a series over bucket "range".
func (a answers) single(refID string) *float64 {
	s := a.series(refID)
	if len(s) == 0 {
		return nil
	}
	return s[0].value
}

// byLabel reads a grouped series over bucket "range" into group → value.
func (a answers) byLabel(refID, label string) map[string]*float64 {
	out := map[string]*float64{}
	for _, f := range a.resp.Responses[refID].Frames {
		if len(f.Fields) != 2 || f.Rows() == 0 {
			continue
		}
		out[f.Fields[1].Labels[label]] = valueAt(f.Fields[1], 0)
	}
	return out
}

// valueAt is a number field's value at row i, nil where it is null.
func valueAt(f *data.Field, i int) *float64 {
	if _, ok := f.ConcreteAt(i); !ok {
		return nil
	}
	v, err := f.FloatAt(i)
	if err != nil {
		return nil
	}
	return &v
}

type textTable struct{ w *tabwriter.Writer }

func table(headers ...string) textTable {
	t := textTable{tabwriter.NewWriter(os.Stdout, 0, 0, 3, ' ', tabwriter.AlignRight)}
	t.row(headers...)
	return t
}

func (t textTable) row(cells ...string) { fmt.Fprintln(t.w, strings.Join(cells, "\t")+"\t") }
func (t textTable) flush()              { _ = t.w.Flush() }

func section(title string) { fmt.Printf("\n%s\n", title) }

func count(v float64) string { return fmt.Sprintf("%.0f", v) }

func percent(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", *v)
}

func number(v *float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f", *v)
}

func whole(v *float64) string {
	if v == nil {
		return "–"
	}
	return count(*v)
}

func duration(v *float64) string {
	if v == nil {
		return "–"
	}
	return (time.Duration(*v * float64(time.Second))).Round(time.Second).String()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
