//go:build race

package plugin

// raceMemoryFactor widens memory bounds under the race detector, whose shadow
// memory multiplies what a process holds.
const raceMemoryFactor = 4
