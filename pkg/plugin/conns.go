package plugin

import (
	"context"
	"errors"
	"net"
	"sync"
)

// connTracker remembers every connection a data source's HTTP client opens, so
// Dispose can close them all. Closing the idle ones is not enough: Go's transport
// finishes a dial whose request was cancelled and pools the connection afterwards.
type connTracker struct {
	mu     sync.Mutex
	conns  map[*trackedConn]struct{}
	closed bool
}

type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

var errDisposed = errors.New("the data source was reconfigured or deleted while this export ran; reload the panel")

func newConnTracker() *connTracker {
	return &connTracker{conns: map[*trackedConn]struct{}{}}
}

// wrap returns a dial function that tracks the connections next opens.
func (ct *connTracker) wrap(next dialFunc) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		ct.mu.Lock()
		defer ct.mu.Unlock()
		if ct.closed {
			_ = c.Close()
			return nil, errDisposed
		}
		tc := &trackedConn{Conn: c, ct: ct}
		ct.conns[tc] = struct{}{}
		return tc, nil
	}
}

// closeAll closes every tracked connection and refuses new ones.
func (ct *connTracker) closeAll() {
	ct.mu.Lock()
	ct.closed = true
	conns := ct.conns
	ct.conns = map[*trackedConn]struct{}{}
	ct.mu.Unlock()
	for c := range conns {
		_ = c.Conn.Close()
	}
}

type trackedConn struct {
	net.Conn
	ct   *connTracker
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.ct.mu.Lock()
		delete(c.ct.conns, c)
		c.ct.mu.Unlock()
	})
	return c.Conn.Close()
}
