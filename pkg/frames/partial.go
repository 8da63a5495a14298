package frames

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// A query that answered before its read finished (a dashboard's long cold range)
// shows only what is exact: a bucket whose time has all been read keeps its
// value, every other bucket is null (never 0, which would read as "nothing
// happened"), and a table keeps the rows whose time has all been read.

func touches(incomplete []exportapi.Window, from, to time.Time) bool {
	for _, w := range incomplete {
		if !w.Intersect(exportapi.Window{From: from, To: to}).Empty() {
			return true
		}
	}
	return false
}

// MaskSeries nulls every bucket of the time series frames that touches
// incomplete time; step is the bucket size (each time is a bucket's start).
func MaskSeries(fs data.Frames, incomplete []exportapi.Window, step time.Duration) {
	maskSeries(fs, incomplete, func(t time.Time) time.Time { return t.Add(step) })
}

// MaskBuckets is MaskSeries for the series of b, whose buckets may differ in
// length (a zone's 25-hour day must be masked to its end).
func MaskBuckets(fs data.Frames, incomplete []exportapi.Window, b Buckets) {
	maskSeries(fs, incomplete, func(t time.Time) time.Time {
		i := b.Index(t)
		if i < 0 {
			return t.Add(b.Step())
		}
		_, hi := b.Bounds(i)
		return time.Unix(0, hi).UTC()
	})
}

func maskSeries(fs data.Frames, incomplete []exportapi.Window, end func(time.Time) time.Time) {
	for _, f := range fs {
		if len(f.Fields) < 2 || f.Fields[0].Type() != data.FieldTypeTime {
			continue
		}
		times := f.Fields[0]
		for j := 1; j < len(f.Fields); j++ {
			f.Fields[j] = nullable(f.Fields[j])
			for i := 0; i < times.Len(); i++ {
				t := times.At(i).(time.Time)
				if touches(incomplete, t, end(t)) {
					setNull(f.Fields[j], i)
				}
			}
		}
	}
}

// setNull empties a nullable number field's row.
func setNull(f *data.Field, i int) {
	switch f.Type() {
	case data.FieldTypeNullableInt64:
		f.Set(i, (*int64)(nil))
	case data.FieldTypeNullableFloat64:
		f.Set(i, (*float64)(nil))
	}
}

// nullable returns a field that can hold null with the same values, name,
// labels and config.
func nullable(f *data.Field) *data.Field {
	if f.Nullable() {
		return f
	}
	out := data.NewFieldFromFieldType(f.Type().NullableType(), f.Len())
	out.Name, out.Labels, out.Config = f.Name, f.Labels, f.Config
	for i := 0; i < f.Len(); i++ {
		out.SetConcrete(i, f.At(i))
	}
	return out
}
