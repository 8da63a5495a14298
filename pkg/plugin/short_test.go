package plugin

import "testing"

// endToEnd skips, under -short, a test that spends its time waiting on the
// simulator's rate limit, a slow server or a query's deadline; the full run
// (scripts/check) always runs it.
func endToEnd(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("waits on rate limits and deadlines: runs without -short")
	}
}
