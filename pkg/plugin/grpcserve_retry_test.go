package plugin

import (
	"net"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestARetryAfterATakenPortServes: when the port picked for the harness is
// taken before the harness binds it, serveOnFreePort serves on a fresh one, and
// the SDK's second registration of its metrics does not panic. Not parallel: it
// swaps the default registry while it starts.
func TestARetryAfterATakenPortServes(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()
	var picked []string
	pick := func() (string, error) {
		if len(picked) == 0 {
			picked = append(picked, taken.Addr().String())
			return picked[0], nil
		}
		addr, err := freeLoopbackAddr()
		picked = append(picked, addr)
		return addr, err
	}
	tp, addr, err := serveOnFreePort(Factory(testOptions()), pick)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tp.Shutdown() }()
	if len(picked) != 2 || addr != picked[1] {
		t.Fatalf("picked %v, serves on %s: want a second port after the taken one", picked, addr)
	}
	_, url := startSim(t, simulator.Faults{})
	is := instanceSettings(url, nil, testKey)
	health, err := tp.Client.CheckHealth(t.Context(), &backend.CheckHealthRequest{
		PluginContext: backend.PluginContext{PluginID: PluginID, DataSourceInstanceSettings: &is}})
	if err != nil {
		t.Fatal(err)
	}
	if health.Status != backend.HealthStatusOk {
		t.Fatalf("health over the retried port: %v %s", health.Status, health.Message)
	}
}
