package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeMessageVolume, answerMessageVolume)

// answerMessageVolume counts the messages sent in each bucket, grouped by their
// conversation's groups or by message type.
func answerMessageVolume(d *Datasource, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	v := frames.NewVolume(s.buckets, frames.SeriesSpec{Field: "messages", Title: "Messages"}, s.grouper, s.seeds)
	var groups []string
	b := boundGroups(ctx, v.Err)
	defer b.cancel()
	c, err := d.scanMessages(b.ctx, q, w, s.grouper, func(page []exportapi.Message, convGroups [][]string) {
		for i := range page {
			var cg []string
			if convGroups != nil {
				cg = convGroups[i]
			}
			groups = s.grouper.Message(&page[i], cg, groups)
			v.Add(page[i].Time, groups)
		}
		b.check()
	})
	return v.Frames(), c, b.err(err)
}
