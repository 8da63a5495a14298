// Package testparallel is for test binaries whose parallel tests mostly wait (on
// a rate limit, a deadline, a lease another replica holds) rather than compute:
// how many of them run at once, and how -short skips them.
package testparallel

import (
	"flag"
	"strconv"
	"sync"
	"testing"
)

// Default makes n the number of parallel tests run at once unless the command
// line chose one (-parallel). Call it from TestMain before m.Run. go test's
// default, one per core, leaves the cores idle while waiting tests wait.
func Default(n int) {
	if !parallelGiven() {
		_ = flag.Set("test.parallel", strconv.Itoa(n))
	}
}

// parallelGiven reports whether the command line chose -parallel, which wins
// over what this package would set.
func parallelGiven() bool {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	return given
}

// Waiting sets how many parallel tests run at once in a binary whose waiting
// tests also serve and decode pages (simulators, replicas, a plugin server):
// waitingAtOnce, fewer under the race detector. Call it from TestMain.
func Waiting() { Default(waitingAtOnce) }

// SkipUnderShort skips, under -short, a test that spends its time waiting on a
// rate limit, a lease's expiry, a slow server or a deadline; the full run
// (scripts/check) always runs it.
func SkipUnderShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("waits on rate limits, leases or deadlines: runs without -short")
	}
}

// BesideWaiting runs t, a quick test, beside the tests that wait (t.Parallel;
// in a Scheduled binary, computingAtOnce at once), so that it does not lengthen
// the sequential phase they wait behind; under the race detector it runs in
// that phase, on its own. There its CPU, on two cores beside four waiting
// tests, once kept a replica's Redis call from an answer within its 5 s bound.
func BesideWaiting(t *testing.T) {
	t.Helper()
	switch {
	case sched != nil:
		start(t, computing, false)
	case quickBesideWaiting:
		t.Parallel()
	}
}

// Together runs a test's subtests at once inside the test's own slot. Parallel
// subtests would each wait for a slot of their own: a waiting test's cases
// would then queue behind the other tests and its last case start late, and a
// computing test's cases would take the slots the waiting tests need.
type Together struct {
	t  *testing.T
	wg sync.WaitGroup
}

// RunTogether starts t's subtests on a Together; call Wait (deferred) before t returns.
func RunTogether(t *testing.T) *Together { return &Together{t: t} }

// Run starts the subtest name, as t.Run would, beside the others.
func (g *Together) Run(name string, fn func(t *testing.T)) {
	g.wg.Go(func() { g.t.Run(name, fn) })
}

// Wait returns once every subtest has ended.
func (g *Together) Wait() { g.wg.Wait() }
