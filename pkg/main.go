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
	err := datasource.Manage(plugin.PluginID, plugin.NewDatasource, datasource.ManageOpts{})
	// Grafana stopped the plugin (or serving failed): leave the store closed.
	if cerr := plugin.CloseProcess(); cerr != nil {
		log.DefaultLogger.Warn("The disk cache did not close cleanly", "error", cerr.Error())
	}
	if err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
