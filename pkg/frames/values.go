package frames

import (
	"fmt"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Values collects distinct values for a template variable: the first limit in
// order. It keeps at most twice the limit, so a field with a value per
// conversation (a metadata timestamp) cannot grow it without bound: past that it
// sorts, keeps the first limit, and refuses every value after the last kept one,
// which could never be shown.
type Values struct {
	field   string
	limit   int
	set     map[string]struct{}
	ceiling *string // once cut: values after it are refused
}

// NewValues starts an empty set for field that answers at most limit values.
func NewValues(field string, limit int) *Values {
	return &Values{field: field, limit: max(limit, 1), set: map[string]struct{}{}}
}

// Add adds a value; empty values are not offered.
func (v *Values) Add(values ...string) {
	for _, s := range values {
		if s == "" || (v.ceiling != nil && s > *v.ceiling) {
			continue
		}
		v.set[s] = struct{}{}
		if len(v.set) >= 2*v.limit {
			v.cut()
		}
	}
}

// cut keeps the first limit values.
func (v *Values) cut() {
	kept := v.sorted()
	for _, s := range kept[v.limit:] {
		delete(v.set, s)
	}
	last := kept[v.limit-1]
	v.ceiling = &last
}

func (v *Values) sorted() []string {
	out := make([]string, 0, len(v.set))
	for s := range v.set {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// Frame returns one string field of the values in order, at most the limit.
func (v *Values) Frame() *data.Frame {
	out := v.sorted()
	more := v.ceiling != nil || len(out) > v.limit
	if len(out) > v.limit {
		out = out[:v.limit]
	}
	frame := data.NewFrame("values", data.NewField(v.field, nil, out))
	if more {
		frame.AppendNotices(data.Notice{
			Severity: data.NoticeSeverityWarning,
			Text:     fmt.Sprintf("Showing the first %d values in order; there are more: raise the query's limit to see them.", len(out)),
		})
	}
	return frame
}
