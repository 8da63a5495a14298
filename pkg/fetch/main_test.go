package fetch_test

import (
	"os"
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
)

// The parallel tests here wait on the simulator's rate limit and on leases
// other replicas hold far more than they compute (waitingAtOnce: how many at once).
func TestMain(m *testing.M) {
	testparallel.Default(waitingAtOnce)
	os.Exit(m.Run())
}

// endToEnd skips, under -short, a test that spends its time waiting on the
// simulator's rate limit, a lease's expiry or a deadline; the full run
// (scripts/check) always runs it.
func endToEnd(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("waits on rate limits, leases and deadlines: runs without -short")
	}
}
