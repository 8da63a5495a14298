// Command demo runs the plugin the way Grafana does, over gRPC, against the
// simulator (or a real API), and prints the health check and each query's frames.
// It needs no Grafana server and no AgentX account.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"

	"github.com/agentx-support/agentx-export-datasource/pkg/plugin"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

func main() {
	var (
		baseURL = flag.String("url", "", "Export API base URL; empty starts a simulator in this process")
		bot     = flag.String("bot", "r3-218210", "bot name or id")
		window  = flag.Duration("range", 24*time.Hour, "time range to query, ending now")
		rows    = flag.Int("rows", 8, "rows of each frame to print")
	)
	flag.Parse()
	// The key comes from the environment so it never shows in a process list.
	apiKey := os.Getenv("AGENTX_API_KEY")

	if *baseURL == "" {
		apiKey = "sim-key"
		url, err := startSimulator(apiKey)
		if err != nil {
			log.Fatal(err)
		}
		*baseURL = url
		fmt.Printf("Simulator serving on %s\n", url)
	}
	if apiKey == "" {
		log.Fatal("set AGENTX_API_KEY to query a real Export API")
	}

	addr, err := freeAddress()
	if err != nil {
		log.Fatal(err)
	}
	tp, err := datasourcetest.Manage(plugin.NewDatasource, datasourcetest.ManageOpts{Address: addr})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = tp.Shutdown() }()

	jsonData, _ := json.Marshal(map[string]any{"baseUrl": *baseURL, "defaultBot": *bot})
	is := backend.DataSourceInstanceSettings{ID: 1, UID: "demo", Name: "AgentX Support", Type: plugin.PluginID,
		JSONData: jsonData, DecryptedSecureJSONData: map[string]string{"apiKey": apiKey}, Updated: time.Now()}
	pctx := backend.PluginContext{PluginID: plugin.PluginID, DataSourceInstanceSettings: &is}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	health, err := tp.Client.CheckHealth(ctx, &backend.CheckHealthRequest{PluginContext: pctx})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nHealth check: %s\n", health.Message)

	now := time.Now()
	tr := backend.TimeRange{From: now.Add(-*window), To: now}
	queries := []backend.DataQuery{
		{RefID: "conversations", QueryType: "conversations", TimeRange: tr, JSON: []byte(`{"limit":1000}`)},
		{RefID: "messages", QueryType: "messages", TimeRange: tr, JSON: []byte(`{"limit":1000,"filters":{"tags":["liveChat"]}}`)},
	}
	start := time.Now()
	resp, err := tp.Client.QueryData(ctx, &backend.QueryDataRequest{PluginContext: pctx, Queries: queries})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Queries answered in %s\n", time.Since(start).Round(time.Millisecond))
	for _, q := range queries {
		r := resp.Responses[q.RefID]
		fmt.Printf("\n== %s (last %s)\n", q.RefID, *window)
		if r.Error != nil {
			fmt.Printf("error: %v\n", r.Error)
			continue
		}
		for _, f := range r.Frames {
			printFrame(f, *rows)
		}
	}
}

func printFrame(f *data.Frame, rows int) {
	if f.Meta != nil {
		fmt.Println(f.Meta.ExecutedQueryString)
		for _, s := range f.Meta.Stats {
			fmt.Printf("  %s: %v%s\n", s.DisplayName, s.Value, s.Unit)
		}
	}
	table, err := f.StringTable(8, rows)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(table)
}

func startSimulator(apiKey string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210", "acme-support"}, Days: 30, PerHour: 40, Seed: 1})
	srv := &http.Server{Handler: simulator.NewServer(data, simulator.ServerConfig{APIKey: apiKey}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

func freeAddress() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
