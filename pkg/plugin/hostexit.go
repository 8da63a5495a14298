package plugin

import (
	"os"
	"sync/atomic"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/diskcache"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/hostwatch"
)

// processDisk is the process's disk store once the first data source opened it.
var processDisk atomic.Pointer[diskcache.Store]

// ExitWithHost ends this plugin process once Grafana, which started it, is gone
// (killed rather than stopped over gRPC, which would have ended it): it closes
// the disk store, so that the file is whole and its lock free for the next plugin
// process, and exits. The plugin's main calls it before serving.
func ExitWithHost() {
	hostwatch.Watch(func() {
		backend.Logger.Warn("Grafana, which started this plugin process, is gone: closing the disk cache and exiting")
		if err := CloseProcess(); err != nil {
			backend.Logger.Warn("The disk cache did not close cleanly", "error", err)
		}
		os.Exit(0)
	})
}

// CloseProcess closes the process's disk store, if it was opened, when the
// process ends: killed host or not, the next plugin process finds a closed file.
func CloseProcess() error {
	if d := processDisk.Load(); d != nil {
		return d.Close()
	}
	return nil
}
