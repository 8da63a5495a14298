package exportapi

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestOnlyWhatCanChangeIsRetried sends one export to hostile servers that count
// what reaches them: an answer that will be the same next time (a 4xx other than
// 408 and 429, an untrusted certificate, a server that does not speak TLS) is sent
// once and reported; a 408 is retried and the export completes.
func TestOnlyWhatCanChangeIsRetried(t *testing.T) {
	const retries = 3
	w := Window{From: testNow.Add(-2 * time.Hour), To: testNow}
	_, simURL := startSim(t)
	target, err := url.Parse(simURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)

	cases := []struct {
		name     string
		tls      bool
		scheme   string // to reach the server with, when not its own
		handler  func(n int64, w http.ResponseWriter, r *http.Request)
		want     int64 // connections (or requests, with a handler) the server saw
		kind     Kind  // 0: the export completes
		mentions string
	}{
		{name: "400", want: 1, kind: KindBadRequest, mentions: "HTTP 400",
			handler: func(_ int64, w http.ResponseWriter, _ *http.Request) {
				http.Error(w, `{"message":"bad bot_name"}`, http.StatusBadRequest)
			}},
		{name: "422", want: 1, kind: KindBadRequest, mentions: "HTTP 422",
			handler: func(_ int64, w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "no", http.StatusUnprocessableEntity)
			}},
		{name: "408 then an answer", want: 2,
			handler: func(n int64, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					http.Error(w, "request timeout", http.StatusRequestTimeout)
					return
				}
				proxy.ServeHTTP(w, r)
			}},
		{name: "untrusted certificate", tls: true, want: 1, kind: KindUnavailable, mentions: "certificate is not trusted"},
		{name: "https to a plain server", scheme: "https", want: 1, kind: KindUnavailable, mentions: "does not answer in TLS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var requests, conns atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := requests.Add(1)
				if tc.handler != nil {
					tc.handler(n, w, r)
				}
			}))
			// A server whose handshake fails sees connections, never requests.
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			if tc.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			t.Cleanup(srv.Close)
			base := srv.URL
			if tc.scheme != "" {
				base = tc.scheme + "://" + strings.SplitN(srv.URL, "://", 2)[1]
			}
			c := newTestClient(t, base, func(c *Config) { c.MaxRetries = retries })
			_, _, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: w, PerPage: 1000})
			seen := requests.Load()
			if tc.handler == nil {
				seen = conns.Load()
			}
			if seen != tc.want {
				t.Errorf("the server saw %d requests or connections, want %d (err %v)", seen, tc.want, err)
			}
			switch {
			case tc.kind == 0 && err != nil:
				t.Fatalf("the export failed: %v", err)
			case tc.kind != 0 && (KindOf(err) != tc.kind || !strings.Contains(err.Error(), tc.mentions)):
				t.Fatalf("got kind %d %v, want kind %d mentioning %q", KindOf(err), err, tc.kind, tc.mentions)
			case tc.kind != 0 && strings.Contains(err.Error(), "retries"):
				t.Fatalf("%q speaks of retries that were not made", err)
			}
		})
	}
}

// TestAHostThatDoesNotExistIsNotRetried: the resolver's "no such host" is an
// answer, not a hiccup. The dialer stands in for a resolver that knows the name is
// not registered, which a test machine cannot be relied on to reach.
func TestAHostThatDoesNotExistIsNotRetried(t *testing.T) {
	var dials atomic.Int64
	client := &http.Client{Transport: &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		dials.Add(1)
		return nil, &net.DNSError{Err: "no such host", Name: "api.example.invalid", IsNotFound: true}
	}}}
	c := newTestClient(t, "https://api.example.invalid", func(c *Config) { c.MaxRetries = 3; c.HTTPClient = client })
	_, _, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: Window{From: testNow.Add(-time.Hour), To: testNow}})
	if dials.Load() != 1 || KindOf(err) != KindUnavailable || !strings.Contains(err.Error(), "api.example.invalid does not exist") {
		t.Fatalf("%d dials, %v; want 1 dial and a message that the host does not exist", dials.Load(), err)
	}
}
