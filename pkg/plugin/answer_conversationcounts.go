package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

var _ = answers(query.TypeConversationCounts, answerConversationCounts)

// answerConversationCounts is a table of conversations per group.
func answerConversationCounts(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	g := selection.NewGrouper(q)
	counts := frames.NewCounts(g, g.Seeds(&q.Filters))
	// A batch counts into slots, added to the table once at its end.
	var names []string
	var n []int64
	cg := newConvGrouping(g, newSlots(func(group string) bool {
		if !counts.AddGroup(group, 0) {
			return false
		}
		names, n = append(names, group), append(n, 0)
		return true
	}))
	b := boundGroups(ctx, counts.Err)
	defer b.cancel()
	c, err := scanConversationRows(d, b.ctx, q, w, func(batch *columnar.Conversations, recs []int32) {
		cg.batch(batch)
		counts.AddTotal(int64(len(recs)))
		if cg.single() {
			for _, i := range recs {
				if slot := cg.one(int(i)); slot >= 0 {
					n[slot]++
				}
			}
		} else {
			for _, i := range recs {
				for _, slot := range cg.of(int(i)) {
					n[slot]++
				}
			}
		}
		for slot, k := range n {
			if k > 0 {
				counts.AddGroup(names[slot], k)
				n[slot] = 0
			}
		}
		b.check()
	})
	return data.Frames{counts.Frame(q.Limit)}, c, b.err(err)
}
