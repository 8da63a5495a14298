//go:build race

package fetch_test

// waitingAtOnce is how many parallel tests run at once. Under the race detector
// every page the simulators serve and the replicas decode costs several times
// the CPU: more waiting tests at once would slow the answers enough on two
// cores to earn the reads more legs, each a partial page more than their
// request bounds allow for.
const waitingAtOnce = 4
