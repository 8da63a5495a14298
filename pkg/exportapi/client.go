package exportapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/quote"
)

// Endpoint names, used for limiters, stats and messages.
const (
	EndpointConversations = "conversations"
	EndpointMessages      = "messages"
)

// Paths of the two endpoints under the base URL.
const (
	PathConversations = "/conversations/export/v1/conversations"
	PathMessages      = "/conversations/export/v1/messages"
)

// MaxPerPage is the largest page the API serves.
const MaxPerPage = 1000

// DefaultBaseURL is the production API.
const DefaultBaseURL = "https://api.converseapps.com"

// Defaults for the zero values of Config.
const (
	// DefaultRequestsPerSecond is the API's own limit per endpoint and key, and
	// the data source's default rate.
	DefaultRequestsPerSecond = 3
	DefaultRequestTimeout    = 30 * time.Second
	DefaultMaxPageBytes      = 64 << 20
	DefaultMaxRetries        = 4
	// maxEmptyPages bounds a run of empty pages that still carry a fresh cursor: an
	// API that never ends must not hold a panel until its deadline.
	maxEmptyPages = 50
)

// Config configures a Client. Only BaseURL and APIKey are required.
type Config struct {
	BaseURL string
	APIKey  string
	// HTTPClient sends the requests; nil means a plain client. Per-request time is
	// bounded by RequestTimeout whatever the client's own timeout.
	HTTPClient *http.Client
	// Limiters paces requests, at the rate its pool was asked for; nil means a
	// private lease at DefaultRequestsPerSecond (for tools; a plugin shares
	// DefaultLimiters, a test that wants another rate acquires its own).
	Limiters       *Lease
	RequestTimeout time.Duration
	MaxPageBytes   int64
	// MaxRetries bounds retries of 5xx answers, broken connections and broken bodies.
	MaxRetries int
	// Backoff spaces those retries; the zero value is DefaultBackoff.
	Backoff Backoff
}

// Client reads the Export API. It is safe for concurrent use.
type Client struct {
	cfg      Config
	base     *url.URL
	lease    *Lease
	ownLease bool
	active   atomic.Int64 // requests under way, their bodies not yet closed
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("the base URL %w", err)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	cfg.HTTPClient = guardRedirects(cfg.HTTPClient, base)
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.MaxPageBytes <= 0 {
		cfg.MaxPageBytes = DefaultMaxPageBytes
	}
	if cfg.Backoff == (Backoff{}) {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	} else if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	c := &Client{cfg: cfg, base: base, lease: cfg.Limiters}
	if c.lease == nil {
		c.lease = (&LimiterPool{}).Acquire(base.String(), cfg.APIKey, DefaultRequestsPerSecond)
		c.ownLease = true
	}
	return c, nil
}

// ParseBaseURL accepts http and https URLs with a host and, if any, a port from 1
// to 65535; a trailing slash is dropped. Its errors start with the URL so that the
// caller can put its own name for the setting before them.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%q must start with https:// (or http:// for a local simulator)", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not carry credentials, a query or a fragment", u.Redacted())
	}
	// url.Parse takes any digits as a port; a dial would then fail on every retry.
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q has the port %s; a port is a number from 1 to 65535", raw, p)
		}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// Idle waits until no request is under way, or ctx ends; it reports whether the
// client went idle. Connections a request returns to the pool after an owner has
// closed the idle ones would otherwise stay open until they time out.
func (c *Client) Idle(ctx context.Context) bool {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for c.active.Load() > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

// Close releases the client's limiters if it made its own.
func (c *Client) Close() {
	if c.ownLease {
		c.lease.Release()
	}
}

// Request names what to export.
type Request struct {
	Bot    string
	Window Window
	// ConversationID narrows a messages export to one conversation.
	ConversationID string
	// PerPage overrides the page size (1..1000); 0 means 1000.
	PerPage int
	// MaxPages stops after this many pages without error; 0 means follow the cursor to its end.
	MaxPages int
	// Observe, when set, is told the export's cost so far after every wait and
	// every answer, so that a read still under way can say what slows it.
	Observe func(soFar Stats)
}

// Stats tells what an export cost.
type Stats struct {
	Requests      int
	Pages         int
	RecordsRead   int64
	RecordsKept   int64
	Skipped       int64 // records without a usable id or time
	Duplicates    int64 // records a cursor handed out again
	Retries       int
	RateLimited   int // 429 answers
	RateLimitWait time.Duration

	// Of RateLimitWait (the time requests waited to be sent, on the limiters and
	// on the API's Retry-After), SharedWait is the part spent on the rate limit
	// shared with other replicas through Redis.
	SharedWait time.Duration
	// AnswerTime is the time the API took to answer, summed over requests.
	AnswerTime time.Duration
}

// Add sums two Stats.
func (s *Stats) Add(o Stats) {
	s.Requests += o.Requests
	s.Pages += o.Pages
	s.RecordsRead += o.RecordsRead
	s.RecordsKept += o.RecordsKept
	s.Skipped += o.Skipped
	s.Duplicates += o.Duplicates
	s.Retries += o.Retries
	s.RateLimited += o.RateLimited
	s.RateLimitWait += o.RateLimitWait
	s.SharedWait += o.SharedWait
	s.AnswerTime += o.AnswerTime
}

// Conversations exports the conversations that started in req.Window, calling fn
// with each page's records (never empty). fn must not keep the slice.
func (c *Client) Conversations(ctx context.Context, req Request, fn func([]Conversation) error) (Stats, error) {
	return export(ctx, c, EndpointConversations, req, decodeConversationPage,
		func(r *Conversation) (string, time.Time) { return r.ID, r.StartTime }, fn)
}

// Messages exports the messages sent in req.Window, calling fn with each page's records.
func (c *Client) Messages(ctx context.Context, req Request, fn func([]Message) error) (Stats, error) {
	return export(ctx, c, EndpointMessages, req, decodeMessagePage,
		func(r *Message) (string, time.Time) { return r.ID, r.Time }, fn)
}

// Latency is the typical time the API takes to answer one request on endpoint;
// 0 until one has been answered.
func (c *Client) Latency(endpoint string) time.Duration {
	return c.lease.For(endpoint).Latency()
}

// Rate is the requests per second the client may send to endpoint.
func (c *Client) Rate(endpoint string) float64 {
	return c.lease.For(endpoint).Rate()
}

// Describe is the first request of an export, as a person would type it (without the key).
func (c *Client) Describe(endpoint string, req Request) string {
	return "GET " + c.pageURL(endpoint, req, "")
}

func (c *Client) pageURL(endpoint string, req Request, cursor string) string {
	path := PathConversations
	if endpoint == EndpointMessages {
		path = PathMessages
	}
	perPage := req.PerPage
	if perPage <= 0 || perPage > MaxPerPage {
		perPage = MaxPerPage
	}
	q := url.Values{}
	q.Set("start_time", req.Window.startParam())
	q.Set("end_time", req.Window.endParam())
	q.Set("bot_name", req.Bot)
	q.Set("per_page", strconv.Itoa(perPage))
	if endpoint == EndpointMessages && req.ConversationID != "" {
		q.Set("conversation_id", req.ConversationID)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	return u.String()
}

func export[T any](ctx context.Context, c *Client, endpoint string, req Request,
	decode func(io.Reader) (page[T], error), key func(*T) (string, time.Time), fn func([]T) error,
) (Stats, error) {
	var st Stats
	if req.Window.Empty() {
		return st, nil
	}
	if strings.TrimSpace(req.Bot) == "" {
		return st, newError(KindBadRequest, endpoint, 0, nil, "no bot given: name one in the query or set a default bot in the data source settings")
	}
	seenCursors := map[string]struct{}{}
	seenIDs := newIDSet()
	cursor := ""
	emptyRun := 0
	for {
		p, err := fetchPage(ctx, c, endpoint, c.pageURL(endpoint, req, cursor), decode, &st, req.Observe)
		if err != nil {
			return st, err
		}
		st.Pages++
		st.RecordsRead += int64(len(p.records))
		st.Skipped += int64(p.skipped)
		kept := p.records[:0]
		for i := range p.records {
			id, t := key(&p.records[i])
			if !req.Window.Contains(t) {
				continue
			}
			if !seenIDs.add(id) {
				st.Duplicates++
				continue
			}
			kept = append(kept, p.records[i])
		}
		st.RecordsKept += int64(len(kept))
		if len(kept) > 0 {
			if err := fn(kept); err != nil {
				return st, err
			}
		}
		if p.cursor == "" || (req.MaxPages > 0 && st.Pages >= req.MaxPages) {
			return st, nil
		}
		if _, again := seenCursors[p.cursor]; again {
			return st, newError(KindCursorLoop, endpoint, 0, nil,
				"the AgentX Export API sent a cursor it had already sent on page %d of %s; the export was stopped rather than counting records twice", st.Pages, endpoint)
		}
		seenCursors[p.cursor] = struct{}{}
		if len(p.records) == 0 {
			emptyRun++
			if emptyRun >= maxEmptyPages {
				return st, newError(KindCursorLoop, endpoint, 0, nil,
					"the AgentX Export API sent %d empty pages in a row on %s, each with another cursor; the export was stopped", emptyRun, endpoint)
			}
		} else {
			emptyRun = 0
		}
		cursor = p.cursor
	}
}

// fetchPage sends one page request, waiting on the shared limiter, honouring
// Retry-After and retrying transient failures with backoff.
func fetchPage[T any](ctx context.Context, c *Client, endpoint, pageURL string,
	decode func(io.Reader) (page[T], error), st *Stats, observer func(Stats),
) (page[T], error) {
	observe := func(soFar Stats) {
		if observer != nil {
			observer(soFar)
		}
	}
	lim := c.lease.For(endpoint)
	transient := 0
	rateLimited := 0
	var firstRateLimited time.Time
	ctx, span := startSpan(ctx, "exportapi.page", endpoint)
	defer span.End()
	for {
		_, waitSpan := startSpan(ctx, "exportapi.limiter_wait", endpoint)
		waited, err := lim.wait(ctx, endpoint)
		waitSpan.End()
		limiterWait.WithLabelValues(endpoint).Observe(waited.total.Seconds())
		st.RateLimitWait += waited.total
		st.SharedWait += waited.shared
		observe(*st)
		if err != nil {
			span.RecordError(err)
			return page[T]{}, err
		}
		st.Requests++
		sent := time.Now()
		p, status, retryAfter, err := attempt(ctx, c, endpoint, pageURL, decode)
		countRequest(endpoint, status)
		st.AnswerTime += time.Since(sent)
		observe(*st)
		if err == nil {
			lim.observe(time.Since(sent))
			return p, nil
		}
		span.RecordError(err)
		var final *Error
		if errors.As(err, &final) {
			return page[T]{}, final
		}
		if ctx.Err() != nil {
			return page[T]{}, contextError(ctx, endpoint)
		}
		now := time.Now()
		if status == http.StatusTooManyRequests {
			rateLimitedTotal.WithLabelValues(endpoint).Inc()
			st.RateLimited++
			observe(*st)
			rateLimited++
			if rateLimited == 1 {
				firstRateLimited = now
			}
			until := now.Add(retryAfter)
			lim.pause(until)
			if rateLimited > maxRateLimitWaits {
				return page[T]{}, keptRefusingError(endpoint, rateLimited, now.Sub(firstRateLimited), until)
			}
			waitStart := time.Now()
			err := sleepUntil(ctx, endpoint, until, func() error { return rateLimitedError(endpoint, until, now) })
			st.RateLimitWait += time.Since(waitStart)
			observe(*st)
			if err != nil {
				return page[T]{}, err
			}
			continue
		}
		if transient >= c.cfg.MaxRetries {
			return page[T]{}, unavailable(endpoint, status, transient, err, c.cfg.APIKey)
		}
		wait := c.cfg.Backoff.wait(transient)
		transient++
		st.Retries++
		retriesTotal.WithLabelValues(endpoint).Inc()
		if err := sleepUntil(ctx, endpoint, now.Add(wait), func() error { return unavailable(endpoint, status, transient-1, err, c.cfg.APIKey) }); err != nil {
			return page[T]{}, err
		}
	}
}

// errTransient marks a failure worth another try; its text is used in the final message.
type errTransient struct{ msg string }

func (e errTransient) Error() string { return e.msg }

func unavailable(endpoint string, status, retries int, err error, secret string) *Error {
	what := redact(err.Error(), secret)
	return newError(KindUnavailable, endpoint, status, nil,
		"the AgentX Export API failed on %s (%s) and still failed after %d retries; try again later", endpoint, what, retries)
}

// attempt sends one request. It returns a *Error for failures that must not be
// retried; any other error is transient, with the status (0 for none) and, for a
// 429, how long the API asked us to wait.
func attempt[T any](ctx context.Context, c *Client, endpoint, pageURL string,
	decode func(io.Reader) (page[T], error),
) (page[T], int, time.Duration, error) {
	c.active.Add(1)
	defer c.active.Add(-1) // runs last: after the body below is closed
	reqCtx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	httpReq, err := http.NewRequestWithContext(reqCtx, http.MethodGet, pageURL, nil)
	if err != nil {
		return page[T]{}, 0, 0, newError(KindBadRequest, endpoint, 0, nil, "cannot build the request: %s", redact(err.Error(), c.cfg.APIKey))
	}
	httpReq.Header.Set("x-api-key", c.cfg.APIKey)
	httpReq.Header.Set("Accept", "application/json")
	resp, err := c.cfg.HTTPClient.Do(httpReq)
	var redirect *RedirectError
	if errors.As(err, &redirect) {
		return page[T]{}, 0, 0, newError(KindRedirected, endpoint, 0, nil,
			"the server at %s redirected the request to another server, %s; the API key is only sent to the configured base URL, so the redirect was not followed: check the base URL in the data source settings",
			redirect.From, redirect.To)
	}
	if err != nil {
		if why, lasting := lastingTransportError(err); lasting && ctx.Err() == nil {
			return page[T]{}, 0, 0, newError(KindUnavailable, endpoint, 0, nil,
				"the AgentX Export API could not be reached for %s: %s", endpoint, redact(why, c.cfg.APIKey))
		}
		return page[T]{}, 0, 0, errTransient{msg: describeTransportError(err, reqCtx, c.cfg.RequestTimeout)}
	}
	defer func() {
		// Drain a little so the connection can be reused, but never a whole huge body.
		_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
		_ = resp.Body.Close()
	}()
	switch {
	case resp.StatusCode == http.StatusOK:
		body := &limitedReader{r: resp.Body, left: c.cfg.MaxPageBytes}
		p, err := decode(body)
		if body.exceeded {
			return page[T]{}, resp.StatusCode, 0, newError(KindBadResponse, endpoint, resp.StatusCode, nil,
				"a page of %s from the AgentX Export API was larger than %d MB; the export was stopped", endpoint, c.cfg.MaxPageBytes>>20)
		}
		if err != nil {
			if ctx.Err() == nil && reqCtx.Err() != nil {
				return page[T]{}, resp.StatusCode, 0, errTransient{msg: fmt.Sprintf("no complete answer within %s", c.cfg.RequestTimeout)}
			}
			return page[T]{}, resp.StatusCode, 0, errTransient{msg: "unreadable page: " + err.Error()}
		}
		return p, resp.StatusCode, 0, nil
	case resp.StatusCode == http.StatusRequestTimeout:
		// The server gave up waiting on the request: a new one may well succeed.
		return page[T]{}, resp.StatusCode, 0, errTransient{msg: "HTTP 408"}
	case resp.StatusCode == http.StatusTooManyRequests:
		return page[T]{}, resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), errTransient{msg: "HTTP 429"}
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return page[T]{}, resp.StatusCode, 0, newError(KindKeyRejected, endpoint, resp.StatusCode, nil,
			"the AgentX Export API rejected the API key (HTTP %d); check the key (Account > API in AgentX Support, visible to site admins) and that the plan includes the Export API", resp.StatusCode)
	case resp.StatusCode == http.StatusNotFound:
		return page[T]{}, resp.StatusCode, 0, newError(KindBotNotFound, endpoint, resp.StatusCode, nil,
			"the AgentX Export API does not know the bot %s (HTTP 404); check the bot name or id", quote.Text(botOf(pageURL)))
	case resp.StatusCode >= 500:
		return page[T]{}, resp.StatusCode, 0, errTransient{msg: "HTTP " + strconv.Itoa(resp.StatusCode)}
	default:
		detail := upstreamDetail(resp.Body, c.cfg.APIKey)
		return page[T]{}, resp.StatusCode, 0, newError(KindBadRequest, endpoint, resp.StatusCode, nil,
			"the AgentX Export API refused the request for %s (HTTP %d)%s", endpoint, resp.StatusCode, detail)
	}
}

func describeTransportError(err error, reqCtx context.Context, timeout time.Duration) string {
	if errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s", timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Sprintf("no answer within %s", timeout)
	}
	return "connection failed: " + err.Error()
}

func botOf(pageURL string) string {
	u, err := url.Parse(pageURL)
	if err != nil {
		return ""
	}
	return u.Query().Get("bot_name")
}

// upstreamDetail returns a short, single-line excerpt of an error body for the message.
func upstreamDetail(r io.Reader, secret string) string {
	b, _ := io.ReadAll(io.LimitReader(r, 512))
	s := strings.Join(strings.Fields(ValidText(string(b))), " ")
	if s == "" || strings.HasPrefix(s, "<") {
		return ""
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return ": " + redact(s, secret)
}

// limitedReader fails a read once more than left bytes were asked for, so that
// an oversized page stops with a clear error instead of exhausting memory.
type limitedReader struct {
	r        io.Reader
	left     int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.exceeded = true
		return 0, errors.New("page too large")
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
