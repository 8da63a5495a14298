//go:build race

package plugin

// raceMemoryFactor widens memory bounds under the race detector, whose shadow
// memory multiplies what a process holds.
const raceMemoryFactor = 4

// raceEnabled: the race detector slows single-goroutine work tenfold, so
// property tests that check arithmetic, not concurrency, sample their cases
// (scripts/check runs them whole without it).
const raceEnabled = true
