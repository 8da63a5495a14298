package fetch

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// A dashboard query need not wait for a long cold read: at Request.AnswerBy it
// answers with the time whose records have all arrived, and the read goes on
// without it, into the cache, so that the next refresh answers more. The read
// stops once nobody has asked for its time for Config.KeepReading.

// defaultKeepReading is how long a read goes on after a partial answer without
// anyone asking for its time again.
const defaultKeepReading = 3 * time.Minute

// await blocks until the flight ends or answer is done. It keeps the query
// subscribed either way: the caller leaves (leaveAll), or hands the subscription
// on to keepReading after a partial answer.
func (f *flight[T]) await(answer context.Context) error {
	select {
	case <-f.done:
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.err
	case <-answer.Done():
		return answer.Err()
	}
}

// awaitFlights waits until every flight of a query has ended or its answer is
// due, but no longer than the first failure: a query says a flight's own error
// at once, whichever of its flights it came from and however long the others
// take. failed reports such an error; otherwise err, if any, is the answer
// falling due. A wait still going on when it returns ends with answer.
func awaitFlights[T any](answer context.Context, flights []*flight[T]) (err error, failed bool) {
	ended := make(chan error, len(flights))
	for _, f := range flights {
		go func() { ended <- f.await(answer) }()
	}
	for range flights {
		e := <-ended
		if e == nil {
			continue
		}
		if answer.Err() == nil || !errors.Is(e, answer.Err()) {
			return e, true
		}
		if err == nil {
			err = e
		}
	}
	return err, false
}

// leaveAll ends the query's hold on every flight of its plan.
func leaveAll[T any](p plan[T]) {
	if p.started != nil {
		p.started.leave(p.own)
	}
	for _, j := range p.joins {
		j.f.leave(j.sub)
	}
}

// answerPartially freezes the query's records at what has arrived and returns the
// time of its window that is not complete, and a channel closed once the reading
// that goes on is over. Complete time is measured before the freeze: its records
// had all been handed to the query by then.
func answerPartially[T any](s *Source, w exportapi.Window, p plan[T], cons *consumer[T]) ([]exportapi.Window, <-chan struct{}) {
	running := map[*flight[T]]*subscriber[T]{}
	if p.started != nil {
		running[p.started] = p.own
	}
	for _, j := range p.joins {
		running[j.f] = j.sub
	}
	missing := subtractAll([]interval{{from: w.From, to: w.To}}, p.readSoFar())
	stop := make(chan struct{})
	cons.mu.Lock()
	cons.frozen = true
	cons.over = func() { close(stop) }
	cons.mu.Unlock()
	keep := s.cfg.KeepReading
	if keep <= 0 {
		keep = defaultKeepReading
	}
	var wg sync.WaitGroup
	for f, sub := range running {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keepReading(f, sub, keep, stop)
		}()
	}
	kept := make(chan struct{})
	go func() {
		wg.Wait()
		close(kept)
	}()
	out := make([]exportapi.Window, len(missing))
	for i, m := range missing {
		out[i] = exportapi.Window{From: m.from, To: m.to}
	}
	return out, kept
}

// keepReading holds a flight on behalf of a query that has answered, until the
// flight ends, nobody has asked for its time for keep, or the query's records
// passed its budget (stop).
func keepReading[T any](f *flight[T], sub *subscriber[T], keep time.Duration, stop <-chan struct{}) {
	defer f.leave(sub)
	for {
		f.mu.Lock()
		// Idle time is wall-clock time, whatever clock decides what is live.
		left := keep - time.Since(f.asked)
		f.mu.Unlock()
		if left <= 0 {
			return
		}
		t := time.NewTimer(left)
		select {
		case <-f.done:
			t.Stop()
			return
		case <-stop:
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// mergeWindows sorts and joins windows.
func mergeWindows(ws []exportapi.Window) []exportapi.Window {
	if len(ws) == 0 {
		return nil
	}
	in := make([]interval, len(ws))
	for i, w := range ws {
		in[i] = interval{from: w.From, to: w.To}
	}
	m := merge(in)
	out := make([]exportapi.Window, len(m))
	for i, iv := range m {
		out[i] = exportapi.Window{From: iv.from, To: iv.to}
	}
	return out
}
