package testparallel

import (
	"flag"
	"strconv"
	"sync"
	"testing"
	"time"
)

// A binary that calls Scheduled from its TestMain lets go test start every
// parallel test at once and decides itself which of them run: go test hands
// its -parallel slots out in whatever order the paused tests wake, so a test
// that waits 10 s could start last and end the package 10 s after the rest.
// Here the tests that wait longest start first, and two kinds of test keep to
// caps of their own, so that neither takes the other's places:
//
//   - Waits and WaitsLong: a test that mostly waits (a rate limit, a lease, a
//     deadline, a slow server), schedWaiting at once;
//   - BesideWaiting and ComputesLong: a test that computes, computingAtOnce at
//     once, so that the cores stay busy without slowing the waiting tests'
//     answers past their margins.
//
// Under the race detector, or when the command line chose -parallel, the
// functions are t.Parallel (BesideWaiting as documented), as before.

type class int

const (
	waiting class = iota
	computing
)

// computingAtOnce: the property test's three seeds in one place and quick
// tests through the other keep two cores busy. With schedWaiting, as many at
// once as go test ran before (waitingAtOnce): at three and ten, a busy
// machine's alert answers missed their margins (ten waiting and three computing).
const computingAtOnce = 2

// schedWaiting is how many waiting tests a Scheduled binary runs at once.
const schedWaiting = waitingAtOnce - computingAtOnce

// unlimited is the -parallel that lets every paused test go on at once.
const unlimited = 1000

// gatherFor bounds how long the first grants wait for every registered test to
// arrive. They all wake within milliseconds of each other, but one may arrive
// early and alone: a parallel subtest of a sequential test, whose end the others
// wait for. It must not wait for them in turn.
const gatherFor = 200 * time.Millisecond

var sched *scheduler

// Scheduled sets the binary's parallel tests to run as this file says. Call it
// from TestMain before m.Run, instead of Waiting.
func Scheduled() {
	if parallelGiven() || !schedules {
		Waiting()
		return
	}
	_ = flag.Set("test.parallel", strconv.Itoa(unlimited))
	sched = newScheduler(map[class]int{waiting: schedWaiting, computing: computingAtOnce}, gatherFor)
}

// Waits runs t, a test that mostly waits, in parallel: schedWaiting at once in a
// Scheduled binary, else as go test's -parallel allows.
func Waits(t *testing.T) { start(t, waiting, false) }

// WaitsLong is Waits for a test that waits several seconds (4 or more, alone):
// the long ones start before the others, so that none of them starts last.
func WaitsLong(t *testing.T) { start(t, waiting, true) }

// ComputesLong runs t, a test that computes for seconds, in parallel, before
// the quick tests take the computing places.
func ComputesLong(t *testing.T) { start(t, computing, true) }

func start(t *testing.T, c class, long bool) {
	t.Helper()
	if sched == nil {
		t.Parallel()
		return
	}
	sched.register()
	t.Parallel()
	<-sched.arrive(c, long)
	t.Cleanup(func() { sched.release(c) })
}

// scheduler grants places to the tests that arrive, per class: the long ones
// first, then in the order they came. The first grants wait until every
// registered test has arrived (or gatherFor), so that arrival order, which is
// the order go test woke them, does not decide.
type scheduler struct {
	mu                  sync.Mutex
	free                map[class]int
	registered, arrived int
	gathered            bool
	queue               []ticket
	gather              time.Duration
}

type ticket struct {
	class class
	long  bool
	ready chan struct{}
}

// newScheduler takes caps, each class's places, as its own.
func newScheduler(caps map[class]int, gather time.Duration) *scheduler {
	return &scheduler{free: caps, gather: gather}
}

// register counts a test that will arrive: called before t.Parallel, in the
// sequential phase for a top-level test.
func (s *scheduler) register() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.registered++
}

// arrive queues a test; the channel closes when it may run.
func (s *scheduler) arrive(c class, long bool) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	tk := ticket{class: c, long: long, ready: make(chan struct{})}
	s.queue = append(s.queue, tk)
	s.arrived++
	if !s.gathered {
		if s.arrived == 1 {
			time.AfterFunc(s.gather, func() {
				s.mu.Lock()
				defer s.mu.Unlock()
				s.gathered = true
				s.grant()
			})
		}
		if s.arrived < s.registered {
			return tk.ready
		}
		s.gathered = true
	}
	s.grant()
	return tk.ready
}

// release gives a finished test's place to the next.
func (s *scheduler) release(c class) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.free[c]++
	s.grant()
}

// grant lets queued tests run while their class has places: per class, the
// first long one, else the first. The caller holds s.mu.
func (s *scheduler) grant() {
	if !s.gathered {
		return
	}
	for {
		next := -1
		for i, tk := range s.queue {
			if s.free[tk.class] == 0 {
				continue
			}
			if next < 0 || tk.long && !s.queue[next].long && tk.class == s.queue[next].class {
				next = i
			}
		}
		if next < 0 {
			return
		}
		tk := s.queue[next]
		s.queue = append(s.queue[:next], s.queue[next+1:]...)
		s.free[tk.class]--
		close(tk.ready)
	}
}
