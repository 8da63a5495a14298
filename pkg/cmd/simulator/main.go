// Command simulator serves a simulated AgentX Support Export API on a local port,
// for the demo dashboard, the tests and the benchmarks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

func main() {
	demo := simulator.DemoConfig()
	var (
		addr       = flag.String("addr", "127.0.0.1:8085", "address to listen on")
		apiKey     = flag.String("api-key", "sim-key", "the API key the simulator accepts (x-api-key)")
		bots       = flag.String("bots", strings.Join(demo.Bots, ","), "comma-separated bot names the simulator knows")
		days       = flag.Int("days", demo.Days, "days of history before now")
		perHour    = flag.Float64("per-hour", demo.PerHour, "mean conversations per bot per hour")
		seed       = flag.Uint64("seed", demo.Seed, "seed of the generated data and of fault injection")
		rps        = flag.Float64("rps", 3, "requests per second per endpoint and key before 429 (negative: no limit)")
		dateRetry  = flag.Bool("retry-after-date", false, "send Retry-After as an HTTP date rather than seconds")
		latency    = flag.Duration("latency", 0, "delay before every answer")
		serverErrs = flag.Float64("server-errors", 0, "share of requests answered with a 5xx HTML page")
		drops      = flag.Float64("drops", 0, "share of requests whose connection is dropped")
		truncs     = flag.Float64("truncations", 0, "share of answers cut in half")
		malformed  = flag.Float64("malformed", 0, "share of answers that are not JSON")
		probe      = flag.String("probe", "", "only check that a simulator listens on this address (host:port), exit 0 if so: a container health check")
	)
	flag.Parse()
	if *probe != "" {
		os.Exit(probeListening(*probe))
	}

	data := simulator.NewDataset(simulator.Config{Bots: splitList(*bots), Days: *days, PerHour: *perHour, Seed: *seed})
	srv := simulator.NewServer(data, simulator.ServerConfig{
		APIKey: *apiKey, RequestsPerSecond: *rps, RetryAfterDate: *dateRetry, Seed: *seed,
		Faults: simulator.Faults{Latency: *latency, ServerErrors: *serverErrs, Drops: *drops, Truncations: *truncs, Malformed: *malformed},
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("AgentX Export API simulator on http://%s (bots %s, %d days, ~%.0f conversations/hour per bot, api key %q)\n",
		ln.Addr(), strings.Join(data.Bots(), ", "), *days, *perHour, *apiKey)

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// probeListening answers whether the address accepts connections. The simulator
// generates its data before it listens, so a connection means it is ready: a
// health check needs nothing else in the container.
func probeListening(addr string) int {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator not ready:", err)
		return 1
	}
	_ = conn.Close()
	return 0
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
