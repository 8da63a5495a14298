package diskcache

import (
	"context"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// The store lists spans, so queries stream from it.
var _ fetch.Lister = (*Store)(nil)

// Spans is Load without the records: what a query plans with, so that a range
// far larger than memory is never in memory at once (see fetch.Lister).
func (s *Store) Spans(_ context.Context, lane string, from, to, now time.Time) ([]fetch.Stored, error) {
	return s.scan(lane, from, to, now, false)
}
