package plugin

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// TestTenThousandQueriesAnswerBeforeTheDeadline sends one request of 10,000 small
// queries over gRPC with a deadline of a few seconds, as a provisioned dashboard
// gone wrong might: the call must not end in a bare deadline error; every query
// answers, with its frames or with the plugin's own message (the queries past
// the request's bound say so at once).
func TestTenThousandQueriesAnswerBeforeTheDeadline(t *testing.T) {
	// Sequential: its deadline is on the CPU of 10,000 answers, which the tests
	// beside it would take (at twelve at once it missed the deadline).
	_, url := startSim(t, simulator.Faults{Latency: 50 * time.Millisecond})
	is := instanceSettings(url, nil, testKey)
	is.UID = "ten-thousand"
	const n = 10_000
	queries := make([]backend.DataQuery, n)
	for i := range queries {
		queries[i] = dataQuery(fmt.Sprintf("q%d", i), "conversationVolume", testNow.Add(-time.Hour), testNow, map[string]any{"bucket": "5m"})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	resp, err := overGRPC(t, is).query(ctx, queries...)
	t.Logf("answered in %s", time.Since(start))
	if err != nil {
		t.Fatalf("the call failed instead of answering: %v", err)
	}
	answered, failed := 0, map[string]int{}
	for _, q := range queries {
		r, ok := resp.Responses[q.RefID]
		switch {
		case !ok:
		case r.Error != nil:
			if strings.Contains(r.Error.Error(), "context deadline exceeded") {
				t.Fatalf("%s: a bare deadline error: %v", q.RefID, r.Error)
			}
			failed[r.Error.Error()]++
			answered++
		default:
			answered++
		}
	}
	t.Logf("%d answered, errors %v", answered, failed)
	if answered != n {
		t.Fatalf("%d of %d queries answered", answered, n)
	}
	if failed["this request holds 10000 queries; the data source answers at most 100 in one request: split them over several panels or alert rules"] != n-100 {
		t.Fatalf("the queries past the bound were not told why: %v", failed)
	}
}
