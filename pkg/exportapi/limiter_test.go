package exportapi

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// flakyPacer fails its first call, as a Redis that restarted or is full does,
// and lets every request go after that, as a shared limiter whose state was
// lost does.
type flakyPacer struct{ calls atomic.Int64 }

func (p *flakyPacer) Reserve(context.Context, string, float64) (time.Duration, error) {
	if p.calls.Add(1) == 1 {
		return 0, errors.New("redis is unavailable")
	}
	return 0, nil
}

// TestASharedLimiterThatCameBackDoesNotBurst: right after the shared limiter
// failed, its answers may come from lost state; the replica keeps to its own
// share (the rate ÷ replicas) meanwhile, so the two never add up to a burst.
// (Beside the real-Redis tests of pkg/fetch, which count 429s at the simulator.)
func TestASharedLimiterThatCameBackDoesNotBurst(t *testing.T) {
	pool := &LimiterPool{}
	lease := pool.Acquire("http://127.0.0.1:1", "limiter-test-key", 10)
	defer lease.Release()
	lease.Share(&flakyPacer{}, 2) // its own share: 5 a second
	start := time.Now()
	for range 3 {
		if _, err := lease.Messages.wait(context.Background(), EndpointMessages); err != nil {
			t.Fatal(err)
		}
	}
	// Three requests at 5 a second take at least two intervals, however fast
	// the machine; the bound allows the limiter's own rounding.
	if took := time.Since(start); took < 350*time.Millisecond {
		t.Fatalf("three requests right after the shared limiter failed went out within %s", took)
	}
}

// switchPacer lets requests go until it is told to fail, as a Redis that goes
// away mid-export does.
type switchPacer struct{ failing atomic.Bool }

func (p *switchPacer) Reserve(context.Context, string, float64) (time.Duration, error) {
	if p.failing.Load() {
		return 0, errors.New("redis is unavailable")
	}
	return 0, nil
}

// TestAReplicaThatFallsBackWaitsOneSharedInterval: the other replicas may have
// just sent at the shared rate when it fails, so a replica's first request at
// its own share goes one shared interval after the failure, not at once.
func TestAReplicaThatFallsBackWaitsOneSharedInterval(t *testing.T) {
	pool := &LimiterPool{}
	lease := pool.Acquire("http://127.0.0.1:1", "limiter-test-key", 2)
	defer lease.Release()
	p := &switchPacer{}
	lease.Share(p, 3) // its own share: 2/3 a second
	if _, err := lease.Messages.wait(context.Background(), EndpointMessages); err != nil {
		t.Fatal(err)
	}
	p.failing.Store(true)
	start := time.Now()
	if _, err := lease.Messages.wait(context.Background(), EndpointMessages); err != nil {
		t.Fatal(err)
	}
	// One shared interval is 500 ms; a sleep never ends early.
	if took := time.Since(start); took < 450*time.Millisecond {
		t.Fatalf("the first request at the replica's own share went out %s after the shared limiter failed", took)
	}
}

// TestTheFallbackRateIsWhatTheLimiterPacesAt: a replica that lost the shared
// limit paces at the limiter's rate (the lowest any twin asked for) ÷ replicas,
// never below one replica; what it reports is that figure, not a recomputed one.
func TestTheFallbackRateIsWhatTheLimiterPacesAt(t *testing.T) {
	pool := &LimiterPool{}
	own := pool.Acquire("http://127.0.0.1:1", "limiter-test-key", 3)
	defer own.Release()
	if got := own.FallbackRate(); got != 0 {
		t.Fatalf("a lease that shares nothing falls back to %v per second", got)
	}
	twin := pool.Acquire("http://127.0.0.1:1/", "limiter-test-key", 1.5)
	defer twin.Release()
	own.Share(&switchPacer{}, 3)
	if got := own.FallbackRate(); got != 0.5 {
		t.Fatalf("fallback %v per second, want 1.5 ÷ 3", got)
	}
	if got := float64(own.Messages.fallback.Limit()); got != own.FallbackRate() {
		t.Fatalf("the limiter paces at %v, the lease says %v", got, own.FallbackRate())
	}
	own.Share(&switchPacer{}, 0)
	if got := own.FallbackRate(); got != 1.5 {
		t.Fatalf("no replicas: fallback %v per second, want the whole 1.5", got)
	}
}
