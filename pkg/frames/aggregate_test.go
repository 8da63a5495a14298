package frames

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

func TestBucketsAreEpochAlignedAndHalfOpen(t *testing.T) {
	from := time.Date(2026, 11, 20, 10, 17, 0, 0, time.UTC)
	to := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	b := NewBuckets(from, to, time.Hour)
	if b.Len() != 2 || !b.Times()[0].Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("%d buckets from %v", b.Len(), b.Times())
	}
	if b.Index(to) != -1 || b.Index(to.Add(-time.Nanosecond)) != 1 || b.Index(from) != 0 {
		t.Fatal("the last instant before to must land in the last bucket, to itself in none")
	}
	// Seven-day buckets start on Thursdays, as 1970-01-01 was one.
	w := NewBuckets(from, from.Add(time.Hour), 7*24*time.Hour)
	if w.Times()[0].Weekday() != time.Thursday {
		t.Fatalf("a 7d bucket starts on %s", w.Times()[0].Weekday())
	}
}

func TestNearestRank(t *testing.T) {
	hist := map[int64]int64{1: 5, 2: 4, 10: 1} // ten values: 1×5, 2×4, 10×1
	for p, want := range map[int64]int64{50: 1, 51: 2, 90: 2, 91: 10, 100: 10} {
		if got := nearestRank(hist, 10, p); got != want {
			t.Errorf("p%d = %d, want %d", p, got, want)
		}
	}
	if got := nearestRank(map[int64]int64{7: 1}, 1, 90); got != 7 {
		t.Errorf("one value: %d", got)
	}
}

func TestGroupsOfAConversation(t *testing.T) {
	c := exportapi.Conversation{Tags: []string{"resolved", "resolved", "thumbsUp"}, Metadata: []byte(`{"draft":false,"empty":""}`)}
	if got := (selection.Grouper{By: query.GroupTag}).Conversation(&c, nil); len(got) != 2 {
		t.Fatalf("a repeated tag counts once: %v", got)
	}
	for by, want := range map[string]string{query.GroupLocale: NoneGroup, query.GroupNone: ""} {
		if got := (selection.Grouper{By: by}).Conversation(&c, nil); len(got) != 1 || got[0] != want {
			t.Errorf("%s: %v", by, got)
		}
	}
	for key, want := range map[string]string{"draft": "false", "empty": NoneGroup, "missing": NoneGroup} {
		if got := (selection.Grouper{By: query.GroupMetadata, MetadataKey: key}).Conversation(&c, nil); got[0] != want {
			t.Errorf("metadata %s: %v, want %s", key, got, want)
		}
	}
	untagged := exportapi.Conversation{}
	if got := (selection.Grouper{By: query.GroupTag}).Conversation(&untagged, nil); got[0] != NoneGroup {
		t.Errorf("no tags: %v", got)
	}
}

func TestCountsShareOverlappingGroups(t *testing.T) {
	c := NewCounts(selection.Grouper{By: query.GroupTag}, []string{"liveChat"})
	c.Add([]string{"resolved", "guideInteraction"})
	c.Add([]string{"resolved"})
	f := c.Frame(10)
	want := []struct {
		group   string
		n       int64
		percent float64
	}{{"resolved", 2, 100}, {"guideInteraction", 1, 50}, {"liveChat", 0, 0}}
	for i, w := range want {
		if f.Fields[0].At(i) != w.group || f.Fields[1].At(i) != w.n || *f.Fields[2].At(i).(*float64) != w.percent {
			t.Fatalf("row %d: %v %v, want %+v", i, f.Fields[0].At(i), f.Fields[1].At(i), w)
		}
	}
}

// TestCountsRefuseMoreGroupsThanMemoryAllows: a table's limit keeps the largest
// groups, but every group is counted to know them; past MaxCountGroups the count
// stops taking new groups and says why, instead of growing without bound.
func TestCountsRefuseMoreGroupsThanMemoryAllows(t *testing.T) {
	c := NewCounts(selection.Grouper{By: query.GroupMetadata, MetadataKey: "browser_localTime"}, nil)
	for i := range MaxCountGroups {
		c.Add([]string{strconv.Itoa(i)})
	}
	if err := c.Err(); err != nil {
		t.Fatalf("%d groups: %v", MaxCountGroups, err)
	}
	c.Add([]string{"one more"})
	err := c.Err()
	if err == nil || !strings.Contains(err.Error(), `metadata key "browser_localTime"`) || !strings.Contains(err.Error(), "more than 100000") {
		t.Fatalf("past the bound: %v", err)
	}
	if len(c.counts) != MaxCountGroups {
		t.Fatalf("%d groups kept", len(c.counts))
	}
}

// TestValuesKeepTheFirstLimitInBoundedMemory: a field with a value per record
// keeps at most twice the limit, and still answers exactly the first limit values.
func TestValuesKeepTheFirstLimitInBoundedMemory(t *testing.T) {
	v := NewValues("metadataValue", 10)
	for i := 100_000; i > 0; i-- {
		v.Add(strconv.Itoa(i), strconv.Itoa(i)) // newest first, each twice
		if len(v.set) >= 20 {
			t.Fatalf("%d values kept for a limit of 10", len(v.set))
		}
	}
	f := v.Frame()
	want := []string{"1", "10", "100", "1000", "10000", "100000", "10001", "10002", "10003", "10004"}
	for i, w := range want {
		if got := f.Fields[0].At(i); got != w {
			t.Fatalf("value %d: %v, want %s", i, got, w)
		}
	}
	if f.Rows() != 10 || len(f.Meta.Notices) != 1 {
		t.Fatalf("%d rows, notices %+v", f.Rows(), f.Meta)
	}
}
