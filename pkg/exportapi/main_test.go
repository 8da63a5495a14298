package exportapi

import (
	"os"
	"testing"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
)

// The parallel tests here wait on pacing and Retry-After answers, not on the
// cores: four at a time keeps the package's wall time to its longest wait.
func TestMain(m *testing.M) {
	testparallel.Default(4)
	os.Exit(m.Run())
}
