package fetch

import (
	"context"
	"sync"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Flights is the registry of exports under way, process-wide: a query that needs a
// window another query is already reading subscribes to that export instead of
// starting its own. It also remembers how many records per hour each bot's
// endpoints hold, to decide how many parallel streams are worth their partial pages.
type Flights struct {
	mu      sync.Mutex
	m       map[string]any // key → *flight[T]
	density map[string]float64
}

// NewFlights returns an empty registry.
func NewFlights() *Flights {
	return &Flights{m: map[string]any{}, density: map[string]float64{}}
}

// flight is one export under way. Pages go to every subscriber as they arrive, so
// it is joinable only until its first page: a later subscriber would miss records.
type flight[T any] struct {
	done   chan struct{}
	cancel context.CancelFunc
	retain *retainer[T]
	launch func() // starts the export; called once the first subscriber is in

	mu        sync.Mutex
	subs      map[*subscriber[T]]struct{}
	delivered bool
	canceled  bool
	calls     []string // the first request of each leg
	stats     exportapi.Stats
	err       error
}

func (f *flight[T]) addCall(call string) {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
}

// subscriber is one query's hold on a flight. Its callback runs on the flight's
// goroutine; it is never called again once the subscriber has left.
type subscriber[T any] struct {
	mu     sync.Mutex
	fn     func([]T)
	closed bool
}

func (s *subscriber[T]) deliver(page []T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.fn(page)
	}
}

func (s *subscriber[T]) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// join subscribes sub to the flight under key, starting it with start when no
// joinable flight exists. shared reports whether another query started it.
func join[T any](fl *Flights, key string, sub *subscriber[T], start func() *flight[T]) (f *flight[T], shared bool) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if existing, ok := fl.m[key].(*flight[T]); ok {
		existing.mu.Lock()
		joinable := !existing.delivered && !existing.canceled
		if joinable {
			existing.subs[sub] = struct{}{}
		}
		existing.mu.Unlock()
		if joinable {
			return existing, true
		}
	}
	f = start()
	f.subs[sub] = struct{}{}
	fl.m[key] = f
	go f.launch()
	return f, false
}

// forget removes a finished flight from the registry (unless a newer one took its key).
func (fl *Flights) forget(key string, f any) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.m[key] == f {
		delete(fl.m, key)
	}
}

func (f *flight[T]) deliver(page []T) {
	if len(page) == 0 {
		return
	}
	f.mu.Lock()
	f.delivered = true
	subs := make([]*subscriber[T], 0, len(f.subs))
	for s := range f.subs {
		subs = append(subs, s)
	}
	f.mu.Unlock()
	if f.retain != nil {
		f.retain.add(page)
	}
	for _, s := range subs {
		s.deliver(page)
	}
}

// leave unsubscribes; the last subscriber to leave cancels the export, so a closed
// panel stops its export but never one another panel still waits for.
func (f *flight[T]) leave(sub *subscriber[T]) {
	sub.close()
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs, sub)
	if len(f.subs) == 0 && !f.canceled {
		f.canceled = true
		f.cancel()
	}
}

// wait blocks until the flight ends or ctx is done, and returns what it cost and
// the calls it made.
func (f *flight[T]) wait(ctx context.Context, sub *subscriber[T]) (exportapi.Stats, []string, error) {
	select {
	case <-f.done:
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.stats, f.calls, f.err
	case <-ctx.Done():
		f.leave(sub)
		f.mu.Lock()
		defer f.mu.Unlock()
		return exportapi.Stats{}, append([]string(nil), f.calls...), ctx.Err()
	}
}

func (fl *Flights) rememberDensity(key string, perHour float64) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if old, ok := fl.density[key]; ok {
		perHour = (old + perHour) / 2
	}
	fl.density[key] = perHour
}

func (fl *Flights) knownDensity(key string) (float64, bool) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	d, ok := fl.density[key]
	return d, ok
}
