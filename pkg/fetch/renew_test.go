package fetch

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// failingOnce fails the first renewal, as a Redis too slow to answer in time
// on a busy machine does, and reports when each renewal came.
type failingOnce struct {
	n     atomic.Int64
	calls chan time.Time
}

func (f *failingOnce) Claim(context.Context, string, string, time.Duration, func([]Span) []Span) ([]Span, error) {
	f.calls <- time.Now()
	if f.n.Add(1) == 1 {
		return nil, errors.New("no answer within 750ms")
	}
	return nil, nil
}

func (f *failingOnce) Release(context.Context, string, string) error { return nil }

// TestARenewalThatFailedIsTriedAgainSoon: a renewal that fails is tried again
// a poll later, not a renewal later, so that one slow answer of Redis does
// not bring the lease near its lapse (two in a row would let it lapse).
func TestARenewalThatFailedIsTriedAgainSoon(t *testing.T) {
	t.Parallel() // it only waits for the renewal timer
	f := &failingOnce{calls: make(chan time.Time, 2)}
	h := &shared{lane: "lane", token: "token", leases: f, expiry: defaultLeaseExpiry, stop: make(chan struct{}),
		held: []interval{{from: time.Unix(0, 0), to: time.Unix(3600, 0)}}}
	h.done.Add(1)
	go h.renew()
	defer func() { close(h.stop); h.done.Wait() }()
	failed := <-f.calls
	again := <-f.calls
	// pollInterval after the failure; renewEvery is the bound however slow
	// the machine, since a regular renewal would come only then.
	if gap := again.Sub(failed); gap >= h.renewEvery() {
		t.Fatalf("the renewal after a failed one came %s later", gap)
	}
}
