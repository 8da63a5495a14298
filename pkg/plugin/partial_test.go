package plugin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// progressiveSim serves 30 days of messages that take the simulator's real rate
// limit several seconds to hand out: more than a one-second response budget.
func progressiveSim(t *testing.T) (*simulator.Server, string) {
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: 31, PerHour: 5, Seed: 21,
		Now: func() time.Time { return testNow }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: 3, Faults: simulator.Faults{Latency: 50 * time.Millisecond}})
	return sim, startServer(t, sim)
}

func notices(r backend.DataResponse) string {
	var out []string
	for _, f := range r.Frames {
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				out = append(out, n.Text)
			}
		}
	}
	return strings.Join(out, " | ")
}

// TestADashboardAnswersWithWhatIsCompleteAndTheReadGoesOn asks for 30 days of
// message volume with a 1 s response budget: the first answer comes with the
// buckets read so far (each exact) and nulls elsewhere, newest first, and a notice;
// refreshes converge to the complete, exact answer without a notice; the same
// query from an alert rule gets an error, never a partial answer.
func TestADashboardAnswersWithWhatIsCompleteAndTheReadGoesOn(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.WaitsLong(t)
	sim, url := progressiveSim(t)
	d := newTestDatasource(t, url, map[string]any{"requestsPerSecond": 3, "responseSeconds": 1})
	from, to := testNow.Add(-30*24*time.Hour), testNow
	q := dataQuery("A", "messageVolume", from, to, map[string]any{"bucket": "1d"})
	want := map[int64]float64{}
	for _, m := range sim.Dataset().Messages("r3-218210", from, to, "") {
		want[bucketOf(m.Time, 24*time.Hour)]++
	}
	buckets := expectedBuckets(from, to, 24*time.Hour)

	// The dashboard's first answer starts the read, newest first.
	type answer struct {
		resp *backend.QueryDataResponse
		err  error
	}
	firstAnswer := make(chan answer, 1)
	go func() {
		resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{q}})
		firstAnswer <- answer{resp, err}
	}()
	for started := time.Now(); sim.Counts().Messages == 0; time.Sleep(10 * time.Millisecond) {
		if time.Since(started) > 30*time.Second {
			t.Fatal("the dashboard's query read nothing for 30 s")
		}
	}
	// An alert rule with a short deadline asks for the same range while that read
	// goes on: an error that says what was read, never the partial answer. Its
	// answer margin (a tenth, 500 ms) leaves a busy machine time to say it.
	// (Asked alongside rather than first, the read serves both: the test waits
	// for one read of the range, not an alert's and then the dashboard's.)
	actx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	alert, err := d.QueryData(actx, &backend.QueryDataRequest{Headers: map[string]string{backend.FromAlertHeaderName: "true"}, Queries: []backend.DataQuery{q}})
	cancel()
	if err != nil || alert.Responses["A"].Error == nil || !strings.Contains(alert.Responses["A"].Error.Error(), "messages") {
		t.Fatalf("alert: %v %v", err, alert.Responses["A"].Error)
	}

	a := <-firstAnswer
	if a.err != nil {
		t.Fatal(a.err)
	}
	first := a.resp.Responses["A"]
	if first.Error != nil {
		t.Fatal(first.Error)
	}
	if !strings.Contains(notices(first), "of this range is read so far") {
		t.Fatalf("no progress notice: %q", notices(first))
	}
	if c, ok := first.Frames[0].Meta.Custom.(map[string]any); !ok || c["progress"] == nil {
		t.Fatalf("no progress in the frame's custom meta: %#v", first.Frames[0].Meta.Custom)
	}
	got := series(t, first, "")[""]
	nulls, oldestValue := 0, int64(1<<62)
	for b, v := range got {
		if v == nil {
			nulls++
			continue
		}
		oldestValue = min(oldestValue, b)
		if w := want[b/int64(24*time.Hour)]; *v != w {
			t.Errorf("bucket %s: %v, want %v (a non-null bucket must be exact)", time.Unix(0, b).UTC(), *v, w)
		}
	}
	if nulls == 0 {
		t.Fatal("no bucket is null: the first answer should be partial")
	}
	// Newest first: what is complete by the first answer lies in the newest half.
	if half := buckets[len(buckets)/2] * int64(24*time.Hour); nulls < len(buckets) && oldestValue < half {
		t.Errorf("a bucket of the older half (%s) was read before the answer was due: the read is not newest first",
			time.Unix(0, oldestValue).UTC())
	}

	// Refreshes converge: the read went on without the panel.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		time.Sleep(500 * time.Millisecond)
		r := run(t, d, q).Responses["A"]
		if r.Error != nil {
			t.Fatal(r.Error)
		}
		if notices(r) == "" {
			compare(t, series(t, r, ""), map[string]map[int64]float64{"": want}, buckets, 24*time.Hour, false)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still partial: %s", notices(r))
		}
	}
	if sim.Counts().RateLimited != 0 {
		t.Errorf("%d answers 429", sim.Counts().RateLimited)
	}
}

// TestABackgroundReadNobodyAsksForStops answers partially, then asks no more: the
// read stops after KeepReading, well before it has read everything.
func TestABackgroundReadNobodyAsksForStops(t *testing.T) {
	testparallel.Waits(t)
	sim, url := progressiveSim(t)
	opts := testOptions()
	opts.KeepReading = 300 * time.Millisecond
	// Two seconds for the first answer: on a busy machine one second may not see
	// a leg's first pages in, and then no time is complete and no row shown.
	inst, err := Factory(opts)(t.Context(), instanceSettings(url, map[string]any{"requestsPerSecond": 3, "responseSeconds": 2}, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)
	from, to := testNow.Add(-30*24*time.Hour), testNow
	r := run(t, d, dataQuery("A", "messages", from, to, map[string]any{"limit": 100000})).Responses["A"]
	if r.Error != nil || !strings.Contains(notices(r), "read so far") {
		t.Fatalf("first answer: %v %q", r.Error, notices(r))
	}
	// Every row shown lies in complete time: rows newest first, none older than the
	// oldest complete time... and the table has fewer rows than the range holds.
	total := len(sim.Dataset().Messages("r3-218210", from, to, ""))
	if rows := r.Frames[0].Rows(); rows == 0 || rows >= total {
		t.Fatalf("%d rows of %d", rows, total)
	}
	// Wait until the simulator sees no request for a second.
	last, still := sim.Counts().Messages, time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Since(still) < time.Second; time.Sleep(50 * time.Millisecond) {
		if n := sim.Counts().Messages; n != last {
			last, still = n, time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatal("the background read did not stop")
		}
	}
	if pages := int64(total/1000 + 1); last >= pages {
		t.Fatalf("the read went on to the end (%d requests for %d pages) though nobody asked", last, pages)
	}
	var _ = data.Frame{}
}

// TestTheReadAfterAPartialAnswerKeepsToMaxRecords: the reading that goes on
// after a partial answer stops at the data source's maxRecords, even while
// someone could still ask for it.
func TestTheReadAfterAPartialAnswerKeepsToMaxRecords(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.WaitsLong(t)
	sim, url := progressiveSim(t)
	d := newTestDatasource(t, url, map[string]any{"requestsPerSecond": 3, "responseSeconds": 1, "maxRecords": 6000})
	from, to := testNow.Add(-30*24*time.Hour), testNow
	r := run(t, d, dataQuery("A", "messageVolume", from, to, map[string]any{"bucket": "1d"})).Responses["A"]
	if r.Error != nil || !strings.Contains(notices(r), "read so far") {
		t.Fatalf("first answer: %v %q", r.Error, notices(r))
	}
	last, still := sim.Counts().Messages, time.Now()
	for deadline := time.Now().Add(time.Minute); time.Since(still) < 2*time.Second; time.Sleep(50 * time.Millisecond) {
		if n := sim.Counts().Messages; n != last {
			last, still = n, time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatal("the background read did not stop")
		}
	}
	total := len(sim.Dataset().Messages("r3-218210", from, to, ""))
	if last >= int64(total/1000) {
		t.Fatalf("%d requests: the read went past maxRecords 6000 towards all %d messages", last, total)
	}
}
