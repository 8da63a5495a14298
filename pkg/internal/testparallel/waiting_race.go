//go:build race

package testparallel

// waitingAtOnce: under the race detector every page the simulators serve and
// the replicas decode costs several times the CPU. More waiting tests at once
// would slow the answers enough on two busy cores to earn reads more legs (each
// a partial page more than their request bounds allow for) and to eat the
// plugin's answer margins.
const waitingAtOnce = 4

// quickBesideWaiting: see BesideWaiting.
const quickBesideWaiting = false

// schedules: under the race detector Scheduled leaves go test's slots as
// Waiting sets them, the schedule the race run has long passed with.
const schedules = false
