package history

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// recorder stands in for a fetch.Source beside the plugin's test against the
// simulator: it records the windows asked for, and fails where told.
type recorder struct {
	mu      sync.Mutex
	windows map[string][]exportapi.Window
	fail    func(w exportapi.Window) bool
	bg      bool
}

func (r *recorder) note(ctx context.Context, ep string, w exportapi.Window) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.windows[ep] = append(r.windows[ep], w)
	r.bg = exportapi.PriorityOf(ctx).Background()
	if r.fail != nil && r.fail(w) {
		return errors.New("API down")
	}
	return nil
}

func (r *recorder) Conversations(ctx context.Context, req fetch.Request, _ func([]exportapi.Conversation)) (fetch.Stats, error) {
	return fetch.Stats{}, r.note(ctx, "conversations", req.Window)
}

func (r *recorder) Messages(ctx context.Context, req fetch.Request, _ func([]exportapi.Message)) (fetch.Stats, error) {
	return fetch.Stats{}, r.note(ctx, "messages", req.Window)
}

var now = time.Date(2026, 11, 30, 10, 7, 0, 0, time.UTC)

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

func TestBackfillGoesNewestFirstADayAtATime(t *testing.T) {
	r := &recorder{windows: map[string][]exportapi.Window{}}
	k := Start(Config{Reader: r, Bots: []string{"b"}, Days: 3, Live: time.Hour, Every: time.Hour, Now: func() time.Time { return now }})
	waitFor(t, func() bool {
		st := k.Status()
		return len(st) == 2 && st[0].Done() && st[1].Done()
	})
	k.Stop()
	edge := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)  // now − 1h, on a 15-minute chunk
	goal := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) // now − 3 days, on a chunk
	for _, ep := range []string{"conversations", "messages"} {
		ws := r.windows[ep]
		if len(ws) != 3 || !ws[0].To.Equal(edge) || !ws[len(ws)-1].From.Equal(goal) {
			t.Fatalf("%s windows %v", ep, ws)
		}
		for i := 1; i < len(ws); i++ {
			if !ws[i].To.Equal(ws[i-1].From) {
				t.Fatalf("%s: windows not newest first and contiguous: %v", ep, ws)
			}
		}
	}
	if !r.bg {
		t.Fatal("the reads were not background ones")
	}
	if p := k.Status()[0]; !p.CompleteFrom.Equal(goal) || p.Passes != 1 {
		t.Fatalf("progress %+v", p)
	}
}

func TestAFailedDayIsRetriedAndSaid(t *testing.T) {
	var mu sync.Mutex
	failing := true
	r := &recorder{windows: map[string][]exportapi.Window{}, fail: func(w exportapi.Window) bool {
		mu.Lock()
		defer mu.Unlock()
		return failing && w.To.Before(now.Add(-30*time.Hour)) // the second day fails
	}}
	k := Start(Config{Reader: r, Bots: []string{"b"}, Days: 3, Live: time.Hour, Every: time.Hour, Retry: 10 * time.Millisecond,
		Now: func() time.Time { return now }})
	defer k.Stop()
	waitFor(t, func() bool { return k.Status()[0].LastErr != "" })
	p := k.Status()[0]
	if p.Done() || p.CompleteFrom.IsZero() || p.LastErr != "API down" {
		t.Fatalf("progress after a failure %+v", p)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	waitFor(t, func() bool { return k.Status()[0].Done() && k.Status()[1].Done() })
}
