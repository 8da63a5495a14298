package frames

import (
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Values collects distinct values for a template variable.
type Values struct {
	field string
	set   map[string]struct{}
}

// NewValues starts an empty set for field.
func NewValues(field string) *Values {
	return &Values{field: field, set: map[string]struct{}{}}
}

// Add adds a value; empty values are not offered.
func (v *Values) Add(values ...string) {
	for _, s := range values {
		if s != "" {
			v.set[s] = struct{}{}
		}
	}
}

// Frame returns one string field of the values in order, at most limit.
func (v *Values) Frame(limit int) *data.Frame {
	out := make([]string, 0, len(v.set))
	for s := range v.set {
		out = append(out, s)
	}
	slices.Sort(out)
	total := len(out)
	if len(out) > limit {
		out = out[:limit]
	}
	frame := data.NewFrame("values", data.NewField(v.field, nil, out))
	limitNotice(frame, len(out), total, "values")
	return frame
}
