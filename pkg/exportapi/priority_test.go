package exportapi

import (
	"context"
	"testing"
	"time"
)

// TestBackgroundYieldsToInteractive holds an interactive request waiting and
// checks that no background request goes meanwhile, and that the background one
// goes once the interactive request has had its turn.
func TestBackgroundYieldsToInteractive(t *testing.T) {
	t.Parallel() // waits on pacing or Retry-After, not on the cores
	pool := &LimiterPool{}
	lease := pool.Acquire("http://api.test", "key-123456", 1000)
	defer lease.Release()
	lease.SetBackgroundShare(0.5)
	lim := lease.Conversations
	bg := WithPriority(t.Context(), NewBackground())

	done := lim.interactiveWaits() // an interactive request waits for its turn
	went := make(chan error, 1)
	go func() {
		_, err := lim.wait(bg, EndpointConversations)
		went <- err
	}()
	select {
	case err := <-went:
		t.Fatalf("a background request went while an interactive one waited (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	done()
	if err := <-went; err != nil {
		t.Fatal(err)
	}
	if tr := lim.Traffic(); tr.Background != 1 || tr.Interactive != 0 {
		t.Fatalf("traffic %+v", tr)
	}
	if _, err := lim.wait(t.Context(), EndpointConversations); err != nil {
		t.Fatal(err)
	}
	if tr := lim.Traffic(); tr.Interactive != 1 {
		t.Fatalf("traffic %+v", tr)
	}
}

// TestBackgroundKeepsToItsShare sends background requests back to back: they go
// at the share of the rate, never faster (a busy machine only makes them slower).
func TestBackgroundKeepsToItsShare(t *testing.T) {
	t.Parallel() // waits on pacing or Retry-After, not on the cores
	pool := &LimiterPool{}
	lease := pool.Acquire("http://api.test", "key-123456", 40)
	defer lease.Release()
	lease.SetBackgroundShare(0.25) // 10 per second
	bg := WithPriority(t.Context(), NewBackground())
	start := time.Now()
	for range 11 {
		if _, err := lease.Messages.wait(bg, EndpointMessages); err != nil {
			t.Fatal(err)
		}
	}
	// 11 requests at 10 per second with a burst of 1 take at least a second.
	if took := time.Since(start); took < 950*time.Millisecond {
		t.Fatalf("11 background requests went in %s, faster than their share", took)
	}
}

// TestARaisedPriorityIsInteractive checks that a background read raised by an
// interactive query no longer yields.
func TestARaisedPriorityIsInteractive(t *testing.T) {
	p := NewBackground()
	if !PriorityOf(WithPriority(context.Background(), p)).Background() {
		t.Fatal("not background")
	}
	p.Raise()
	if PriorityOf(WithPriority(context.Background(), p)).Background() || PriorityOf(context.Background()).Background() {
		t.Fatal("still background")
	}
}
