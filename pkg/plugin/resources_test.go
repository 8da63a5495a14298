package plugin

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

func callResource(t *testing.T, d *Datasource, path string) (int, map[string]any) {
	t.Helper()
	var status int
	var body map[string]any
	err := d.CallResource(t.Context(), &backend.CallResourceRequest{Method: http.MethodGet, Path: strings.SplitN(path, "?", 2)[0], URL: path},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
			status = r.Status
			return json.Unmarshal(r.Body, &body)
		}))
	if err != nil {
		t.Fatal(err)
	}
	return status, body
}

func TestResourcesForTheEditors(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, map[string]any{"bots": []string{"acme-support"}})
	if status, body := callResource(t, d, "bots"); status != 200 || len(body["bots"].([]any)) != 2 {
		t.Fatalf("bots: %d %v", status, body)
	}
	status, body := callResource(t, d, "values?field=tag")
	if status != 200 {
		t.Fatalf("tags: %d %v", status, body)
	}
	var tags []string
	for _, v := range body["values"].([]any) {
		tags = append(tags, v.(string))
	}
	if !slices.Contains(tags, "resolved") || !slices.Contains(tags, "liveChat") {
		t.Fatalf("tags %v", tags)
	}
	if status, body = callResource(t, d, "values?field=metadataValue&metadataKey=channel&bot=acme-support"); status != 200 || len(body["values"].([]any)) == 0 {
		t.Fatalf("metadata values: %d %v", status, body)
	}
	if status, body = callResource(t, d, "values?field=colour"); status != 400 || !strings.Contains(body["error"].(string), "needs field") {
		t.Fatalf("unknown field: %d %v", status, body)
	}
	if status, body = callResource(t, d, "values?field=tag&bot=ghost"); status != 404 || !strings.Contains(body["error"].(string), "ghost") {
		t.Fatalf("unknown bot: %d %v", status, body)
	}
}
