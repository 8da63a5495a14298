package plugin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// Tests that need more than one plugin process run this test binary again as
// the plugin: a child serves Grafana's gRPC protocol on a loopback port it
// picks and says the address ("PLUGIN READY <address>"), reads its process
// settings from the environment as the real plugin does, and runs on the real
// clock until it is killed.
const envChild = "AGENTX_TEST_PLUGIN_CHILD"

// readyLine starts the line a child prints once it serves, before its address.
const readyLine = "PLUGIN READY "

// TestPluginProcess is the child's body; in an ordinary run it does nothing.
func TestPluginProcess(t *testing.T) {
	if os.Getenv(envChild) == "" {
		t.Skip("runs only as a child plugin process")
	}
	ApplyMemoryLimit() // as the plugin's main does
	ExitWithHost()
	tp, addr, err := serveOnFreePort(NewDatasource, freeLoopbackAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tp.Shutdown() }()
	fmt.Println(readyLine + addr)
	select {} // until the parent kills the process
}

// pluginProcess is a child plugin process and a gRPC client to it.
type pluginProcess struct {
	cmd    *exec.Cmd
	conn   *grpc.ClientConn
	client *datasourcetest.TestPluginClient
}

// startPluginProcess starts a child with env added to this process's environment.
func startPluginProcess(t *testing.T, env ...string) *pluginProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPluginProcess$", "-test.v")
	cmd.Env = append(append(os.Environ(), envChild+"=1", "GF_PLUGIN_STORE_MB="), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &pluginProcess{cmd: cmd}
	t.Cleanup(p.kill)
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if addr, ok := servingAt(sc.Text()); ok {
				ready <- addr
			}
		}
		ready <- ""
	}()
	select {
	case addr := <-ready:
		if addr == "" {
			t.Fatal("the plugin process ended before serving")
		}
		p.connect(t, addr)
	case <-time.After(60 * time.Second):
		t.Fatal("the plugin process did not start serving within a minute")
	}
	return p
}

// servingAt is the address a child's line says it serves on, if it says so.
func servingAt(line string) (string, bool) {
	i := strings.Index(line, readyLine)
	if i < 0 {
		return "", false
	}
	return strings.TrimSpace(line[i+len(readyLine):]), true
}

// connect makes p's gRPC client to a plugin process serving on addr.
func (p *pluginProcess) connect(t *testing.T, addr string) {
	t.Helper()
	var err error
	if p.conn, err = grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.conn.Close() })
	p.client = &datasourcetest.TestPluginClient{DataClient: pluginv2.NewDataClient(p.conn), DiagnosticsClient: pluginv2.NewDiagnosticsClient(p.conn)}
}

// kill ends the process at once, as a crash or an orchestrator would.
func (p *pluginProcess) kill() {
	if p.conn != nil {
		_ = p.conn.Close()
	}
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

func (p *pluginProcess) query(t *testing.T, is backend.DataSourceInstanceSettings, qs []backend.DataQuery) *backend.QueryDataResponse {
	t.Helper()
	resp, err := p.client.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: pluginContext(is), Queries: qs})
	if err != nil {
		t.Error(err)
		return nil
	}
	return resp
}

func (p *pluginProcess) health(t *testing.T, is backend.DataSourceInstanceSettings) *backend.CheckHealthResult {
	t.Helper()
	res, err := p.client.CheckHealth(context.Background(), &backend.CheckHealthRequest{
		PluginContext: pluginContext(is)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// dashboard is eight panels over one window: the demo dashboard's mix of both endpoints.
func dashboard(from, to time.Time) []backend.DataQuery {
	return []backend.DataQuery{
		dataQuery("volume", "conversationVolume", from, to, map[string]any{"bucket": "1h"}),
		dataQuery("resolved", "tagRate", from, to, map[string]any{"tag": "resolved", "bucket": "6h"}),
		dataQuery("liveChat", "tagRate", from, to, map[string]any{"tag": "liveChat", "groupBy": "locale", "bucket": "1d"}),
		dataQuery("locales", "conversationCounts", from, to, map[string]any{"groupBy": "locale"}),
		dataQuery("userMessages", "userMessages", from, to, map[string]any{"stat": "p90", "bucket": "1h"}),
		dataQuery("histogram", "userMessageHistogram", from, to, map[string]any{}),
		dataQuery("messages", "messageVolume", from, to, map[string]any{"groupBy": "type", "bucket": "1h"}),
		dataQuery("messageTable", "messages", from, to, map[string]any{"limit": 50}),
	}
}

// answers reduces a response to its frames' data, without the cost statistics,
// and fails on any error.
func answersOf(t *testing.T, who string, resp *backend.QueryDataResponse) map[string]string {
	t.Helper()
	out := map[string]string{}
	if resp == nil {
		t.Fatalf("%s: no response", who)
	}
	for ref, r := range resp.Responses {
		if r.Error != nil {
			t.Fatalf("%s, %s: %v", who, ref, r.Error)
		}
		var parts []string
		for _, f := range r.Frames {
			// The cost statistics differ by design, and the gRPC layer names the refId.
			g := *f
			g.Meta, g.RefID = nil, ""
			b, err := json.Marshal(&g)
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, string(b))
		}
		out[ref] = strings.Join(parts, "\n")
	}
	return out
}

// reference answers the dashboard in this process, with a data source that
// shares nothing, on a server without a rate limit over the same data.
func reference(t *testing.T, url string, qs []backend.DataQuery) map[string]string {
	t.Helper()
	inst, err := Factory(Options{Cache: fetch.NewCache(DefaultCacheBytes), Flights: fetch.NewFlights()})(t.Context(), instanceSettings(url, nil, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	defer d.Dispose()
	resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{PluginContext: backend.PluginContext{PluginID: PluginID}, Queries: qs})
	if err != nil {
		t.Fatal(err)
	}
	return answersOf(t, "reference", resp)
}

func sameAnswers(t *testing.T, who string, got, want map[string]string) {
	t.Helper()
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("%s, panel %s differs from the reference:\n got %.300s\nwant %.300s", who, ref, got[ref], w)
		}
	}
}
