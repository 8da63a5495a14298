package plugin

import (
	"context"
	"fmt"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// run answers one checked query: it decides what to read, streams the pages into
// the query type's aggregator and annotates the frames with the cost.
func (d *Datasource) run(ctx context.Context, q *query.Query, w exportapi.Window) backend.DataResponse {
	var out data.Frames
	var c fetch.Stats
	var err error
	if q.TimeSeries() {
		out, c, err = d.timeSeries(ctx, q, w)
	} else {
		out, c, err = d.table(ctx, q, w)
	}
	if err != nil {
		return errorResponse(err)
	}
	if d.shared != nil {
		if st := d.shared.Status(); !st.Healthy {
			c.Warnings = append(c.Warnings, fmt.Sprintf("Redis %s (%s): this Grafana used its own cache and paced its requests at %.3g per second, its share of the limit, until Redis is back",
				st.Describe(), st.Problem, d.settings.RequestsPerSecond/float64(d.settings.ExpectedReplicas)))
		}
	}
	for _, f := range out {
		annotate(f, c)
		if q.Type == query.TypeConversations || q.Type == query.TypeMessages {
			d.linkTranscripts(f, q.Bot)
		}
	}
	return backend.DataResponse{Frames: out}
}

func (d *Datasource) timeSeries(ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	size, err := q.BucketSize(w.From, w.To)
	if err != nil {
		return nil, fetch.Stats{}, badQuery(err)
	}
	b := frames.NewBuckets(w.From, w.To, size)
	g := frames.NewGrouper(q)
	seeds := g.Seeds(&q.Filters)
	var groups []string
	switch q.Type {
	case query.TypeMessageVolume:
		v := frames.NewVolume(b, frames.SeriesSpec{Field: "messages", Title: "Messages"}, g, seeds)
		c, err := d.scanMessages(ctx, q, w, g, func(page []exportapi.Message, convGroups [][]string) {
			for i := range page {
				var cg []string
				if convGroups != nil {
					cg = convGroups[i]
				}
				groups = g.Message(&page[i], cg, groups)
				v.Add(page[i].Time, groups)
			}
		})
		return v.Frames(), c, err
	case query.TypeTagRate:
		r := frames.NewRate(b, frames.SeriesSpec{Field: "percent", Title: q.Tag + " rate", Unit: "percent"}, g, seeds)
		c, err := d.scanConversations(ctx, q, w, func(page []exportapi.Conversation) {
			for i := range page {
				groups = g.Conversation(&page[i], groups)
				r.Add(page[i].StartTime, groups, slices.Contains(page[i].Tags, q.Tag))
			}
		})
		return r.Frames(), c, err
	case query.TypeUserMessages:
		s := frames.NewUserMessageStat(b, frames.SeriesSpec{Field: q.Stat, Title: "User messages per conversation (" + q.Stat + ")"}, g, q.Stat, seeds)
		c, err := d.scanConversations(ctx, q, w, func(page []exportapi.Conversation) {
			for i := range page {
				groups = g.Conversation(&page[i], groups)
				s.Add(page[i].StartTime, groups, page[i].UserMessageCount)
			}
		})
		return s.Frames(), c, err
	default:
		v := frames.NewVolume(b, frames.SeriesSpec{Field: "conversations", Title: "Conversations started"}, g, seeds)
		c, err := d.scanConversations(ctx, q, w, func(page []exportapi.Conversation) {
			for i := range page {
				groups = g.Conversation(&page[i], groups)
				v.Add(page[i].StartTime, groups)
			}
		})
		return v.Frames(), c, err
	}
}

func (d *Datasource) table(ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	g := frames.NewGrouper(q)
	switch q.Type {
	case query.TypeConversations:
		t := frames.NewConversationTable(q.Limit)
		c, err := d.scanConversations(ctx, q, w, t.Add)
		return data.Frames{t.Frame()}, c, err
	case query.TypeMessages:
		t := frames.NewMessageTable(q.Limit)
		c, err := d.scanMessages(ctx, q, w, frames.Grouper{}, func(page []exportapi.Message, _ [][]string) { t.Add(page) })
		return data.Frames{t.Frame()}, c, err
	case query.TypeTranscript:
		t := frames.NewTranscript(q.Limit)
		c, err := d.scanMessages(ctx, q, w, frames.Grouper{}, func(page []exportapi.Message, _ [][]string) { t.Add(page) })
		return data.Frames{t.Frame()}, c, err
	case query.TypeConversationCounts:
		counts := frames.NewCounts(g, g.Seeds(&q.Filters))
		var groups []string
		c, err := d.scanConversations(ctx, q, w, func(page []exportapi.Conversation) {
			for i := range page {
				groups = g.Conversation(&page[i], groups)
				counts.Add(groups)
			}
		})
		return data.Frames{counts.Frame(q.Limit)}, c, err
	case query.TypeUserMessageHistogram:
		h := frames.NewHistogram()
		c, err := d.scanConversations(ctx, q, w, func(page []exportapi.Conversation) {
			for i := range page {
				h.Add(page[i].UserMessageCount)
			}
		})
		return data.Frames{h.Frame()}, c, err
	case query.TypeValues:
		return d.values(ctx, q, w)
	}
	return nil, fetch.Stats{}, badQuery(fmt.Errorf("the query type %q has no table", q.Type))
}

func (d *Datasource) values(ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	v := frames.NewValues(q.Field)
	var c fetch.Stats
	var err error
	switch q.Field {
	case query.FieldBot:
		v.Add(d.settings.KnownBots()...)
	case query.FieldMessageType:
		c, err = d.scanMessages(ctx, q, w, frames.Grouper{}, func(page []exportapi.Message, _ [][]string) {
			for i := range page {
				v.Add(page[i].Type)
			}
		})
	default:
		c, err = d.scanConversations(ctx, q, w, func(page []exportapi.Conversation) {
			for i := range page {
				conv := &page[i]
				switch q.Field {
				case query.FieldTag:
					v.Add(conv.Tags...)
				case query.FieldLocale:
					v.Add(conv.Locale)
				case query.FieldMetadataKey:
					v.Add(conv.MetadataKeys()...)
				case query.FieldMetadataValue:
					text, _ := conv.MetadataText(q.MetadataKey)
					v.Add(text)
				}
			}
		})
	}
	return data.Frames{v.Frame(q.Limit)}, c, err
}
