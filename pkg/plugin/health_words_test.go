package plugin

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestHealthSaysWhatIsKeptInUsersWords reads Save & test's line after a query: what
// is kept, where, how full each place is and how many stretches of time it holds,
// with the figures the cache and the store report themselves, and none of the
// words only the code uses.
func TestHealthSaysWhatIsKeptInUsersWords(t *testing.T) {
	testparallel.Waits(t)
	_, url := startSim(t, simulator.Faults{})
	dir := t.TempDir()
	opts := testOptions()
	opts.Disk = diskcache.Open(dir, 64<<20, backend.Logger)
	inst, err := Factory(opts)(t.Context(), instanceSettings(url, map[string]any{"syncDays": 0}, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)
	from, to := testNow.Add(-3*24*time.Hour), testNow.Add(-2*24*time.Hour)
	if r := run(t, d, dataQuery("A", "conversationVolume", from, to, map[string]any{"bucket": "1h"})).Responses["A"]; r.Error != nil {
		t.Fatal(r.Error)
	}
	h, err := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	if err != nil || h.Status != backend.HealthStatusOk {
		t.Fatalf("health %v: %s", err, h.Message)
	}
	mem, disk := opts.Cache.Stats(), opts.Disk.Status()
	if mem.Segments == 0 || disk.Segments == 0 {
		t.Fatalf("the query left %d segments in memory and %d on disk; the test needs some in both", mem.Segments, disk.Segments)
	}
	for _, want := range []string{
		`Bot "r3-218210" has conversations in the last 24 hours.`,
		"What the API answered is kept in memory and on disk, so a restart keeps it",
		fmt.Sprintf("memory: %s of %s used, %d stored time %s;", megabytes(mem.Bytes+mem.Reserved), megabytes(mem.Budget), mem.Segments,
			plural(mem.Segments, "range", "ranges")),
		fmt.Sprintf("disk: %s of 64.0 MB used, %d stored time %s at %s)", megabytes(disk.Bytes), disk.Segments,
			plural(disk.Segments, "range", "ranges"), disk.Path),
	} {
		if !strings.Contains(h.Message, want) {
			t.Errorf("health does not say %q: %s", want, h.Message)
		}
	}
	for _, jargon := range []string{"Cache mode", "segments)", "segments;", "of the requests so far"} {
		if strings.Contains(h.Message, jargon) {
			t.Errorf("health says %q: %s", jargon, h.Message)
		}
	}
}

// TestHealthWarnsInUsersWords: a warning stays a warning in the new words, and a
// bot without conversations is named as such.
func TestHealthWarnsInUsersWords(t *testing.T) {
	testparallel.Waits(t)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprint(w, `{"data":[]}`)
	}))
	t.Cleanup(api.Close)
	d := newTestDatasource(t, api.URL, map[string]any{"cacheMinutes": 0, "syncDays": 0})
	h, err := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	if err != nil || h.Status != backend.HealthStatusOk {
		t.Fatalf("health %v: %s", err, h.Message)
	}
	for _, want := range []string{
		`the API key works. Bot "r3-218210" has no conversation in the last 24 hours.`,
		"kept in memory only",
		"Warning: Cache minutes is 0, so nothing is cached: every query reads the API.",
	} {
		if !strings.Contains(h.Message, want) {
			t.Errorf("health does not say %q: %s", want, h.Message)
		}
	}
}
