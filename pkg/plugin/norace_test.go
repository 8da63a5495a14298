//go:build !race

package plugin

// raceMemoryFactor widens memory bounds under the race detector; without it, 1.
const raceMemoryFactor = 1

const raceEnabled = false
