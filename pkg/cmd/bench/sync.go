package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/plugin"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// A busy bot, as issue figures go: about 2,000 conversations and 14,000 messages a day.
const busyPerHour = 83

// syncReport measures the background sync and the progressive answers: the
// backfill of 7 days, what keeping them costs per hour, the first and the
// complete answer of long message ranges, and cold reads at 1 s latency.
func syncReport() {
	fmt.Printf("== the store kept ahead (%d conversations/hour, about 14,000 messages a day; 100 ms latency, the API's rate limit)\n", busyPerHour)
	backfill()
	progressive(7 * 24 * time.Hour)
	progressive(30 * 24 * time.Hour)
	fmt.Println("\n== cold reads at 1 s latency (300 conversations/hour), the first read of a process that has read before")
	coldWide(48 * time.Hour)
	coldWide(7 * 24 * time.Hour)
}

func (r *rig) instance(settings map[string]any, opts plugin.Options) *plugin.Datasource {
	jd := map[string]any{"baseUrl": r.url, "defaultBot": bot, "requestsPerSecond": rps, "timeoutSeconds": 60, "syncDays": 0}
	for k, v := range settings {
		jd[k] = v
	}
	raw, _ := json.Marshal(jd)
	opts.Now = r.clock
	if opts.Cache == nil {
		opts.Cache = fetch.NewCache(plugin.DefaultCacheBytes)
	}
	if opts.Flights == nil {
		opts.Flights = fetch.NewFlights()
	}
	opts.Limiters = &exportapi.LimiterPool{}
	inst, err := plugin.Factory(opts)(context.Background(), backend.DataSourceInstanceSettings{UID: "bench", JSONData: raw,
		DecryptedSecureJSONData: map[string]string{"apiKey": apiKey}})
	if err != nil {
		log.Fatal(err)
	}
	return inst.(*plugin.Datasource)
}

func syncDone(d *plugin.Datasource) bool {
	ps := d.SyncProgress()
	for _, p := range ps {
		if !p.Done() {
			return false
		}
	}
	return len(ps) > 0
}

func backfill() {
	r := newRig(busyPerHour, 9)
	r.sim.SetFaults(simulator.Faults{Latency: 100 * time.Millisecond})
	to := r.clock()
	convs := pages(len(r.sim.Dataset().Conversations(bot, to.Add(-7*24*time.Hour), to)))
	msgs := pages(len(r.sim.Dataset().Messages(bot, to.Add(-7*24*time.Hour), to, "")))
	d := r.instance(map[string]any{"syncDays": 7}, plugin.Options{SyncEvery: time.Second})
	defer d.Dispose()
	start := time.Now()
	_, _ = d.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	for !syncDone(d) {
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	c := r.sim.Counts()
	bound := float64(max(convs, msgs)) / (rps * 0.5)
	fmt.Printf("  backfill of 7 days: %.1fs (bound at half the rate %.1fs, %.2f ×); conversations %d requests (fewest %d), messages %d (fewest %d), %d answered 429\n",
		took.Seconds(), bound, took.Seconds()/bound, c.Conversations, convs, c.Messages, msgs, c.RateLimited)

	// A dashboard within the synced days now costs its live tail.
	before := r.sim.Counts()
	q := func(t, model string) backend.DataQuery {
		return backend.DataQuery{RefID: t, QueryType: t, JSON: []byte(model), TimeRange: backend.TimeRange{From: to.Add(-7 * 24 * time.Hour), To: to},
			Interval: time.Minute, MaxDataPoints: 1000}
	}
	start = time.Now()
	ask(d, q("conversationVolume", `{}`), q("messageVolume", `{}`))
	c = r.spent(before)
	fmt.Printf("  then 7 days of conversation and message volume: %d + %d requests (the live tail), %.2fs\n", c.Conversations, c.Messages, time.Since(start).Seconds())

	// Keeping it: an hour passes in 12 steps of 5 minutes, a pass after each.
	before = r.sim.Counts()
	for range 12 {
		r.advance(5 * time.Minute)
		passes := progressPasses(d)
		for progressPasses(d) < passes+2 {
			time.Sleep(50 * time.Millisecond)
		}
	}
	c = r.spent(before)
	fmt.Printf("  steady state: %d requests per hour per bot (%d conversations, %d messages)\n", c.Conversations+c.Messages, c.Conversations, c.Messages)
}

func progressPasses(d *plugin.Datasource) int {
	n := 0
	for _, p := range d.SyncProgress() {
		n += p.Passes
	}
	return n / max(1, len(d.SyncProgress()))
}

// progressive asks a cold message volume over span with the default 20 s
// response budget, then refreshes every 5 s until the answer is complete.
func progressive(span time.Duration) {
	r := newRig(busyPerHour, int(span.Hours()/24)+2)
	r.sim.SetFaults(simulator.Faults{Latency: 100 * time.Millisecond})
	to := r.clock()
	msgs := pages(len(r.sim.Dataset().Messages(bot, to.Add(-span), to, "")))
	d := r.instance(nil, plugin.Options{})
	defer d.Dispose()
	q := backend.DataQuery{RefID: "A", QueryType: "messageVolume", JSON: []byte(`{"bucket":"1h"}`),
		TimeRange: backend.TimeRange{From: to.Add(-span), To: to}, Interval: time.Minute, MaxDataPoints: 1000}
	start := time.Now()
	first := ask(d, q).Responses["A"]
	firstAt := time.Since(start)
	read := progressNote(first)
	refreshes := 0
	for progressNote(ask(d, q).Responses["A"]) != "" {
		refreshes++
		time.Sleep(5 * time.Second)
	}
	complete := time.Since(start)
	bound := float64(msgs) / rps
	fmt.Printf("  %s of messages cold (%d pages, bound %.0fs): first answer %.1fs (%s), complete %.0fs (%.2f × bound) after %d refreshes, %d requests, %d answered 429\n",
		human(span), msgs, bound, firstAt.Seconds(), read, complete.Seconds(), complete.Seconds()/bound, refreshes, r.sim.Counts().Messages, r.sim.Counts().RateLimited)
}

func progressNote(r backend.DataResponse) string {
	for _, f := range r.Frames {
		if f.Meta != nil {
			for _, n := range f.Meta.Notices {
				if strings.Contains(n.Text, "read so far") {
					return strings.SplitN(n.Text, " of this range", 2)[0] + " read"
				}
			}
		}
	}
	return ""
}

// coldWide reads a range cold at 1 s latency in a process whose disk remembers an
// earlier process's measurements, against the bound of the fewest pages at the
// rate limit plus one round trip.
func coldWide(span time.Duration) {
	const perHour = 300
	for _, endpoint := range []string{"conversationVolume", "messageVolume"} {
		r := newRig(perHour, int(span.Hours()/24)+2)
		r.sim.SetFaults(simulator.Faults{Latency: time.Second})
		to := r.clock()
		n := len(r.sim.Dataset().Conversations(bot, to.Add(-span), to))
		if endpoint == "messageVolume" {
			n = len(r.sim.Dataset().Messages(bot, to.Add(-span), to, ""))
		}
		hints := memHints{}
		q := func(from, to time.Time) backend.DataQuery {
			return backend.DataQuery{RefID: "A", QueryType: endpoint, JSON: []byte(`{}`), TimeRange: backend.TimeRange{From: from, To: to},
				Interval: time.Minute, MaxDataPoints: 1000}
		}
		// An earlier process read another week of the bot and measured it.
		earlier := r.instance(map[string]any{"responseSeconds": 600, "cacheMinutes": 0}, plugin.Options{Hints: hints})
		ask(earlier, q(to.Add(-span-6*time.Hour), to.Add(-span)))
		earlier.Dispose()
		before := r.sim.Counts()
		d := r.instance(map[string]any{"responseSeconds": 600, "cacheMinutes": 0}, plugin.Options{Hints: hints})
		start := time.Now()
		ask(d, q(to.Add(-span), to))
		took := time.Since(start)
		d.Dispose()
		c := r.spent(before)
		reqs := c.Conversations + c.Messages
		bound := float64(pages(n))/rps + 1
		fmt.Printf("  %s %s: %d requests (fewest %d), %.1fs = %.2f × the bound %.1fs\n",
			human(span), strings.TrimSuffix(endpoint, "Volume"), reqs, pages(n), took.Seconds(), took.Seconds()/bound, bound)
	}
}

// memHints stands in for the disk cache between the two processes of coldWide.
type memHints map[string]float64

func (m memHints) Hint(k string) (float64, bool) { v, ok := m[k]; return v, ok }
func (m memHints) SaveHint(k string, v float64)  { m[k] = v }

func human(d time.Duration) string { return fetch.Human(d) }
