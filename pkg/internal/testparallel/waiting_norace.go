//go:build !race

package testparallel

// waitingAtOnce: without the race detector their pages cost little CPU, so
// many of them wait side by side. Not without bound: when the pages, the
// simulators and the property tests cost more, a dozen at once on two busy
// cores slowed Redis's answers past the replicas' bound on a call. With those
// costs cut, ten at once keep pkg/plugin's tail (the waiting tests that start
// last) short and two cores busy without that slowdown.
const waitingAtOnce = 10

// quickBesideWaiting: see BesideWaiting.
const quickBesideWaiting = true

// schedules: see Scheduled.
const schedules = true
