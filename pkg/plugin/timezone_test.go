package plugin

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// zoneSim serves a few days of one bot around now, few enough conversations per
// hour that the test reads quickly and every bucket still holds some.
func zoneSim(t *testing.T, now time.Time, days int) (*simulator.Dataset, *Datasource) {
	t.Helper()
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: days, PerHour: 6, Seed: 11,
		Now: func() time.Time { return now }})
	srv := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1})
	url := startServer(t, srv)
	inst, err := Factory(Options{Cache: testOptions().Cache, Flights: testOptions().Flights, Now: func() time.Time { return now }, Backoff: fastBackoff})(
		t.Context(), instanceSettings(url, nil, testKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)
	return data, d
}

// localBuckets counts the simulator's conversations of [from, to) by the local
// day (or ISO week, from Monday) of their start, written without the plugin's
// grid: each start's date in loc, then that date's midnight in loc.
func localBuckets(convs []simulator.Conversation, from, to time.Time, loc *time.Location, week bool) ([]time.Time, []int64) {
	start := func(t time.Time) time.Time {
		l := t.In(loc)
		y, m, d := l.Date()
		if week {
			d -= (int(l.Weekday()) + 6) % 7
		}
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	var times []time.Time
	for s := start(from); s.Before(to); {
		times = append(times, s.UTC())
		y, m, d := s.Date()
		if week {
			d += 7
		} else {
			d++
		}
		s = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	counts := make([]int64, len(times))
	for _, c := range convs {
		if c.Start.Before(from) || !c.Start.Before(to) {
			continue
		}
		for i := len(times) - 1; i >= 0; i-- {
			if !c.Start.Before(times[i]) {
				counts[i]++
				break
			}
		}
	}
	return times, counts
}

func seriesOf(t *testing.T, r backend.DataResponse) ([]time.Time, []int64) {
	t.Helper()
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	f := r.Frames[0]
	var times []time.Time
	var counts []int64
	for i := 0; i < f.Fields[0].Len(); i++ {
		times = append(times, f.Fields[0].At(i).(time.Time))
		counts = append(counts, valueAt(f.Fields[1], i))
	}
	return times, counts
}

func valueAt(f *data.Field, i int) int64 {
	switch v := f.At(i).(type) {
	case int64:
		return v
	case *int64:
		if v != nil {
			return *v
		}
	}
	return -1
}

func sameSeries(t *testing.T, what string, gotT []time.Time, got []int64, wantT []time.Time, want []int64) {
	t.Helper()
	if fmt.Sprint(gotT) != fmt.Sprint(wantT) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got %v %v\nwant %v %v", what, gotT, got, wantT, want)
	}
}

// TestDailyBucketsFollowTheZoneAcrossDaylightSaving: the day before, of and after
// each clock change, counted by the local date of each conversation's start.
func TestDailyBucketsFollowTheZoneAcrossDaylightSaving(t *testing.T) {
	testparallel.BesideWaiting(t)
	cases := []struct {
		zone   string
		change string
	}{
		{"America/New_York", "2026-03-08"}, {"America/New_York", "2025-11-02"},
		{"Europe/Berlin", "2026-03-29"}, {"Europe/Berlin", "2025-10-26"},
		{"Asia/Kolkata", "2026-03-29"},
		{"Australia/Lord_Howe", "2026-04-05"}, {"Australia/Lord_Howe", "2025-10-05"},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.zone, "/", "_")+"_"+c.change, func(t *testing.T) {
			loc, err := time.LoadLocation(c.zone)
			if err != nil {
				t.Fatal(err)
			}
			day, _ := time.ParseInLocation("2006-01-02", c.change, loc)
			before, after := day.AddDate(0, 0, -1), day.AddDate(0, 0, 2)
			sim, d := zoneSim(t, after.Add(26*time.Hour), 5)
			convs := sim.Conversations("r3-218210", before.Add(-48*time.Hour), after.Add(48*time.Hour))
			lengths := map[string]time.Duration{}
			// Whole local days, and a range that starts and ends inside a day.
			for _, rng := range [][2]time.Time{{before, after}, {before.Add(7*time.Hour + 13*time.Minute), after.Add(-5 * time.Hour)}} {
				r := run(t, d, dataQuery("A", "conversationVolume", rng[0], rng[1], map[string]any{"bucket": "1d", "timezone": c.zone})).Responses["A"]
				gotT, got := seriesOf(t, r)
				wantT, want := localBuckets(convs, rng[0], rng[1], loc, false)
				sameSeries(t, "1d in "+c.zone, gotT, got, wantT, want)
				for i := 1; i < len(gotT); i++ {
					lengths[gotT[i-1].In(loc).Format("01-02")] = gotT[i].Sub(gotT[i-1])
				}
			}
			if c.zone == "Asia/Kolkata" {
				return
			}
			if l := lengths[day.Format("01-02")]; l == 24*time.Hour {
				t.Errorf("the day of the change is %v long", l)
			}
		})
	}
}

// TestWeeklyBucketsStartOnMondayLocal: 7d buckets are ISO weeks in the zone.
func TestWeeklyBucketsStartOnMondayLocal(t *testing.T) {
	testparallel.BesideWaiting(t)
	loc, _ := time.LoadLocation("America/New_York")
	from := time.Date(2026, 2, 25, 9, 0, 0, 0, loc) // a Wednesday, across the March change
	to := time.Date(2026, 3, 19, 18, 0, 0, 0, loc)
	sim, d := zoneSim(t, to.Add(30*time.Hour), 25)
	convs := sim.Conversations("r3-218210", from.Add(-8*24*time.Hour), to)
	r := run(t, d, dataQuery("A", "conversationVolume", from, to, map[string]any{"bucket": "7d", "timezone": "America/New_York"})).Responses["A"]
	gotT, got := seriesOf(t, r)
	wantT, want := localBuckets(convs, from, to, loc, true)
	sameSeries(t, "7d in New York", gotT, got, wantT, want)
	for _, tm := range gotT {
		if l := tm.In(loc); l.Weekday() != time.Monday || l.Hour() != 0 {
			t.Errorf("a week starts %s", l)
		}
	}
}

// TestAlertRuleWithoutTimezoneKeepsUTC: no dashboard, no zone, days on UTC midnight.
func TestAlertRuleWithoutTimezoneKeepsUTC(t *testing.T) {
	testparallel.BesideWaiting(t)
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	sim, d := zoneSim(t, now, 4)
	from, to := now.Add(-72*time.Hour), now
	q := dataQuery("A", "conversationVolume", from, to, map[string]any{"bucket": "1d"})
	resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{Headers: map[string]string{backend.FromAlertHeaderName: "true"}, Queries: []backend.DataQuery{q}})
	if err != nil {
		t.Fatal(err)
	}
	gotT, got := seriesOf(t, resp.Responses["A"])
	wantT, want := localBuckets(sim.Conversations("r3-218210", from, to), from, to, time.UTC, false)
	sameSeries(t, "alert rule without timezone", gotT, got, wantT, want)
}

// TestTimezoneErrors: an unknown zone, and "browser", which only the browser resolves.
func TestTimezoneErrors(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	for zone, want := range map[string]string{"Mars/Olympus": "unknown timezone", "browser": "resolved by the browser", "$tz": "tz"} {
		r := run(t, d, dataQuery("A", "conversationVolume", daysFrom, daysTo, map[string]any{"timezone": zone})).Responses["A"]
		if r.Error == nil || !strings.Contains(r.Error.Error(), want) {
			t.Errorf("timezone %q: error %v, want one saying %q", zone, r.Error, want)
		}
	}
}

// TestCalendarTimeShiftLinesUp: "7d earlier" on a zone's days across a clock
// change reads the same local days a week before and shows them on this week's
// local midnights, each day's count that of the day a week before.
func TestCalendarTimeShiftLinesUp(t *testing.T) {
	testparallel.BesideWaiting(t)
	loc, _ := time.LoadLocation("Europe/Berlin")
	from, to := time.Date(2026, 3, 30, 0, 0, 0, 0, loc), time.Date(2026, 4, 2, 0, 0, 0, 0, loc)
	sim, d := zoneSim(t, to.Add(time.Hour), 12)
	model := map[string]any{"bucket": "1d", "timezone": "Europe/Berlin"}
	shown, _ := seriesOf(t, run(t, d, dataQuery("A", "conversationVolume", from, to, model)).Responses["A"])
	model["timeShift"] = "7d"
	gotT, got := seriesOf(t, run(t, d, dataQuery("A", "conversationVolume", from, to, model)).Responses["A"])
	pf, pt := from.AddDate(0, 0, -7), to.AddDate(0, 0, -7)
	_, want := localBuckets(sim.Conversations("r3-218210", pf, pt), pf, pt, loc, false)
	sameSeries(t, "7d earlier across the change", gotT, got, shown, want)
}

// TestHourlyBucketsOnLocalWholeHours: Kolkata's hours start on the half hour UTC;
// Lord Howe's clock moves by 30 minutes, which makes one hour 30 or 90 minutes
// long. The reference walks the clock minute by minute: a bucket starts where
// the clock shows a whole hour or jumps into another hour.
func TestHourlyBucketsOnLocalWholeHours(t *testing.T) {
	testparallel.BesideWaiting(t)
	for _, c := range []struct{ zone, change string }{
		{"Asia/Kolkata", "2026-03-29"}, {"Australia/Lord_Howe", "2026-04-05"}, {"Australia/Lord_Howe", "2025-10-05"},
	} {
		loc, _ := time.LoadLocation(c.zone)
		day, _ := time.ParseInLocation("2006-01-02", c.change, loc)
		from, to := day.Add(-3*time.Hour-10*time.Minute), day.Add(7*time.Hour)
		sim, d := zoneSim(t, to.Add(3*time.Hour), 2)
		var starts []time.Time
		prevHour := -1
		for m := from.Add(-2 * time.Hour).Truncate(time.Minute); m.Before(to); m = m.Add(time.Minute) {
			l := m.In(loc)
			if (l.Minute() == 0 || l.Hour() != prevHour) && prevHour >= 0 {
				starts = append(starts, m)
			}
			prevHour = l.Hour()
		}
		for len(starts) > 1 && !starts[1].After(from) {
			starts = starts[1:]
		}
		want := make([]int64, len(starts))
		for _, conv := range sim.Conversations("r3-218210", from, to) {
			for i := len(starts) - 1; i >= 0; i-- {
				if !conv.Start.Before(starts[i]) {
					want[i]++
					break
				}
			}
		}
		wantT := make([]time.Time, len(starts))
		for i, s := range starts {
			wantT[i] = s.UTC()
		}
		r := run(t, d, dataQuery("A", "conversationVolume", from, to, map[string]any{"bucket": "1h", "timezone": c.zone})).Responses["A"]
		gotT, got := seriesOf(t, r)
		sameSeries(t, "1h in "+c.zone+" around "+c.change, gotT, got, wantT, want)
		uneven := false
		for i := 1; i < len(gotT); i++ {
			uneven = uneven || gotT[i].Sub(gotT[i-1]) != time.Hour
		}
		if uneven != (c.zone == "Australia/Lord_Howe") || gotT[1].Minute() != 30 && c.zone == "Asia/Kolkata" {
			t.Errorf("%s: hours start at %v", c.zone, gotT)
		}
	}
}
