package exportapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// keyWatcher is a second server that must never see the API key.
func keyWatcher(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var sawKey atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") != "" {
			sawKey.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[{"_id":"x","startTime":1763640000}],"cursor":null}`))
	}))
	t.Cleanup(hs.Close)
	return hs, &sawKey
}

func TestRedirectToAnotherOriginKeepsTheKey(t *testing.T) {
	other, sawKey := keyWatcher(t)
	// The same host on another port is another origin too.
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	c := newTestClient(t, redirector.URL)
	_, _, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: Window{testNow.Add(-time.Hour), testNow}})
	if KindOf(err) != KindRedirected {
		t.Fatalf("error %v (kind %d), want a refused redirect", err, KindOf(err))
	}
	if !strings.Contains(err.Error(), strings.TrimPrefix(other.URL, "http://")) {
		t.Fatalf("the error does not name the redirect's target: %v", err)
	}
	if n := sawKey.Load(); n != 0 {
		t.Fatalf("the other server received the API key %d times", n)
	}
}

func TestRedirectWithinTheOriginIsFollowed(t *testing.T) {
	_, simURL := startSim(t)
	mux := http.NewServeMux()
	target := httptest.NewServer(mux)
	t.Cleanup(target.Close)
	proxy := &httpProxy{to: simURL}
	mux.Handle("/new/", http.StripPrefix("/new", proxy))
	mux.HandleFunc("/conversations/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new"+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	c := newTestClient(t, target.URL)
	recs, _, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: Window{testNow.Add(-time.Hour), testNow}})
	if err != nil || len(recs) == 0 {
		t.Fatalf("a redirect on the same origin must be followed: %d records, %v", len(recs), err)
	}
}

// httpProxy forwards to the simulator, key included, as a same-origin move would.
type httpProxy struct{ to string }

func (p *httpProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, p.to+r.URL.RequestURI(), nil)
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		_, _ = w.Write(buf[:n])
		if err != nil {
			return
		}
	}
}

func TestShortKeysAreRedacted(t *testing.T) {
	for _, key := range []string{"k", "ab", "xyz"} {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("bad key " + r.Header.Get("x-api-key") + " given"))
		}))
		c := newTestClient(t, hs.URL, func(cfg *Config) { cfg.APIKey = key })
		_, _, err := collectConversations(t, c, Request{Bot: "b", Window: Window{testNow.Add(-time.Hour), testNow}})
		hs.Close()
		if err == nil || strings.Contains(err.Error(), "bad key "+key) {
			t.Fatalf("key %q reached the error: %v", key, err)
		}
	}
}

func TestOneServerOneLimiterWhateverTheURLsSpelling(t *testing.T) {
	pool := &LimiterPool{}
	spellings := []string{"http://127.0.0.1:8123", "http://LOCALHOST:8123/", "http://localhost:8123", "http://[::1]:8123", "HTTP://localhost.:8123"}
	first := pool.Acquire(spellings[0], "k", 3)
	for _, s := range spellings[1:] {
		l := pool.Acquire(s, "k", 3)
		if l.Conversations != first.Conversations {
			t.Fatalf("%s and %s got separate limiters", spellings[0], s)
		}
	}
	if Scope("https://API.converseapps.com:443/") != Scope("https://api.converseapps.com") {
		t.Fatal("the default port and case must not make another scope")
	}
	for _, other := range []string{"http://127.0.0.1:8124", "https://127.0.0.1:8123", "http://127.0.0.1:8123/prefix", "http://10.0.0.1:8123"} {
		if Scope(other) == Scope(spellings[0]) {
			t.Fatalf("%s is another server but shares a scope", other)
		}
	}
}
