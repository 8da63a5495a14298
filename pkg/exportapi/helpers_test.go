package exportapi

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

const testKey = "test-key-5f1e9c"

// testNow is the simulator's clock in these tests: a fixed instant off the hour.
var testNow = time.Date(2026, 11, 20, 12, 34, 56, 789_000_000, time.UTC)

type simOption func(*simulator.Config, *simulator.ServerConfig)

func startSim(t testing.TB, opts ...simOption) (*simulator.Server, string) {
	t.Helper()
	cfg := simulator.Config{Bots: []string{"r3-218210", "acme-support"}, Days: 4, PerHour: 40, Seed: 7, Now: func() time.Time { return testNow }}
	scfg := simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1, Seed: 3}
	for _, o := range opts {
		o(&cfg, &scfg)
	}
	srv := simulator.NewServer(simulator.NewDataset(cfg), scfg)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

func withFaults(f simulator.Faults) simOption {
	return func(_ *simulator.Config, s *simulator.ServerConfig) { s.Faults = f }
}

func withServerRate(rps float64) simOption {
	return func(_ *simulator.Config, s *simulator.ServerConfig) { s.RequestsPerSecond = rps }
}

func newTestClient(t testing.TB, baseURL string, mod ...func(*Config)) *Client {
	t.Helper()
	// Retries wait milliseconds: what is tested is that they happen, not how long they wait.
	cfg := Config{BaseURL: baseURL, APIKey: testKey, Limiters: pacedAt(baseURL, 1000), RequestTimeout: 5 * time.Second, Backoff: fastBackoff}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// pacedAt is a private lease at rps, as a client that is not the plugin's gets one.
func pacedAt(baseURL string, rps float64) *Lease {
	return (&LimiterPool{}).Acquire(baseURL, testKey, rps)
}

var fastBackoff = Backoff{Base: time.Millisecond, Cap: 5 * time.Millisecond}

func collectConversations(t testing.TB, c *Client, req Request) ([]Conversation, Stats, error) {
	t.Helper()
	var out []Conversation
	st, err := c.Conversations(t.Context(), req, func(p []Conversation) error {
		out = append(out, p...)
		return nil
	})
	return out, st, err
}

func collectMessages(t testing.TB, c *Client, req Request) ([]Message, Stats, error) {
	t.Helper()
	var out []Message
	st, err := c.Messages(t.Context(), req, func(p []Message) error {
		out = append(out, p...)
		return nil
	})
	return out, st, err
}
