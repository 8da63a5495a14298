package plugin

import (
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

func TestHealthTellsFailuresApart(t *testing.T) {
	testparallel.Waits(t)
	_, url := startSim(t, simulator.Faults{})
	cases := []struct {
		name     string
		baseURL  string
		key      string
		jsonData map[string]any
		status   backend.HealthStatus
		want     []string
	}{
		{"all well", url, testKey, map[string]any{"bots": []string{"acme-support"}}, backend.HealthStatusOk,
			[]string{"API key works", `"r3-218210"`, `"acme-support"`}},
		{"key rejected", url, "wrong-key-4411", nil, backend.HealthStatusError, []string{"rejected the API key"}},
		{"bot not found", url, testKey, map[string]any{"bots": []string{"ghost"}}, backend.HealthStatusError,
			[]string{"API key works", `"ghost"`}},
		{"unreachable", "http://127.0.0.1:1", testKey, map[string]any{"timeoutSeconds": 1}, backend.HealthStatusError,
			[]string{"Cannot reach the AgentX Export API at http://127.0.0.1:1"}},
		{"no bot", url, testKey, map[string]any{"defaultBot": ""}, backend.HealthStatusError, []string{"No bot is configured"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inst, err := Factory(testOptions())(t.Context(), instanceSettings(tc.baseURL, tc.jsonData, tc.key))
			if err != nil {
				t.Fatal(err)
			}
			d := inst.(*Datasource)
			defer d.Dispose()
			h, err := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if h.Status != tc.status {
				t.Fatalf("status %v: %s", h.Status, h.Message)
			}
			for _, w := range tc.want {
				if !strings.Contains(h.Message, w) {
					t.Errorf("%q does not say %q", h.Message, w)
				}
			}
			if strings.Contains(h.Message, tc.key) {
				t.Fatal("the message echoes the key")
			}
		})
	}
}
