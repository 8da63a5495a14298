package plugin

import (
	"context"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

var _ = answers(query.TypeValues, answerValues)

// answerValues lists the distinct values of a field, for template variables.
func answerValues(d *Datasource, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	v := frames.NewValues(q.Field, q.Limit)
	var c fetch.Stats
	var err error
	switch q.Field {
	case query.FieldBot:
		v.Add(d.settings.KnownBots()...)
	case query.FieldMessageType:
		c, err = d.scanMessages(ctx, q, w, selection.Grouper{}, func(page []exportapi.Message, _ [][]string) {
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
	return data.Frames{v.Frame()}, c, err
}
