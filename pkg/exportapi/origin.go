package exportapi

import (
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The API key is sent only to the configured scheme, host and port: Go's client
// forwards custom headers such as x-api-key through redirects (it strips only
// Authorization and cookies), so redirects are followed within that origin only.

// maxRedirects bounds redirects within the origin.
const maxRedirects = 5

// RedirectError is a redirect the client refused to follow because it led to
// another origin, where the key must not go.
type RedirectError struct {
	From, To string // origins, scheme://host:port
}

func (e *RedirectError) Error() string {
	return "redirect to " + e.To + " refused"
}

// guardRedirects returns a copy of hc that follows redirects only within base's origin.
func guardRedirects(hc *http.Client, base *url.URL) *http.Client {
	guarded := *hc
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if hostPort(req.URL) != hostPort(base) {
			return &RedirectError{From: hostPort(base), To: hostPort(req.URL)}
		}
		if len(via) >= maxRedirects {
			return http.ErrUseLastResponse
		}
		return nil
	}
	return &guarded
}

// hostPort is scheme://host:port in canonical form: lower case, the default port written out.
func hostPort(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// Scope names one API server for the limiters and caches that must be shared by
// everything reaching it: the canonical origin and path, with every name of the
// loopback interface (localhost, 127.0.0.0/8, ::1) counted as one host, so that
// http://LOCALHOST:8080/ and http://127.0.0.1:8080 share one rate limit.
func Scope(baseURL string) string {
	u, err := ParseBaseURL(baseURL)
	if err != nil {
		return baseURL
	}
	c := *u
	if isLoopback(c.Hostname()) {
		port := c.Port()
		c.Host = "loopback"
		if port != "" {
			c.Host += ":" + port
		}
	}
	origin := hostPort(&c)
	return origin + strings.TrimRight(c.EscapedPath(), "/")
}

func isLoopback(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
