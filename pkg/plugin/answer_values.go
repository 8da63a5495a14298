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

var _ = answers(query.TypeValues, answerValues)

// answerValues lists the distinct values of a field, for template variables. A
// batch offers each value of its dictionary that a passing row holds, once.
func answerValues(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	v := frames.NewValues(q.Field, q.Limit)
	var c fetch.Stats
	var err error
	var seen []bool
	var codes, offs []uint32
	// offer adds the value of code once per batch.
	offer := func(values *columnar.Strings, code uint32) {
		if !seen[code] {
			seen[code] = true
			v.Add(values.At(int(code)))
		}
	}
	switch q.Field {
	case query.FieldBot:
		v.Add(d.knownBots()...)
	case query.FieldMessageType:
		c, err = scanMessageRows(d, ctx, q, w, selection.Grouper{}, func(b *columnar.Messages, rows []int32, _ *columnJoin) {
			seen = resetBools(seen, b.Type.Values.Len())
			codes = b.Type.Codes.Widen(codes)
			for _, i := range rows {
				offer(&b.Type.Values, codes[i])
			}
		})
	default:
		c, err = scanConversationRows(d, ctx, q, w, func(b *columnar.Conversations, rows []int32) {
			switch q.Field {
			case query.FieldTag:
				seen = resetBools(seen, b.Tags.Values.Len())
				offs, codes = b.Tags.Offsets.Widen(offs), b.Tags.Codes.Widen(codes)
				for _, i := range rows {
					for _, code := range codes[offs[i]:offs[i+1]] {
						offer(&b.Tags.Values, code)
					}
				}
			case query.FieldLocale:
				seen = resetBools(seen, b.Locale.Values.Len())
				codes = b.Locale.Codes.Widen(codes)
				for _, i := range rows {
					offer(&b.Locale.Values, codes[i])
				}
			case query.FieldMetadataKey:
				seen = resetBools(seen, len(b.Keys.Sets))
				codes = b.Keys.Codes.Widen(codes)
				for _, i := range rows {
					if set := codes[i]; !seen[set] {
						seen[set] = true
						for _, ci := range b.Keys.Sets[set] {
							v.Add(b.Meta[ci].Key)
						}
					}
				}
			case query.FieldMetadataValue:
				col := b.Metadata(q.MetadataKey)
				if col == nil {
					return // every record lacks the key: nothing to offer
				}
				seen = resetBools(seen, col.Values.Len())
				codes = col.Widen(b.Len(), codes)
				for _, i := range rows {
					offer(&col.Values, codes[i])
				}
			}
		})
	}
	return data.Frames{v.Frame()}, c, err
}

// resetBools returns buf with n false values.
func resetBools(buf []bool, n int) []bool {
	buf = growBools(buf, n)
	clear(buf)
	return buf
}
