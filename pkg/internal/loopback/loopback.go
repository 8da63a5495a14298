// Package loopback runs what the commands need on 127.0.0.1: the plugin served
// over gRPC the way Grafana runs it, and an HTTP server (the simulator).
package loopback

import (
	"net"
	"net/http"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"
)

// Plugin serves the data sources of factory over gRPC on a free address, as
// Grafana runs a plugin process; Shutdown the result when done.
func Plugin(factory datasource.InstanceFactoryFunc) (datasourcetest.TestPlugin, error) {
	addr, err := freeAddress()
	if err != nil {
		return datasourcetest.TestPlugin{}, err
	}
	return datasourcetest.Manage(factory, datasourcetest.ManageOpts{Address: addr})
}

// freeAddress returns an address of 127.0.0.1 nobody listens on now.
func freeAddress() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Serve serves h on a free port of 127.0.0.1 until the process ends, and returns
// its base URL.
func Serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}
