package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeUserMessageHistogram, answerUserMessageHistogram)

// answerUserMessageHistogram is a table of conversations per user message count.
func answerUserMessageHistogram(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	h := frames.NewHistogram()
	var counts []uint32
	c, err := scanConversationRows(d, ctx, q, w, func(batch *columnar.Conversations, recs []int32) {
		// A conversation without a count counts 0, as its record reads.
		counts = batch.UserMessages.Widen(counts)
		for _, i := range recs {
			h.Add(int64(counts[i]))
		}
	})
	return data.Frames{h.Frame()}, c, err
}
