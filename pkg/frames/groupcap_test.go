package frames

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// TestFineBucketsAdmitFewerSeries: at 11,000 buckets a series the cells bound
// admits 90 series, not 500, and the 91st is refused before its buckets are made.
func TestFineBucketsAdmitFewerSeries(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := NewBuckets(from, from.Add(11_000*time.Minute), time.Minute)
	g := selection.Grouper{By: query.GroupMetadata, MetadataKey: "session"}
	for name, agg := range map[string]interface {
		Add(time.Time, []string)
		Err() error
	}{
		"volume": NewVolume(b, SeriesSpec{Field: "conversations"}, g, nil),
	} {
		want := MaxSeriesCells / b.Len()
		for i := range want {
			agg.Add(from, []string{strconv.Itoa(i)})
		}
		if err := agg.Err(); err != nil {
			t.Fatalf("%s, %d series of %d buckets: %v", name, want, b.Len(), err)
		}
		agg.Add(from, []string{"one more"})
		err := agg.Err()
		if err == nil || !strings.Contains(err.Error(), "at most 90 series") || !strings.Contains(err.Error(), "larger bucket") {
			t.Fatalf("%s past the cells bound: %v", name, err)
		}
	}
	s := NewStatistic(b, SeriesSpec{Field: "userMessages"}, g, query.StatP90, 1, nil)
	for i := range 91 {
		s.Add(from, []string{strconv.Itoa(i)}, 3)
	}
	if s.Err() == nil || len(s.cells) != 90 {
		t.Fatalf("statistic: %d series kept, error %v", len(s.cells), s.Err())
	}
}
