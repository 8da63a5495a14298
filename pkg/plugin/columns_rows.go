package plugin

import (
	"context"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// forRuns calls fn with each run [from, to) of consecutive rows: a table rebuilds
// its records a run at a time, each text block it touches decompressed once.
func forRuns(rows []int32, fn func(from, to int)) {
	for k := 0; k < len(rows); {
		from := int(rows[k])
		to := from + 1
		for k++; k < len(rows) && int(rows[k]) == to; k++ {
			to++
		}
		fn(from, to)
	}
}

// rebuildFailure keeps the first error of rebuilding a batch's records (a text
// block that does not decompress): the table would miss rows, so the query fails.
type rebuildFailure struct{ err error }

func (f *rebuildFailure) failed(err error) bool {
	if err != nil && f.err == nil {
		f.err = err
	}
	return f.err != nil
}

func (f *rebuildFailure) or(readErr error) error {
	if f.err != nil {
		return f.err
	}
	return readErr
}

// scanMessageRecords calls add with each batch's messages whose conversation
// passes the query's filters, rebuilt as records in a buffer the next call
// reuses (the tables copy what they keep).
func scanMessageRecords(d reader, ctx context.Context, q *query.Query, w exportapi.Window, add func([]exportapi.Message)) (fetch.Stats, error) {
	var recs []exportapi.Message
	var rebuild rebuildFailure
	c, err := scanMessageRows(d, ctx, q, w, selection.Grouper{}, func(b *columnar.Messages, rows []int32, _ *columnJoin) {
		recs = recs[:0]
		var err error
		forRuns(rows, func(from, to int) {
			if err == nil {
				recs, err = b.AppendRecords(recs, from, to)
			}
		})
		if rebuild.failed(err) {
			return
		}
		add(recs)
	})
	return c, rebuild.or(err)
}
