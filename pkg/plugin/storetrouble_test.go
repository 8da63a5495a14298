package plugin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestTheHealthCheckNamesAFullDisk: a store that cannot be created because the
// disk is full (its file is /dev/full, where every write fails with ENOSPC) is
// reported as such, not as damage, and the store's path is left as it was.
func TestTheHealthCheckNamesAFullDisk(t *testing.T) {
	testparallel.Waits(t)
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full on this system")
	}
	dir := t.TempDir()
	if err := os.Symlink("/dev/full", filepath.Join(dir, diskcache.FileName)); err != nil {
		t.Fatal(err)
	}
	_, url := startSim(t, simulator.Faults{})
	opts := testOptions()
	opts.Disk = diskcache.Open(dir, 1<<20, backend.Logger)
	inst, err := Factory(opts)(t.Context(), instanceSettings(url, nil, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)
	h, err := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.Message, "the disk is full") || strings.Contains(h.Message, "damaged") {
		t.Fatalf("health: %s", h.Message)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("%d entries beside the store's path, want none", len(entries)-1)
	}
}
