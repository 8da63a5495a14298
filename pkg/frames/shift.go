package frames

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// ShiftSeries moves time series read shift earlier to the query's own times, and
// says so in their display names, so that "Conversations" and "Conversations, 7d
// earlier" stand side by side in a legend, a stat panel or a join. The name shows
// the shift as the user wrote it: 36h is not a whole number of days, and a
// rounded unit would name another shift than the one read.
func ShiftSeries(fs data.Frames, shift time.Duration, written string) {
	ShiftSeriesBy(fs, func(t time.Time) time.Time { return t.Add(shift) }, written)
}

// ShiftSeriesBy is ShiftSeries with the times moved by later, which may move
// them by calendar days of a time zone (23 or 25 hours across a daylight-saving
// change). Times stay strictly ascending: the clock's repeated hour a week
// earlier names one local time twice, and its second bucket keeps its distance
// from the first.
func ShiftSeriesBy(fs data.Frames, later func(time.Time) time.Time, written string) {
	suffix := ", " + written + " earlier"
	for _, f := range fs {
		for _, field := range f.Fields {
			switch field.Type() {
			case data.FieldTypeTime:
				var prev, prevMoved time.Time
				for i := 0; i < field.Len(); i++ {
					t := field.At(i).(time.Time)
					moved := later(t).UTC()
					if i > 0 && !moved.After(prevMoved) {
						moved = prevMoved.Add(t.Sub(prev))
					}
					field.Set(i, moved)
					prev, prevMoved = t, moved
				}
			default:
				if field.Config != nil && field.Config.DisplayNameFromDS != "" {
					field.Config.DisplayNameFromDS += suffix
				}
			}
		}
	}
}
