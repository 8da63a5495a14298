package plugin

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
)

// serveConversations serves the given records (JSON objects without _id and
// startTime) as conversations a second apart, from half an hour before testNow,
// each to the request whose window holds it, as the API does: a read split into
// legs (a busy machine's slow answers earn more) still sees each record once.
func serveConversations(t *testing.T, records ...string) string {
	t.Helper()
	first := testNow.Add(-30 * time.Minute).Unix()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var start, end int64
		_, _ = fmt.Sscan(r.URL.Query().Get("start_time"), &start)
		_, _ = fmt.Sscan(r.URL.Query().Get("end_time"), &end)
		var parts []string
		for i, rec := range records {
			if at := first + int64(i); start <= at && at < end {
				parts = append(parts, fmt.Sprintf(`{"_id":"c%d","startTime":%d,%s}`, i, at, rec))
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"data":[%s],"cursor":null}`, strings.Join(parts, ","))
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// TestOneRecordCannotBlowUpTheHistogram: counts past the cap share one row, and a
// count no conversation can have is read as missing, so the frame stays small.
func TestOneRecordCannotBlowUpTheHistogram(t *testing.T) {
	testparallel.BesideWaiting(t)
	url := serveConversations(t, `"userMessageCount":0`, `"userMessageCount":3`, `"userMessageCount":"3"`, `"userMessageCount":99`,
		`"userMessageCount":100`, `"userMessageCount":250`, `"userMessageCount":10000000`, `"userMessageCount":1e12`)
	d := newTestDatasource(t, url, map[string]any{"cacheMinutes": 0})
	r := run(t, d, dataQuery("A", "userMessageHistogram", testNow.Add(-time.Hour), testNow, map[string]any{})).Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	f := r.Frames[0]
	if f.Rows() != 101 {
		t.Fatalf("%d rows, want 0..99 and one row for 100 or more", f.Rows())
	}
	want := map[int]int64{0: 3, 3: 2, 99: 1, 100: 2}
	for i := 0; i < f.Rows(); i++ {
		if f.Fields[0].At(i).(int64) != int64(i) || f.Fields[1].At(i).(int64) != want[i] {
			t.Fatalf("row %d: %v user messages, %v conversations; want %d", i, f.Fields[0].At(i), f.Fields[1].At(i), want[i])
		}
	}
	if len(f.Meta.Notices) == 0 || !strings.Contains(f.Meta.Notices[0].Text, "100 or more") {
		t.Fatalf("no notice explains the last row: %+v", f.Meta.Notices)
	}
}
