// Package loopback runs the commands' helpers on 127.0.0.1: a free address for
// the plugin's gRPC server, and an HTTP server on a free port.
package loopback

import (
	"net"
	"net/http"
	"time"
)

// FreeAddress returns an address of 127.0.0.1 nobody listens on now.
func FreeAddress() (string, error) {
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
