package plugin

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// The filters a dashboard's "locale != x" and "type = / != x" become, counted
// straight from the simulator's records.

func TestExcludedLocalesAreExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	convs := sim.Dataset().Conversations("r3-218210", daysFrom, daysTo)
	for _, excluded := range [][]string{{"en_us"}, {"(none)", "de_de"}} {
		t.Run(strings.Join(excluded, ","), func(t *testing.T) {
			model := map[string]any{"groupBy": "locale", "bucket": "1h", "filters": map[string]any{"excludeLocales": excluded}}
			r := run(t, d, dataQuery("A", "conversationVolume", daysFrom, daysTo, model)).Responses["A"]
			want := map[string]map[int64]float64{}
			kept := 0
			for _, c := range convs {
				g := noneIfEmpty(c.LocaleGroup())
				if slices.Contains(excluded, g) {
					continue
				}
				if want[g] == nil {
					want[g] = map[int64]float64{}
				}
				want[g][bucketOf(c.Start, time.Hour)]++
				kept++
			}
			if kept == 0 || kept == len(convs) {
				t.Fatalf("%d of %d conversations kept: the case proves nothing", kept, len(convs))
			}
			compare(t, series(t, r, "locale"), want, expectedBuckets(daysFrom, daysTo, time.Hour), time.Hour, false)
		})
	}
}

func TestMessageTypeFiltersAreExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	from, to := testNow.Add(-30*time.Hour-17*time.Second), testNow.Add(-7*time.Minute)
	msgs := sim.Dataset().Messages("acme-support", from, to, "")
	convGroups := map[string][]string{}
	for _, c := range sim.Dataset().Conversations("acme-support", from.Add(-24*time.Hour), to) {
		convGroups[c.ID] = simGroups(c, "tag", "")
	}
	var types []string
	for _, m := range msgs {
		if !slices.Contains(types, m.Type) {
			types = append(types, m.Type)
		}
	}
	if len(types) < 2 {
		t.Fatalf("message types %v: want at least two", types)
	}
	cases := []struct {
		name    string
		filters map[string]any
		keep    func(typ string) bool
	}{
		{"types", map[string]any{"types": []string{types[0]}}, func(typ string) bool { return typ == types[0] }},
		{"excludeTypes", map[string]any{"excludeTypes": []string{types[0]}}, func(typ string) bool { return typ != types[0] }},
		{"excludeTypes (none)", map[string]any{"excludeTypes": []string{"(none)"}}, func(typ string) bool { return typ != "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			model := map[string]any{"bot": "acme-support", "groupBy": "tag", "bucket": "30m", "filters": tc.filters}
			r := run(t, d, dataQuery("A", "messageVolume", from, to, model)).Responses["A"]
			want := map[string]map[int64]float64{}
			for _, m := range msgs {
				if !tc.keep(m.Type) {
					continue
				}
				for _, g := range convGroups[m.ConversationID] {
					if want[g] == nil {
						want[g] = map[int64]float64{}
					}
					want[g][bucketOf(m.Time, 30*time.Minute)]++
				}
			}
			compare(t, series(t, r, "tag"), want, expectedBuckets(from, to, 30*time.Minute), 30*time.Minute, false)
		})
	}

	t.Run("messages table", func(t *testing.T) {
		model := map[string]any{"bot": "acme-support", "limit": 100000, "filters": map[string]any{"types": []string{types[1]}}}
		r := run(t, d, dataQuery("A", "messages", from, to, model)).Responses["A"]
		if r.Error != nil {
			t.Fatal(r.Error)
		}
		want := 0
		for _, m := range msgs {
			if m.Type == types[1] {
				want++
			}
		}
		f := r.Frames[0]
		typeField, _ := f.FieldByName("type")
		if f.Rows() != want || typeField == nil {
			t.Fatalf("%d rows, want %d", f.Rows(), want)
		}
		for i := range f.Rows() {
			if v, _ := typeField.ConcreteAt(i); v != types[1] {
				t.Fatalf("row %d has type %v", i, v)
			}
		}
	})

	t.Run("refused where no message is read", func(t *testing.T) {
		model := map[string]any{"bot": "acme-support", "bucket": "1h", "filters": map[string]any{"types": []string{types[0]}}}
		r := run(t, d, dataQuery("A", "conversationVolume", from, to, model)).Responses["A"]
		if r.Error == nil || !strings.Contains(r.Error.Error(), "conversationVolume counts conversations") {
			t.Fatalf("error %v, want a refusal naming the query type", r.Error)
		}
	})
}
