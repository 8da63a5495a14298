package plugin

import (
	"slices"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// typeFilter is selection.SelectsMessage on a batch's type codes: each code of
// the Type dictionary is decided once per batch.
type typeFilter struct {
	f     *query.Filters
	pass  []bool
	codes []uint32
}

// newTypeFilter returns the message type filter of f, or nil when it has none.
func newTypeFilter(f *query.Filters) *typeFilter {
	if !f.MessageTypeFilters() {
		return nil
	}
	return &typeFilter{f: f}
}

// keep narrows rows of b to the messages whose type passes, in place.
func (tf *typeFilter) keep(b *columnar.Messages, rows []int32) []int32 {
	values := &b.Type.Values
	tf.pass = growBools(tf.pass, values.Len())
	for code := range tf.pass {
		t := selection.OrNone(values.At(code))
		tf.pass[code] = (len(tf.f.Types) == 0 || slices.Contains(tf.f.Types, t)) && !slices.Contains(tf.f.ExcludeTypes, t)
	}
	tf.codes = b.Type.Codes.Widen(tf.codes)
	kept := rows[:0]
	for _, i := range rows {
		if tf.pass[tf.codes[i]] {
			kept = append(kept, i)
		}
	}
	return kept
}
