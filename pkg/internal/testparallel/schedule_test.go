package testparallel

import (
	"testing"
	"time"
)

func granted(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestTheLongOnesStartFirstWithinTheirCap: nothing runs until every registered
// test has arrived; then each class fills its places, long tests first.
func TestTheLongOnesStartFirstWithinTheirCap(t *testing.T) {
	s := newScheduler(map[class]int{waiting: 2, computing: 1}, time.Hour)
	for range 5 {
		s.register()
	}
	short1 := s.arrive(waiting, false)
	quick := s.arrive(computing, false)
	short2 := s.arrive(waiting, false)
	long := s.arrive(waiting, true)
	if granted(short1) || granted(quick) || granted(short2) || granted(long) {
		t.Fatal("a test ran before every registered test arrived")
	}
	heavy := s.arrive(computing, true)
	if !granted(long) || !granted(short1) || granted(short2) {
		t.Fatal("the waiting places did not go to the long test, then the first to arrive")
	}
	if !granted(heavy) || granted(quick) {
		t.Fatal("the computing place did not go to the long test")
	}
	s.release(waiting)
	if !granted(short2) {
		t.Fatal("a released place was not given to the next test")
	}
	s.release(computing)
	if !granted(quick) {
		t.Fatal("a released computing place was not given to the next test")
	}
}

// TestATestThatNeverArrivesDoesNotStopTheRest: the first grants wait at most
// the gathering time.
func TestATestThatNeverArrivesDoesNotStopTheRest(t *testing.T) {
	s := newScheduler(map[class]int{waiting: 1, computing: 1}, 10*time.Millisecond)
	s.register()
	s.register()
	select {
	case <-s.arrive(waiting, false):
	case <-time.After(time.Minute):
		t.Fatal("a test waited for one that never arrived")
	}
	if !granted(s.arrive(computing, false)) {
		t.Fatal("after the gathering, an arriving test did not start at once")
	}
}
