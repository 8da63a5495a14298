package plugin

import (
	"context"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

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
		var err error
		recs, err = b.AppendRows(recs[:0], rows)
		if rebuild.failed(err) {
			return
		}
		add(recs)
	})
	return c, rebuild.or(err)
}
