// Command gpx_agentx_export is the backend of the AgentX Support data source; Grafana starts it.
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/agentx-support/agentx-export-datasource/pkg/plugin"
)

func main() {
	plugin.ApplyMemoryLimit()
	plugin.ExitWithHost()
	// Manage serves Grafana's gRPC calls and creates one instance per data source,
	// disposing of it when its settings change.
	if err := datasource.Manage(plugin.PluginID, plugin.NewDatasource, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
