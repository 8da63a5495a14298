// Package sharedcache lets the replicas of an HA Grafana share what they read
// through Redis: one rate limit per endpoint and key, the segments of settled
// time (and, for a few seconds, of live time), and leases that stop two
// replicas from exporting the same time at once. Redis trouble is never a
// query's failure: every call fails fast while Redis is away, the caller falls
// back to what it has in the process, and the next call after a pause tries
// Redis again.
package sharedcache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// opTimeout bounds one Redis call (OpenWithin sets another): a slow Redis must
// not hold a query up longer than this before the query goes on without it.
const opTimeout = 750 * time.Millisecond

// retryAfterFailure is how long calls fail fast after Redis failed, before one
// tries again.
const retryAfterFailure = 2 * time.Second

// keyPrefix starts every key the plugin writes, so an operator can find them.
const keyPrefix = "agentx-export:"

// Logger is what the package needs of a logger.
type Logger interface {
	Warn(msg string, args ...any)
	Info(msg string, args ...any)
}

// Shared is one connection to Redis, with its state.
type Shared struct {
	rdb    *redis.Client
	addr   string // host:port, for messages; never the password
	logger Logger
	// process names this client in leases (see newName).
	process string
	// opTimeout bounds one call.
	opTimeout time.Duration

	mu            sync.Mutex
	downTill      time.Time
	problem       string
	since         time.Time
	ops, failures int64
	claiming      map[string]*sync.Mutex // per lane; lanes are few per process
	// noFlags is set once Redis proved older than 7.0 (roomless.go).
	noFlags atomic.Bool
}

// ErrUnavailable is returned, wrapped, by every call while Redis cannot be used.
var ErrUnavailable = errors.New("redis is unavailable")

// quiet drops go-redis's own log lines: every failure reaches the caller, which
// logs it once per outage with the plugin's logger.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quiet{}) }

// Open prepares a client for a URL the settings have checked; it does not dial, so a Redis that
// is down at start is found, and recovered from, on use.
func Open(rawURL, password string, logger Logger) (*Shared, error) {
	return OpenWithin(rawURL, password, logger, opTimeout)
}

// OpenWithin is Open with another bound on one Redis call. Tests that check
// what replicas share through a healthy Redis give it a generous one: on a busy
// machine an answer slower than the default is taken for an outage.
func OpenWithin(rawURL, password string, logger Logger, perCall time.Duration) (*Shared, error) {
	opts, err := redis.ParseURL(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, fmt.Errorf("redisUrl cannot be read: %s", scrub(err.Error(), password))
	}
	if password != "" {
		opts.Password = password
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = perCall, perCall, perCall
	opts.MaxRetries = 0 // a failed call falls back at once; the next one tries again
	opts.PoolSize = 16
	opts.ContextTimeoutEnabled = true
	return &Shared{rdb: redis.NewClient(opts), addr: opts.Addr, logger: logger, process: newName(), opTimeout: perCall}, nil
}

// Close closes the connections.
func (s *Shared) Close() error { return s.rdb.Close() }

// Status is the connection's state for the health check.
type Status struct {
	Addr    string
	Healthy bool
	Problem string
	Since   time.Time
}

// Describe says where Redis is and how it fares.
func (st Status) Describe() string {
	if st.Healthy {
		return "at " + st.Addr + ", working"
	}
	return fmt.Sprintf("at %s, unavailable since %s", st.Addr, st.Since.UTC().Format(time.RFC3339))
}

// Status returns the connection's state.
func (s *Shared) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Status{Addr: s.addr, Healthy: s.problem == "", Problem: s.problem, Since: s.since}
}

// Ping checks Redis now, whatever its state, for the health check.
func (s *Shared) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opTimeout)
	defer cancel()
	err := s.rdb.Ping(ctx).Err()
	s.record(err)
	return s.wrap(err)
}

// do runs one call against Redis unless Redis failed a moment ago.
func (s *Shared) do(ctx context.Context, o op, call func(ctx context.Context) error) error {
	return s.doWithin(ctx, s.opTimeout, o, call)
}

// doWithin is do with a time limit of its own, for calls of several round
// trips. A call that fails for a reason repair can fix runs once more; only
// an outage pauses Redis (trouble.go).
func (s *Shared) doWithin(ctx context.Context, limit time.Duration, o op, call func(ctx context.Context) error) error {
	s.mu.Lock()
	if time.Now().Before(s.downTill) {
		p := s.problem
		s.mu.Unlock()
		return fmt.Errorf("%w (%s)", ErrUnavailable, p)
	}
	s.mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	err := call(cctx)
	for try := 0; try < maxRepairs && err != nil && !errors.Is(err, redis.Nil) && s.repair(cctx, o, err); try++ {
		err = call(cctx)
	}
	if errors.Is(err, redis.Nil) {
		err = nil
	}
	switch {
	case outage(ctx, o, err):
		s.record(err)
	case ctx.Err() == nil:
		s.record(nil) // Redis answered
	}
	return s.wrap(err)
}

func (s *Shared) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w at %s (%s)", ErrUnavailable, s.addr, describe(err, s.opTimeout))
}

// record notes a call's outcome: the first failure starts a pause, the first
// success after failures ends the degraded state.
func (s *Shared) record(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ops++
	if err == nil || errors.Is(err, redis.TxFailedErr) {
		if s.problem != "" {
			s.logger.Info("Redis is back: the replicas share their cache and rate limit again", "redis", s.addr)
		}
		s.problem, s.downTill = "", time.Time{}
		return
	}
	s.failures++
	if s.problem == "" {
		s.since = time.Now()
		s.logger.Warn("Redis is unavailable: this replica uses its own cache and a share of the rate limit until it is back",
			"redis", s.addr, "error", describe(err, s.opTimeout))
	}
	s.problem = describe(err, s.opTimeout)
	s.downTill = time.Now().Add(retryAfterFailure)
}

// describe turns a client error into words without the password (go-redis
// never puts it in errors, but a URL could).
func describe(err error, limit time.Duration) string {
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer within " + limit.String()
	case strings.Contains(msg, "NOAUTH"), strings.Contains(msg, "WRONGPASS"):
		return "Redis refused the password"
	}
	return msg
}

func scrub(msg, secret string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, "[redacted]")
}

// newName names a client in leases. The reads of one data source never wait on
// each other's leases, since they share their exports in memory; every other
// client, in this process or another replica, is another holder.
func newName() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
