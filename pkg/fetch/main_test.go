package fetch_test

import (
	"os"
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
)

// The parallel tests here wait on the simulator's rate limit and on leases
// other replicas hold far more than they compute.
func TestMain(m *testing.M) {
	testparallel.Waiting()
	os.Exit(m.Run())
}
