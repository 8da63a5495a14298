package fetch

// Busy is how many flights the registry holds, for tests outside the package
// that must wait for an interrupted read to have ended.
func (fl *Flights) Busy() int {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	n := 0
	for _, ln := range fl.lanes {
		if l, ok := ln.(interface{ empty() bool }); ok && !l.empty() {
			n++
		}
	}
	return n
}
