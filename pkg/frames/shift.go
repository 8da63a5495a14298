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
// change). Times stay strictly ascending: New York's two 01:00 buckets of a
// November Sunday, a week later, name one local time; the second is shown
// halfway to the next bucket rather than on top of the first.
func ShiftSeriesBy(fs data.Frames, later func(time.Time) time.Time, written string) {
	suffix := ", " + written + " earlier"
	for _, f := range fs {
		for _, field := range f.Fields {
			switch field.Type() {
			case data.FieldTypeTime:
				moved := make([]time.Time, field.Len())
				for i := range moved {
					moved[i] = later(field.At(i).(time.Time)).UTC()
				}
				for i, t := range spreadTies(moved, field) {
					field.Set(i, t)
				}
			default:
				if field.Config != nil && field.Config.DisplayNameFromDS != "" {
					field.Config.DisplayNameFromDS += suffix
				}
			}
		}
	}
}

// spreadTies gives each run of equal times its own instants between the run's
// time and the next one (past the last, the original spacing of field).
func spreadTies(moved []time.Time, field *data.Field) []time.Time {
	for i := 0; i < len(moved); {
		j := i + 1
		for j < len(moved) && !moved[j].After(moved[i]) {
			j++
		}
		if run := j - i; run > 1 {
			var gap time.Duration
			if j < len(moved) {
				gap = moved[j].Sub(moved[i])
			} else {
				gap = field.At(j-1).(time.Time).Sub(field.At(i).(time.Time)) * time.Duration(run) / time.Duration(run-1)
			}
			for k := 1; k < run; k++ {
				moved[i+k] = moved[i].Add(gap * time.Duration(k) / time.Duration(run))
			}
		}
		i = j
	}
	return moved
}
