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
	client, err := exportapi.New(exportapi.Config{BaseURL: hs.URL, APIKey: key, Limiters: (&exportapi.LimiterPool{}).Acquire(hs.URL, key, 1000)})
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

// memHints stands in for the disk cache's hints (tested there against a real file).
type memHints map[string]float64

func (m memHints) Hint(k string) (float64, bool) { v, ok := m[k]; return v, ok }
func (m memHints) SaveHint(k string, v float64)  { m[k] = v }

// TestAColdReadStartsFromWhatEarlierProcessesMeasured: with nothing known a read
// of two days or more starts with two legs; with a remembered latency of 1 s and a density,
// as many as the rate limit needs at that latency (3 at 3 requests/s), bounded by
// the pages the records fill.
func TestAColdReadStartsFromWhatEarlierProcessesMeasured(t *testing.T) {
	client, err := exportapi.New(exportapi.Config{BaseURL: "http://api.test", APIKey: "key-123456", Limiters: (&exportapi.LimiterPool{}).Acquire("http://api.test", "key-123456", 3)})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	hints := memHints{}
	s := New(Config{Client: client, BaseURL: "http://api.test", APIKey: "key-123456", Live: time.Hour, Flights: NewFlights(), Hints: hints})
	twoDays := []span{{from: time.Unix(0, 0), to: time.Unix(0, 0).Add(48 * time.Hour)}}
	if n := s.streams(exportapi.EndpointMessages, "b", twoDays); n != speculativeLegs {
		t.Fatalf("nothing known: %d legs, want %d", n, speculativeLegs)
	}
	hints[s.hintKey("latency", exportapi.EndpointMessages)] = 1.0
	hints[s.hintKey("density", exportapi.EndpointMessages+"|b")] = 2000 // 96 pages in 2 days
	if n := s.streams(exportapi.EndpointMessages, "b", twoDays); n != 3 {
		t.Fatalf("1 s remembered: %d legs, want 3", n)
	}
	hints[s.hintKey("density", exportapi.EndpointMessages+"|b")] = 30 // 1.4 pages: one leg is enough
	if n := s.streams(exportapi.EndpointMessages, "b", twoDays); n != 1 {
		t.Fatalf("few records: %d legs, want 1", n)
	}
}

// TestHintsAreWrittenWhenTheyChange: a read that measures what the last did
// writes nothing (a write costs a disk sync); a change of over a tenth is written.
func TestHintsAreWrittenWhenTheyChange(t *testing.T) {
	fl := NewFlights()
	for i, tc := range []struct {
		v    float64
		want bool
	}{{100, true}, {105, false}, {95, false}, {111, true}, {112, false}} {
		if got := fl.worthHinting("k", tc.v); got != tc.want {
			t.Fatalf("step %d (%v): worth writing %v, want %v", i, tc.v, got, tc.want)
		}
	}
}

// TestALegThatFinishedStaysReadWhenAnotherFails: the time of a leg that ended
// without an error counts as read after another leg fails (a flight cut short
// keeps it), a failed leg counts up to its last record in time order, and one
// out of time order not at all.
func TestALegThatFinishedStaysReadWhenAnotherFails(t *testing.T) {
	f := newFixture(t, simulator.Faults{})
	at := func(h int) time.Time { return time.Date(2026, 11, 20, h, 0, 0, 0, time.UTC) }
	finished := &leg{from: at(0), to: at(4), sorted: true}
	failing := &leg{from: at(4), to: at(8), sorted: true, records: 10, progress: at(5).Add(30 * time.Minute)}
	unsorted := &leg{from: at(8), to: at(12), records: 10, progress: at(11)}
	r := &legRunner[exportapi.Conversation]{s: f.source(0), ep: conversations, legs: []*leg{finished, failing, unsorted}, active: 3, cancel: func() {}}
	r.finish(finished, exportapi.Stats{}, nil)
	r.finish(failing, exportapi.Stats{}, fmt.Errorf("the API answered 503"))
	want := []interval{{from: at(0), to: at(5).Add(30 * time.Minute)}}
	if got := r.covered(); !slices.Equal(got, want) {
		t.Fatalf("covered %v, want %v", got, want)
	}
}
