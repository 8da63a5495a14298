package plugin

import (
	"math"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
)

// TestSameFrameTellsFramesApart: the property test's comparison fails on each
// thing a frame's JSON carries, so that it is no weaker than comparing the JSON.
func TestSameFrameTellsFramesApart(t *testing.T) {
	testparallel.BesideWaiting(t)
	at := time.Date(2026, 10, 5, 1, 2, 3, 4000, time.UTC)
	one, nan := 1.0, math.NaN()
	base := func() *data.Frame {
		f := data.NewFrame("volume",
			data.NewField("time", nil, []time.Time{at}),
			data.NewField("count", data.Labels{"tag": "resolved"}, []*float64{&one}),
			data.NewField("rate", nil, []float64{nan}),
			data.NewField("id", nil, []string{"a"}),
		)
		f.RefID = "A"
		f.SetMeta(&data.FrameMeta{Notices: []data.Notice{{Text: "read to 01:00"}}})
		return f
	}
	if !sameFrame(base(), base()) {
		t.Fatal("a frame differs from its copy (NaN is NaN, a time its instant)")
	}
	inZone := base()
	inZone.Fields[0].Set(0, at.In(time.FixedZone("x", 3600)))
	if !sameFrame(base(), inZone) {
		t.Fatal("the same instant in another zone differs: the JSON does not carry the zone")
	}
	two := 2.0
	changes := map[string]func(f *data.Frame){
		"name":       func(f *data.Frame) { f.Name = "other" },
		"ref ID":     func(f *data.Frame) { f.RefID = "B" },
		"meta":       func(f *data.Frame) { f.Meta.Notices[0].Text = "read to 02:00" },
		"field name": func(f *data.Frame) { f.Fields[3].Name = "ID" },
		"labels":     func(f *data.Frame) { f.Fields[1].Labels["tag"] = "liveChat" },
		"config":     func(f *data.Frame) { f.Fields[1].Config = &data.FieldConfig{Unit: "percent"} },
		"time":       func(f *data.Frame) { f.Fields[0].Set(0, at.Add(time.Microsecond)) },
		"value":      func(f *data.Frame) { f.Fields[1].Set(0, &two) },
		"null":       func(f *data.Frame) { f.Fields[1].Set(0, (*float64)(nil)) },
		"NaN":        func(f *data.Frame) { f.Fields[2].Set(0, 0.0) },
		"string":     func(f *data.Frame) { f.Fields[3].Set(0, "b") },
		"type":       func(f *data.Frame) { f.Fields[2] = data.NewField("rate", nil, []*float64{&nan}) },
		"length":     func(f *data.Frame) { f.Fields[3].Append("b") },
		"fields":     func(f *data.Frame) { f.Fields = f.Fields[:3] },
	}
	zero, negZero := base(), base()
	zero.Fields[2].Set(0, 0.0)
	negZero.Fields[2].Set(0, math.Copysign(0, -1))
	if sameFrame(zero, negZero) {
		t.Error("0 and -0 compare the same")
	}
	for what, change := range changes {
		f := base()
		change(f)
		if sameFrame(base(), f) {
			t.Errorf("frames that differ in %s compare the same", what)
		}
	}
}
