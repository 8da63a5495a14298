package frames

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

func TestMaskSeriesNullsWhatIsNotComplete(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	times := []time.Time{t0, t0.Add(time.Hour), t0.Add(2 * time.Hour)}
	counts := data.NewFrame("c", data.NewField("time", nil, times), data.NewField("conversations", data.Labels{"tag": "x"}, []int64{4, 0, 7}))
	rates := data.NewFrame("r", data.NewField("time", nil, times), data.NewField("percent", nil, []*float64{ptr(1.0), nil, ptr(3.0)}))
	// The first hour and a half is not complete: the first two buckets touch it.
	MaskSeries(data.Frames{counts, rates}, []exportapi.Window{{From: t0.Add(-time.Hour), To: t0.Add(90 * time.Minute)}}, time.Hour)
	got := counts.Fields[1]
	if !got.Nullable() || got.Labels["tag"] != "x" || got.Name != "conversations" {
		t.Fatalf("field %s %v nullable %v", got.Name, got.Labels, got.Nullable())
	}
	for i, want := range []*int64{nil, nil, ptr(int64(7))} {
		v := got.At(i).(*int64)
		if (v == nil) != (want == nil) || (v != nil && *v != *want) {
			t.Errorf("count %d: %v, want %v", i, v, want)
		}
	}
	if v := rates.Fields[1].At(0).(*float64); v != nil {
		t.Errorf("rate 0: %v", *v)
	}
	if v := rates.Fields[1].At(2).(*float64); v == nil || *v != 3 {
		t.Errorf("rate 2: %v", v)
	}
}

// TestAPartialTableDropsUnreadTimeBeforeTheLimit: the newest record a read has
// handed on lies in unread time (time up to and including it is not yet all read);
// the table still shows limit rows, all of read time.
func TestAPartialTableDropsUnreadTimeBeforeTheLimit(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	table := NewMessageTable(2, nil)
	for i := range 10 {
		table.Add([]exportapi.Message{{ID: string(rune('a' + i)), Time: t0.Add(time.Duration(i) * time.Minute)}})
	}
	f := table.Frame([]exportapi.Window{{From: t0.Add(9 * time.Minute), To: t0.Add(time.Hour)}})
	if f.Rows() != 2 || f.Fields[0].At(0) != "i" || f.Fields[0].At(1) != "h" {
		t.Fatalf("%d rows, first %v; want i and h", f.Rows(), f.Fields[0].At(0))
	}
}

func ptr[T any](v T) *T { return &v }
