package plugin

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// highCardinality serves n conversations started over the hour before testNow,
// each with a browser_localTime of its own (as a browser's clock is) and one
// message, in pages of 1000, and counts the requests.
func highCardinality(t *testing.T, n int) (string, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	first := float64(testNow.Add(-time.Hour).Unix())
	at := func(k int) float64 { return first + 1 + 3500*float64(k)/float64(n) }
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var start, end float64
		_, _ = fmt.Sscan(r.URL.Query().Get("start_time"), &start)
		_, _ = fmt.Sscan(r.URL.Query().Get("end_time"), &end)
		var in []int
		for k := range n {
			if at(k) >= start && at(k) < end {
				in = append(in, k)
			}
		}
		offset, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		page := in[min(offset, len(in)):min(offset+1000, len(in))]
		var b strings.Builder
		for i, k := range page {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.HasSuffix(r.URL.Path, "/messages") {
				fmt.Fprintf(&b, `{"_id":"m%d","time":%.3f,"type":"UserInput","userInput":"hi","conversationId":"c%d"}`, k, at(k)+30, k)
				continue
			}
			last := time.Unix(int64(at(k))+60, 0).UTC().Format("2006-01-02T15:04:05.000000")
			fmt.Fprintf(&b, `{"_id":"c%d","startTime":%.3f,"lastActionAt":%q,"tags":["t%d"],"metadata":{"browser_localTime":%d,"channel":"web"}}`,
				k, at(k), last, k, 1744750695136+int64(k))
		}
		cursor := "null"
		if offset+1000 < len(in) {
			cursor = strconv.Quote(strconv.Itoa(offset + 1000))
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"data":[%s],"cursor":%s}`, b.String(), cursor)
	}))
	t.Cleanup(hs.Close)
	return hs.URL, &requests
}

// TestOneQueryAnswersAtMost500Series groups 10,000 conversations by a metadata
// key with a value per conversation, over gRPC: the query fails with a message
// naming the key, the count and what to use instead, and stops reading once it
// is past 500 groups instead of building 10,000 series. conversationCounts with a
// limit answers the same grouping.
func TestOneQueryAnswersAtMost500Series(t *testing.T) {
	// Sequential: how many requests a read has in flight when it stops follows
	// how fast the pages come, which the tests beside it would slow (a third
	// request was seen so).
	url, requests := highCardinality(t, 10000)
	is := instanceSettings(url, map[string]any{"cacheMinutes": 0, "liveReuseSeconds": 0}, testKey)
	is.UID, is.ID = "series-cap", 500
	src := overGRPC(t, is)
	from, to := testNow.Add(-time.Hour), testNow
	ask := func(q backend.DataQuery) backend.DataResponse {
		t.Helper()
		return src.mustQuery(t, q).Responses[q.RefID]
	}
	for _, typ := range []string{"conversationVolume", "tagRate", "userMessages", "conversationDuration", "messageVolume"} {
		before := requests.Load()
		r := ask(dataQuery("A", typ, from, to, map[string]any{"groupBy": "metadata", "metadataKey": "browser_localTime", "bucket": "5m"}))
		if r.Error == nil {
			t.Fatalf("%s: %d frames, no error", typ, len(r.Frames))
		}
		msg := r.Error.Error()
		for _, want := range []string{`metadata key "browser_localTime"`, "more than 500 groups", "501 found", "a filter", "conversationCounts"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: the error does not say %q: %s", typ, want, msg)
			}
		}
		if len(r.Frames) > 0 {
			t.Errorf("%s: %d frames with the error", typ, len(r.Frames))
		}
		if r.Status != backend.StatusBadRequest {
			t.Errorf("%s: status %d", typ, r.Status)
		}
		// The 501st group lies on the first page: the read stops there.
		n := requests.Load() - before
		t.Logf("%s: %d requests, error %q", typ, n, msg)
		if typ != "messageVolume" && n > 2 {
			t.Errorf("%s: %d requests after the query was past 500 groups on the first page", typ, n)
		}
	}
	r := ask(dataQuery("K", "conversationCounts", from, to, map[string]any{"groupBy": "metadata", "metadataKey": "browser_localTime", "limit": 10}))
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	if f := r.Frames[0]; f.Rows() != 10 || f.Fields[1].At(0).(int64) != 1 {
		t.Fatalf("conversationCounts: %d rows, first %v", f.Rows(), f.Fields[1].At(0))
	}
	r = ask(dataQuery("T", "conversationVolume", from, to, map[string]any{"groupBy": "metadata", "metadataKey": "channel", "bucket": "5m"}))
	if r.Error != nil || len(r.Frames) != 1 {
		t.Fatalf("a key with one value: %v, %d frames", r.Error, len(r.Frames))
	}
}
