package exportapi

import (
	"os"
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
)

// The parallel tests here wait on pacing and Retry-After answers, not on the
// cores: eight at a time start every waiting test (and case) at once, so the
// package takes about its longest wait (four left the shared-limiter test to
// start after the Retry-After cases).
func TestMain(m *testing.M) {
	testparallel.Default(8)
	os.Exit(m.Run())
}
