package plugin

import (
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/datasourcetest"
	"github.com/prometheus/client_golang/prometheus"
)

// bindAttempts bounds how often serveOnFreePort tries a fresh port: each failure
// means another process took a just-freed port within a millisecond, so a few
// in a row mean something else is wrong.
const bindAttempts = 5

// sdkMetricsRegistered says a harness of this process has put the SDK's server
// metrics in the default registry (read and set from TestMain, a child's test
// body and TestARetryAfterATakenPortServes, which run with no other test).
var sdkMetricsRegistered bool

// serveOnFreePort serves factory's data sources with the SDK's gRPC harness on
// a loopback port the system picks, and says the address. The harness takes an
// address, not a listener, so a port is free when picked and may be taken by
// another process before the harness binds it: then it tries a fresh port.
// pick chooses the address of each attempt (freeLoopbackAddr but in the test of
// the retry).
func serveOnFreePort(factory datasource.InstanceFactoryFunc, pick func() (string, error)) (datasourcetest.TestPlugin, string, error) {
	var err error
	for range bindAttempts {
		var addr string
		if addr, err = pick(); err != nil {
			return datasourcetest.TestPlugin{}, "", err
		}
		var tp datasourcetest.TestPlugin
		if tp, err = manage(factory, addr); err == nil {
			return tp, addr, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return datasourcetest.TestPlugin{}, "", err
		}
	}
	return datasourcetest.TestPlugin{}, "", fmt.Errorf("no free port in %d attempts: %w", bindAttempts, err)
}

// manage is one attempt of the harness on addr. The SDK registers its server
// metrics in the default registry before it binds (with MustRegister), so after
// a first attempt, failed or not, a second would panic on names already taken:
// it registers in a registry of its own, which no one gathers.
func manage(factory datasource.InstanceFactoryFunc, addr string) (datasourcetest.TestPlugin, error) {
	if sdkMetricsRegistered {
		defaultRegisterer := prometheus.DefaultRegisterer
		prometheus.DefaultRegisterer = prometheus.NewRegistry()
		defer func() { prometheus.DefaultRegisterer = defaultRegisterer }()
	}
	sdkMetricsRegistered = true
	return datasourcetest.Manage(factory, datasourcetest.ManageOpts{Address: addr})
}

// freeLoopbackAddr is a loopback address no one listened on a moment ago.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}
