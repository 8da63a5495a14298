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
	suffix := ", " + written + " earlier"
	for _, f := range fs {
		for _, field := range f.Fields {
			switch field.Type() {
			case data.FieldTypeTime:
				for i := 0; i < field.Len(); i++ {
					field.Set(i, field.At(i).(time.Time).Add(shift))
				}
			default:
				if field.Config != nil && field.Config.DisplayNameFromDS != "" {
					field.Config.DisplayNameFromDS += suffix
				}
			}
		}
	}
}
