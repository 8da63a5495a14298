// Package plugin is the thin Grafana-facing layer: it reads settings, answers
// QueryData and CheckHealth, and leaves HTTP to exportapi and frame shapes to frames.
package plugin

import (
	"context"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/settings"
)

// PluginID is the id in plugin.json.
const PluginID = "agentx-export-datasource"

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured data source. Bad settings do not stop it from being
// created: every query and the health check then report them, which is where a
// person looks.
type Datasource struct {
	settings    settings.Settings
	settingsErr error
	client      *exportapi.Client
	httpClient  *http.Client
	lease       *exportapi.Lease
	logger      log.Logger
}

// NewDatasource is the instance factory Grafana calls when a data source is created or its settings change.
func NewDatasource(ctx context.Context, is backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	d := &Datasource{logger: backend.Logger.With("datasource", is.UID)}
	d.settingsErr = d.configure(ctx, is)
	return d, nil
}

func (d *Datasource) configure(ctx context.Context, is backend.DataSourceInstanceSettings) error {
	s, err := settings.Parse(is.JSONData, is.DecryptedSecureJSONData)
	if err != nil {
		return err
	}
	d.settings = s

	opts, err := is.HTTPClientOptions(ctx)
	if err != nil {
		return err
	}
	timeouts := httpclient.DefaultTimeoutOptions
	// The client bounds each request by timeoutSeconds itself; the transport's own
	// limit only catches what that misses.
	timeouts.Timeout = s.Timeout * 2
	opts.Timeouts = &timeouts
	if d.httpClient, err = httpclient.New(opts); err != nil {
		return err
	}
	d.lease = exportapi.DefaultLimiters.Acquire(s.BaseURL, s.APIKey, s.RequestsPerSecond)
	d.client, err = exportapi.New(exportapi.Config{
		BaseURL:           s.BaseURL,
		APIKey:            s.APIKey,
		HTTPClient:        d.httpClient,
		Limiters:          d.lease,
		RequestsPerSecond: s.RequestsPerSecond,
		RequestTimeout:    s.Timeout,
	})
	return err
}

// Dispose releases the shared limiters and idle connections when settings change
// or the data source is deleted.
func (d *Datasource) Dispose() {
	if d.lease != nil {
		d.lease.Release()
	}
	if d.httpClient != nil {
		d.httpClient.CloseIdleConnections()
	}
}
