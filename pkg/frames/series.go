package frames

import (
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// SeriesSpec names a time series: its value field, its unit, and what a person
// reads when it is not split into groups.
type SeriesSpec struct {
	Field string
	Title string
	Unit  string
}

// timeSeries builds one timeseries-multi frame per group: a time field and one
// number field whose labels name the group, which is what alert rules evaluate
// series by series. values returns the group's field values ([]int64 or []*float64).
func timeSeries(b Buckets, spec SeriesSpec, g selection.Grouper, groups []string, values func(group string) any) data.Frames {
	times := b.Times()
	frames := make(data.Frames, 0, len(groups))
	for _, group := range groups {
		var labels data.Labels
		display := spec.Title
		if g.Grouped() {
			labels = data.Labels{g.LabelName(): group}
			display = group
		}
		field := data.NewField(spec.Field, labels, values(group))
		field.Config = &data.FieldConfig{DisplayNameFromDS: display, Unit: spec.Unit}
		frame := data.NewFrame(spec.Field, data.NewField("time", nil, times), field)
		frame.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
		frames = append(frames, frame)
	}
	if len(frames) == 0 {
		// Nothing to label: an empty frame still carries the query's cost and calls.
		frame := data.NewFrame(spec.Field)
		frame.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
		frames = append(frames, frame)
	}
	return frames
}
