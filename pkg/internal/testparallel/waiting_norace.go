//go:build !race

package testparallel

// waitingAtOnce: without the race detector their pages cost little CPU, so
// more of them wait side by side. Not all of them: a dozen at once on two busy
// cores slowed Redis's answers past the replicas' bound on a call, and the
// Redis-trouble tests then read time twice.
const waitingAtOnce = 6
