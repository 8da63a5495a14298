package fetch

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

func TestLegsAreCutAtTheLatencyAndStayExact(t *testing.T) {
	f := newFixture(t, simulator.Faults{Latency: 20 * time.Millisecond})
	s := f.source(0)
	now := f.clock.now()
	w := exportapi.Window{From: now.Add(-100 * time.Hour), To: now}
	// The first read measures the latency: at 1000 requests/s, 20 ms calls for every leg allowed.
	ids(t, t.Context(), s, exportapi.Window{From: now.Add(-2 * time.Hour), To: now})
	got, st := ids(t, t.Context(), s, w)
	if !slices.Equal(got, f.want(w)) {
		t.Fatalf("%d conversations, want %d", len(got), len(f.want(w)))
	}
	if st.Exports < 2 {
		t.Fatalf("%d legs: a slow API should be read in parallel legs", st.Exports)
	}
}

// TestRecordsOutOfTimeOrderAreNeverCut serves pages in time order whose records
// run backwards inside each page, as an API ordered by something else would: a leg
// cut there would stop at the first record past the cut and lose the older ones
// that follow it in the same page, so the flight must read every leg whole.
func TestRecordsOutOfTimeOrderAreNeverCut(t *testing.T) {
	base := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	const n = 5000
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(5 * time.Millisecond)
		start, _ := strconv.ParseInt(r.URL.Query().Get("start_time"), 10, 64)
		end, _ := strconv.ParseInt(r.URL.Query().Get("end_time"), 10, 64)
		offset, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		type rec struct {
			ID        string `json:"_id"`
			StartTime int64  `json:"startTime"`
		}
		var all []rec
		for i := 0; i < n; i++ {
			ts := base.Add(time.Duration(i) * time.Minute).Unix()
			if ts >= start && ts <= end {
				all = append(all, rec{ID: fmt.Sprint("c", i), StartTime: ts})
			}
		}
		page := slices.Clone(all[offset:min(offset+1000, len(all))])
		slices.Reverse(page)
		var cursor *string
		if offset+1000 < len(all) {
			c := strconv.Itoa(offset + 1000)
			cursor = &c
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": page, "cursor": cursor})
	}))
	defer hs.Close()
	client, err := exportapi.New(exportapi.Config{BaseURL: hs.URL, APIKey: key, RequestsPerSecond: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	s := New(Config{Client: client, BaseURL: hs.URL, APIKey: key, Live: time.Hour, Flights: NewFlights(),
		Now: func() time.Time { return base.Add(200 * time.Hour) }})
	w := exportapi.Window{From: base, To: base.Add(n * time.Minute)}
	for round := 0; round < 2; round++ { // the second round knows the latency
		got, st := ids(t, t.Context(), s, w)
		if len(got) != n {
			t.Fatalf("round %d: %d conversations, want %d", round, len(got), n)
		}
		// Legs split up front read their whole window, whatever the order; a cut
		// would start on a whole second inside a chunk.
		for _, call := range st.Calls {
			u, err := url.Parse(strings.TrimPrefix(call, "GET "))
			if err != nil {
				t.Fatal(err)
			}
			start, _ := strconv.ParseInt(u.Query().Get("start_time"), 10, 64)
			if start%int64(ChunkSize/time.Second) != 0 {
				t.Fatalf("round %d: a leg was cut at %s over records out of time order", round, time.Unix(start, 0).UTC())
			}
		}
	}
}
