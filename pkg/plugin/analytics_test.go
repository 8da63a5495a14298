package plugin

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// The expectations below are computed straight from the simulator's records with
// code written for the test: its own bucket arithmetic, grouping and statistics.

// A window of three days and a bit, starting and ending off the hour.
var (
	daysFrom = testNow.Add(-75*time.Hour - 23*time.Minute - 7*time.Second - 125*time.Millisecond)
	daysTo   = testNow.Add(-time.Hour - 41*time.Minute - 13*time.Second)
)

func bucketOf(t time.Time, step time.Duration) int64 {
	return t.UnixNano() / int64(step) // every test time is after 1970
}

// expectedBuckets lists every bucket start of [from, to) for step.
func expectedBuckets(from, to time.Time, step time.Duration) []int64 {
	var out []int64
	for b := bucketOf(from, step); b <= bucketOf(to.Add(-time.Nanosecond), step); b++ {
		out = append(out, b)
	}
	return out
}

func metaText(c simulator.Conversation, key string) string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(c.Metadata, &m)
	raw, ok := m[key]
	if !ok || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func noneIfEmpty(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func simGroups(c simulator.Conversation, groupBy, key string) []string {
	switch groupBy {
	case "tag":
		if len(c.Tags) == 0 {
			return []string{"(none)"}
		}
		return c.Tags
	case "locale":
		return []string{noneIfEmpty(c.LocaleGroup())}
	case "metadata":
		return []string{noneIfEmpty(metaText(c, key))}
	}
	return []string{""}
}

// series reads timeseries-multi frames into label value → bucket start → value (nil for null).
func series(t *testing.T, r backend.DataResponse, labelName string) map[string]map[int64]*float64 {
	t.Helper()
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	out := map[string]map[int64]*float64{}
	for _, f := range r.Frames {
		if f.Meta == nil || f.Meta.Type != data.FrameTypeTimeSeriesMulti {
			t.Fatalf("frame %q is not timeseries-multi", f.Name)
		}
		if len(f.Fields) == 0 {
			continue
		}
		if len(f.Fields) != 2 || f.Fields[0].Type() != data.FieldTypeTime {
			t.Fatalf("frame %q: want a time field and one number field, got %d fields", f.Name, len(f.Fields))
		}
		group := ""
		if labelName != "" {
			group = f.Fields[1].Labels[labelName]
		}
		if _, dup := out[group]; dup {
			t.Fatalf("group %q twice", group)
		}
		vals := map[int64]*float64{}
		for i := 0; i < f.Rows(); i++ {
			ts := f.Fields[0].At(i).(time.Time)
			v, ok := f.Fields[1].ConcreteAt(i)
			var p *float64
			if ok {
				x := toFloat(v)
				p = &x
			}
			vals[ts.UnixNano()] = p
		}
		out[group] = vals
	}
	return out
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	panic(fmt.Sprintf("unexpected %T", v))
}

// compare checks every group and every bucket, including the zero and null ones.
func compare(t *testing.T, got map[string]map[int64]*float64, want map[string]map[int64]float64, buckets []int64, step time.Duration, nullWhenMissing bool) {
	t.Helper()
	groups := func(m map[string]map[int64]*float64) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	var wantGroups []string
	for k := range want {
		wantGroups = append(wantGroups, k)
	}
	sort.Strings(wantGroups)
	if !slices.Equal(groups(got), wantGroups) {
		t.Fatalf("groups %v, want %v", groups(got), wantGroups)
	}
	for g, vals := range got {
		if len(vals) != len(buckets) {
			t.Fatalf("group %q has %d buckets, want %d", g, len(vals), len(buckets))
		}
		for _, b := range buckets {
			v, present := vals[b*int64(step)]
			if !present {
				t.Fatalf("group %q lacks bucket %s", g, time.Unix(0, b*int64(step)).UTC())
			}
			w, has := want[g][b]
			switch {
			case !has && nullWhenMissing:
				if v != nil {
					t.Fatalf("group %q bucket %s: %v, want null", g, time.Unix(0, b*int64(step)).UTC(), *v)
				}
			case v == nil:
				t.Fatalf("group %q bucket %s: null, want %v", g, time.Unix(0, b*int64(step)).UTC(), w)
			case math.Abs(*v-w) > 1e-9:
				t.Fatalf("group %q bucket %s: %v, want %v", g, time.Unix(0, b*int64(step)).UTC(), *v, w)
			}
		}
	}
}

func TestConversationVolumeIsExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	convs := sim.Dataset().Conversations("r3-218210", daysFrom, daysTo)
	cases := []struct {
		groupBy, key, bucket string
		step                 time.Duration
		filters              map[string]any
	}{
		{"", "", "1h", time.Hour, nil},
		{"tag", "", "15m", 15 * time.Minute, nil},
		{"locale", "", "1d", 24 * time.Hour, nil},
		{"metadata", "plan", "6h", 6 * time.Hour, nil},
		{"locale", "", "1h", time.Hour, map[string]any{"excludeTags": []string{"liveChat"}, "locales": []string{"en_us", "xx_xx"}}},
	}
	for _, tc := range cases {
		t.Run(tc.groupBy+"/"+tc.bucket, func(t *testing.T) {
			model := map[string]any{"groupBy": tc.groupBy, "metadataKey": tc.key, "bucket": tc.bucket}
			if tc.filters != nil {
				model["filters"] = tc.filters
			}
			r := run(t, d, dataQuery("A", "conversationVolume", daysFrom, daysTo, model)).Responses["A"]
			want := map[string]map[int64]float64{}
			if tc.groupBy == "" {
				want[""] = map[int64]float64{}
			}
			excluded := func(c simulator.Conversation) bool { return false }
			if tc.filters != nil {
				// The seed "xx_xx" has no conversation: it must still appear, all zeros.
				want["en_us"], want["xx_xx"] = map[int64]float64{}, map[int64]float64{}
				excluded = func(c simulator.Conversation) bool {
					return slices.Contains(c.Tags, "liveChat") || c.LocaleGroup() != "en_us"
				}
			}
			for _, c := range convs {
				if excluded(c) {
					continue
				}
				for _, g := range simGroups(c, tc.groupBy, tc.key) {
					if want[g] == nil {
						want[g] = map[int64]float64{}
					}
					want[g][bucketOf(c.Start, tc.step)]++
				}
			}
			label := tc.groupBy
			if tc.groupBy == "metadata" {
				label = tc.key
			}
			compare(t, series(t, r, label), want, expectedBuckets(daysFrom, daysTo, tc.step), tc.step, false)
		})
	}
}

func TestMessageVolumeIsExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	from, to := testNow.Add(-30*time.Hour-17*time.Second), testNow.Add(-7*time.Minute)
	msgs := sim.Dataset().Messages("acme-support", from, to, "")
	convGroups := map[string][]string{}
	for _, c := range sim.Dataset().Conversations("acme-support", from.Add(-24*time.Hour), to) {
		convGroups[c.ID] = simGroups(c, "tag", "")
	}
	for _, groupBy := range []string{"", "type", "tag"} {
		t.Run(groupBy, func(t *testing.T) {
			r := run(t, d, dataQuery("A", "messageVolume", from, to, map[string]any{"bot": "acme-support", "groupBy": groupBy, "bucket": "30m"}))
			want := map[string]map[int64]float64{}
			if groupBy == "" {
				want[""] = map[int64]float64{}
			}
			for _, m := range msgs {
				groups := []string{""}
				switch groupBy {
				case "type":
					groups = []string{m.Type}
				case "tag":
					groups = convGroups[m.ConversationID]
				}
				for _, g := range groups {
					if want[g] == nil {
						want[g] = map[int64]float64{}
					}
					want[g][bucketOf(m.Time, 30*time.Minute)]++
				}
			}
			compare(t, series(t, r.Responses["A"], groupBy), want, expectedBuckets(from, to, 30*time.Minute), 30*time.Minute, false)
		})
	}
}

func TestTagRateIsExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	r := run(t, d, dataQuery("A", "tagRate", daysFrom, daysTo, map[string]any{"tag": "liveChat", "groupBy": "locale", "bucket": "2h"}))
	totals, hits := map[string]map[int64]float64{}, map[string]map[int64]float64{}
	for _, c := range sim.Dataset().Conversations("r3-218210", daysFrom, daysTo) {
		g := noneIfEmpty(c.LocaleGroup())
		if totals[g] == nil {
			totals[g], hits[g] = map[int64]float64{}, map[int64]float64{}
		}
		b := bucketOf(c.Start, 2*time.Hour)
		totals[g][b]++
		if slices.Contains(c.Tags, "liveChat") {
			hits[g][b]++
		}
	}
	want := map[string]map[int64]float64{}
	for g, bs := range totals {
		want[g] = map[int64]float64{}
		for b, n := range bs {
			want[g][b] = hits[g][b] * 100 / n
		}
	}
	got := series(t, r.Responses["A"], "locale")
	compare(t, got, want, expectedBuckets(daysFrom, daysTo, 2*time.Hour), 2*time.Hour, true)
	f := r.Responses["A"].Frames[0]
	if f.Fields[1].Config.Unit != "percent" {
		t.Errorf("unit %q", f.Fields[1].Config.Unit)
	}
}

// nearestRankOf is the smallest value that at least p% of values do not exceed.
func nearestRankOf(values []float64, p float64) float64 {
	s := slices.Clone(values)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	if rank < 1 {
		rank = 1
	}
	return s[rank-1]
}

func TestUserMessageStatisticsAreExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	convs := sim.Dataset().Conversations("r3-218210", daysFrom, daysTo)
	for _, stat := range []string{"sum", "avg", "p50", "p90", "max"} {
		for _, groupBy := range []string{"", "tag"} {
			t.Run(stat+"/"+groupBy, func(t *testing.T) {
				r := run(t, d, dataQuery("A", "userMessages", daysFrom, daysTo, map[string]any{"stat": stat, "groupBy": groupBy, "bucket": "3h"}))
				values := map[string]map[int64][]float64{}
				for _, c := range convs {
					n := 0.0
					if c.HasUserMessageCount {
						n = float64(c.UserMessageCount)
					}
					for _, g := range simGroups(c, groupBy, "") {
						if values[g] == nil {
							values[g] = map[int64][]float64{}
						}
						b := bucketOf(c.Start, 3*time.Hour)
						values[g][b] = append(values[g][b], n)
					}
				}
				want := map[string]map[int64]float64{}
				for g, bs := range values {
					want[g] = map[int64]float64{}
					for b, vs := range bs {
						var sum, maxV float64
						for _, v := range vs {
							sum += v
							maxV = math.Max(maxV, v)
						}
						want[g][b] = map[string]float64{"sum": sum, "avg": sum / float64(len(vs)), "max": maxV,
							"p50": nearestRankOf(vs, 50), "p90": nearestRankOf(vs, 90)}[stat]
					}
				}
				buckets := expectedBuckets(daysFrom, daysTo, 3*time.Hour)
				if stat == "sum" { // the sum of nothing is 0: every bucket has a value
					for g := range want {
						for _, b := range buckets {
							if _, ok := want[g][b]; !ok {
								want[g][b] = 0
							}
						}
					}
				}
				compare(t, series(t, r.Responses["A"], groupBy), want, buckets, 3*time.Hour, stat != "sum")
			})
		}
	}
}

// TestConversationDurationIsExact computes lastActionAt − startTime from the
// simulator's records, as the API sends them (startTime in whole seconds,
// lastActionAt to the microsecond), and compares every bucket of every group.
func TestConversationDurationIsExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	convs := sim.Dataset().Conversations("r3-218210", daysFrom, daysTo)
	for _, stat := range []string{"avg", "p50", "p90", "max"} {
		for _, groupBy := range []string{"", "locale"} {
			t.Run(stat+"/"+groupBy, func(t *testing.T) {
				r := run(t, d, dataQuery("A", "conversationDuration", daysFrom, daysTo, map[string]any{"stat": stat, "groupBy": groupBy, "bucket": "6h"}))
				values := map[string]map[int64][]float64{}
				for _, c := range convs {
					seconds := c.LastActionAt.Truncate(time.Microsecond).Sub(c.Start.Truncate(time.Second)).Seconds()
					for _, g := range simGroups(c, groupBy, "") {
						if values[g] == nil {
							values[g] = map[int64][]float64{}
						}
						b := bucketOf(c.Start, 6*time.Hour)
						values[g][b] = append(values[g][b], seconds)
					}
				}
				want := map[string]map[int64]float64{}
				for g, bs := range values {
					want[g] = map[int64]float64{}
					for b, vs := range bs {
						var sum, maxV float64
						for _, v := range vs {
							sum += v
							maxV = math.Max(maxV, v)
						}
						want[g][b] = map[string]float64{"avg": sum / float64(len(vs)), "max": maxV,
							"p50": nearestRankOf(vs, 50), "p90": nearestRankOf(vs, 90)}[stat]
					}
				}
				compare(t, series(t, r.Responses["A"], groupBy), want, expectedBuckets(daysFrom, daysTo, 6*time.Hour), 6*time.Hour, true)
			})
		}
	}
	// A sum of durations is refused, with the statistics that apply.
	r := run(t, d, dataQuery("A", "conversationDuration", daysFrom, daysTo, map[string]any{"stat": "sum"}))
	if e := r.Responses["A"].Error; e == nil || !strings.Contains(e.Error(), "avg, p50, p90 or max") {
		t.Fatalf("stat sum: %v", e)
	}
}

func TestConversationCountsAndHistogramAreExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	convs := sim.Dataset().Conversations("r3-218210", daysFrom, daysTo)
	resp := run(t, d,
		dataQuery("counts", "conversationCounts", daysFrom, daysTo, map[string]any{"groupBy": "tag"}),
		dataQuery("hist", "userMessageHistogram", daysFrom, daysTo, map[string]any{}),
	)
	counts := map[string]int64{}
	hist := map[int64]int64{}
	var maxCount int64
	for _, c := range convs {
		for _, g := range simGroups(c, "tag", "") {
			counts[g]++
		}
		n := int64(0)
		if c.HasUserMessageCount {
			n = int64(c.UserMessageCount)
		}
		hist[n]++
		maxCount = max(maxCount, n)
	}
	f := resp.Responses["counts"].Frames[0]
	if f.Rows() != len(counts) {
		t.Fatalf("%d rows, want %d groups", f.Rows(), len(counts))
	}
	var prev int64 = math.MaxInt64
	for i := 0; i < f.Rows(); i++ {
		g, n := f.Fields[0].At(i).(string), f.Fields[1].At(i).(int64)
		p := *f.Fields[2].At(i).(*float64)
		if n != counts[g] || math.Abs(p-float64(counts[g])*100/float64(len(convs))) > 1e-9 {
			t.Fatalf("group %s: %d (%.4f%%), want %d of %d", g, n, p, counts[g], len(convs))
		}
		if n > prev {
			t.Fatal("rows are not largest first")
		}
		prev = n
	}
	h := resp.Responses["hist"].Frames[0]
	if int64(h.Rows()) != maxCount+1 {
		t.Fatalf("%d histogram rows, want 0..%d", h.Rows(), maxCount)
	}
	for i := 0; i < h.Rows(); i++ {
		if h.Fields[0].At(i).(int64) != int64(i) || h.Fields[1].At(i).(int64) != hist[int64(i)] {
			t.Fatalf("histogram row %d: %v conversations, want %d", i, h.Fields[1].At(i), hist[int64(i)])
		}
	}
}

func TestValuesListDistinctValues(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, map[string]any{"bots": []string{"acme-support", "r3-218210"}})
	from, to := testNow.Add(-6*time.Hour), testNow
	convs := sim.Dataset().Conversations("r3-218210", from, to)
	want := map[string]map[string]bool{"tag": {}, "locale": {}, "metadataKey": {}, "metadataValue": {}, "messageType": {}}
	for _, c := range convs {
		for _, tag := range c.Tags {
			want["tag"][tag] = true
		}
		if c.LocaleGroup() != "" {
			want["locale"][c.LocaleGroup()] = true
		}
		var m map[string]json.RawMessage
		_ = json.Unmarshal(c.Metadata, &m)
		for k := range m {
			want["metadataKey"][k] = true
		}
		if v := metaText(c, "channel"); v != "" {
			want["metadataValue"][v] = true
		}
	}
	for _, m := range sim.Dataset().Messages("r3-218210", from, to, "") {
		want["messageType"][m.Type] = true
	}
	for field, set := range want {
		r := run(t, d, dataQuery("A", "values", from, to, map[string]any{"field": field, "metadataKey": "channel"})).Responses["A"]
		if r.Error != nil {
			t.Fatal(r.Error)
		}
		var wantList []string
		for v := range set {
			wantList = append(wantList, v)
		}
		sort.Strings(wantList)
		f := r.Frames[0]
		var got []string
		for i := 0; i < f.Rows(); i++ {
			got = append(got, f.Fields[0].At(i).(string))
		}
		if len(f.Fields) != 1 || !slices.Equal(got, wantList) {
			t.Errorf("%s: %v, want %v", field, got, wantList)
		}
	}
	r := run(t, d, dataQuery("A", "values", from, to, map[string]any{"field": "bot"})).Responses["A"]
	if got := r.Frames[0].Fields[0]; got.Len() != 2 || got.At(0) != "acme-support" {
		t.Errorf("bots: %v", got)
	}
}

func TestTranscriptIsALogOfOneConversation(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	conv := sim.Dataset().Conversations("r3-218210", testNow.Add(-5*time.Hour), testNow.Add(-4*time.Hour))[3]
	r := run(t, d, dataQuery("A", "transcript", testNow.Add(-6*time.Hour), testNow, map[string]any{
		"filters": map[string]any{"conversationId": conv.ID},
	})).Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	f := r.Frames[0]
	if f.Meta.Type != data.FrameTypeLogLines || f.Rows() != len(conv.Messages) {
		t.Fatalf("type %s, %d lines, want %d", f.Meta.Type, f.Rows(), len(conv.Messages))
	}
	for i, m := range conv.Messages {
		body := f.Fields[1].At(i).(string)
		wantPrefix := "bot: "
		if m.Type == "UserInput" {
			wantPrefix = "user: "
		}
		if !f.Fields[0].At(i).(time.Time).Equal(m.Time) || !strings.HasPrefix(body, wantPrefix) {
			t.Fatalf("line %d: %s %q, want %s %q…", i, f.Fields[0].At(i), body, m.Time, wantPrefix)
		}
		var labels map[string]string
		_ = json.Unmarshal(f.Fields[3].At(i).(json.RawMessage), &labels)
		if labels["conversationId"] != conv.ID || labels["type"] != m.Type {
			t.Fatalf("line %d labels %v", i, labels)
		}
	}
}

func TestBucketsAlignToUTCWhateverTheTimeZone(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	kolkata := time.FixedZone("IST", 5*3600+1800)
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		newYork = time.FixedZone("EST", -5*3600)
	}
	utc := run(t, d, dataQuery("A", "conversationVolume", daysFrom, daysTo, map[string]any{"bucket": "1d"})).Responses["A"]
	for _, loc := range []*time.Location{kolkata, newYork} {
		r := run(t, d, dataQuery("A", "conversationVolume", daysFrom.In(loc), daysTo.In(loc), map[string]any{"bucket": "1d"})).Responses["A"]
		got, want := series(t, r, ""), series(t, utc, "")
		for ts, v := range want[""] {
			if got[""][ts] == nil || *got[""][ts] != *v {
				t.Fatalf("%s: bucket %s differs", loc, time.Unix(0, ts).UTC())
			}
			if time.Unix(0, ts).UTC().Hour() != 0 {
				t.Fatalf("a 1d bucket starts at %s, not at 00:00 UTC", time.Unix(0, ts).UTC())
			}
		}
	}
}

func TestBucketChoice(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	q := dataQuery("A", "conversationVolume", testNow.Add(-24*time.Hour), testNow, map[string]any{})
	q.Interval, q.MaxDataPoints = 20*time.Second, 100 // 24h / 100 points = 14.4m, rounded up to 15m
	r := run(t, d, q).Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	times := r.Frames[0].Fields[0]
	if step := times.At(1).(time.Time).Sub(times.At(0).(time.Time)); step != 15*time.Minute {
		t.Fatalf("derived bucket %s, want 15m", step)
	}
	r = run(t, d, dataQuery("A", "conversationVolume", testNow.Add(-30*24*time.Hour), testNow, map[string]any{"bucket": "1m"})).Responses["A"]
	if r.Error == nil || !strings.Contains(r.Error.Error(), "use a bucket of 5m or more") {
		t.Fatalf("a 1m bucket over 30 days: %v", r.Error)
	}
}

// TestVolumesOnRecordTimestamps puts the range's edges exactly on records: the one
// at from counts, the one at to does not.
func TestVolumesOnRecordTimestamps(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	convs := sim.Dataset().Conversations("r3-218210", daysFrom, daysTo)
	from, to := convs[17].Start, convs[len(convs)-23].Start
	msgs := sim.Dataset().Messages("r3-218210", testNow.Add(-9*time.Hour), testNow.Add(-2*time.Hour), "")
	mFrom, mTo := msgs[41].Time, msgs[len(msgs)-5].Time
	resp := run(t, d,
		dataQuery("C", "conversationVolume", from, to, map[string]any{"bucket": "7d"}),
		dataQuery("M", "messageVolume", mFrom, mTo, map[string]any{"bucket": "1d"}),
	)
	total := func(r backend.DataResponse) float64 {
		var sum float64
		for _, v := range series(t, r, "")[""] {
			sum += *v
		}
		return sum
	}
	if got, want := total(resp.Responses["C"]), float64(len(sim.Dataset().Conversations("r3-218210", from, to))); got != want || want == 0 {
		t.Errorf("conversations between two starts: %v, want %v", got, want)
	}
	wantMsgs := 0
	for _, m := range sim.Dataset().Messages("r3-218210", mFrom.Add(-time.Hour), mTo.Add(time.Hour), "") {
		if !m.Time.Before(mFrom) && m.Time.Before(mTo) {
			wantMsgs++
		}
	}
	if got := total(resp.Responses["M"]); got != float64(wantMsgs) {
		t.Errorf("messages between two message times: %v, want %d", got, wantMsgs)
	}
}

// TestWholeRangeBucketIsExact checks bucket "range", what a dashboard's stat panels
// use: one point at the range's start holding the figure over all of [from, to),
// computed here over every conversation of the window, not as a mean of buckets.
func TestWholeRangeBucketIsExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	convs := sim.Dataset().Conversations("r3-218210", daysFrom, daysTo)
	total, hits, users, durations := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string][]float64{}
	for _, c := range convs {
		g := noneIfEmpty(c.LocaleGroup())
		total[g]++
		if slices.Contains(c.Tags, "resolved") {
			hits[g]++
		}
		if c.HasUserMessageCount {
			users[g] += float64(c.UserMessageCount)
		}
		durations[g] = append(durations[g], c.LastActionAt.Truncate(time.Microsecond).Sub(c.Start.Truncate(time.Second)).Seconds())
	}
	want := map[string]map[string]float64{"conversationVolume": {}, "tagRate": {}, "userMessages": {}, "conversationDuration": {}}
	for g, n := range total {
		want["conversationVolume"][g] = n
		want["tagRate"][g] = hits[g] * 100 / n
		want["userMessages"][g] = users[g] / n
		want["conversationDuration"][g] = nearestRankOf(durations[g], 50)
	}
	models := map[string]map[string]any{
		"conversationVolume":   {},
		"tagRate":              {"tag": "resolved"},
		"userMessages":         {"stat": "avg"},
		"conversationDuration": {"stat": "p50"},
	}
	for qt, model := range models {
		t.Run(qt, func(t *testing.T) {
			model["groupBy"], model["bucket"] = "locale", "range"
			got := series(t, run(t, d, dataQuery("A", qt, daysFrom, daysTo, model)).Responses["A"], "locale")
			if len(got) != len(want[qt]) {
				t.Fatalf("%d groups, want %d", len(got), len(want[qt]))
			}
			for g, w := range want[qt] {
				v, ok := got[g][daysFrom.UnixNano()]
				if len(got[g]) != 1 || !ok || v == nil {
					t.Fatalf("group %q: want one point at the range's start, got %v", g, got[g])
				}
				if math.Abs(*v-w) > 1e-9*math.Max(1, math.Abs(w)) {
					t.Errorf("group %q: %v, want %v", g, *v, w)
				}
			}
		})
	}
}

// TestTimeShiftIsExact reads a series a day earlier and shows it at the query's
// own times: the same numbers as the unshifted query over the earlier range, each
// moved a day later, under a name that says so; tables refuse a shift.
func TestTimeShiftIsExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	const shift = 24 * time.Hour
	from, to := daysFrom.Add(shift), daysTo

	// Over the whole range: every conversation of [from − 1d, to − 1d), stamped at from.
	want := float64(len(sim.Dataset().Conversations("r3-218210", from.Add(-shift), to.Add(-shift))))
	r := run(t, d, dataQuery("A", "conversationVolume", from, to, map[string]any{"bucket": "range", "timeShift": "1d"})).Responses["A"]
	got := series(t, r, "")
	if v, ok := got[""][from.UnixNano()]; len(got[""]) != 1 || !ok || v == nil || *v != want {
		t.Fatalf("shifted count %v, want one point %v at %s", got, want, from)
	}
	if name := r.Frames[0].Fields[1].Config.DisplayNameFromDS; name != "Conversations started, 1d earlier" {
		t.Errorf("display name %q", name)
	}

	// In buckets: the unshifted query over the earlier range, each point a day later.
	shifted := series(t, run(t, d, dataQuery("A", "tagRate", from, to, map[string]any{"bucket": "1h", "groupBy": "locale", "timeShift": "24h"})).Responses["A"], "locale")
	plain := series(t, run(t, d, dataQuery("A", "tagRate", from.Add(-shift), to.Add(-shift), map[string]any{"bucket": "1h", "groupBy": "locale"})).Responses["A"], "locale")
	if len(shifted) != len(plain) {
		t.Fatalf("%d groups shifted, %d not", len(shifted), len(plain))
	}
	for g, points := range plain {
		if len(shifted[g]) != len(points) {
			t.Fatalf("group %q: %d points shifted, %d not", g, len(shifted[g]), len(points))
		}
		for at, v := range points {
			s, ok := shifted[g][at+int64(shift)]
			if !ok || (v == nil) != (s == nil) || (v != nil && *v != *s) {
				t.Fatalf("group %q at %s: shifted %v, plain %v", g, time.Unix(0, at).UTC(), s, v)
			}
		}
	}

	r = run(t, d, dataQuery("A", "conversations", from, to, map[string]any{"timeShift": "1d"})).Responses["A"]
	if r.Error == nil || !strings.Contains(r.Error.Error(), "timeShift applies to time series") {
		t.Fatalf("table with a shift: %v", r.Error)
	}
	r = run(t, d, dataQuery("A", "conversationVolume", from, to, map[string]any{"timeShift": "last week"})).Responses["A"]
	if r.Error == nil || !strings.Contains(r.Error.Error(), "write it like 1h, 1d or 7d") {
		t.Fatalf("bad shift: %v", r.Error)
	}
}
