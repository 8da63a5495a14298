package fetch_test

import (
	"sync"
	"testing"
)

// testLog hands the stores' log lines to the test. A flight may go on reading
// and saving after the test that started it has ended (KeepReading, a save
// that was under way), and a line logged to a finished test panics the whole
// binary: once the test's cleanups run, the lines are dropped instead.
type testLog struct {
	t    *testing.T
	mu   sync.Mutex
	done bool
}

// newTestLog logs to t until t's cleanups run. Call it before opening a store
// that logs: cleanups run in reverse, so the store closes, and may log, first.
func newTestLog(t *testing.T) *testLog {
	l := &testLog{t: t}
	t.Cleanup(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.done = true
	})
	return l
}

func (l *testLog) Warn(msg string, args ...any) { l.log(msg, args) }
func (l *testLog) Info(msg string, args ...any) { l.log(msg, args) }

func (l *testLog) log(msg string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Log(append([]any{msg}, args...)...)
	}
}
