package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/settings"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// secretKey is the API key of the hardening tests: no log line, error, frame or
// resource answer may ever contain it.
const secretKey = "SECRET-agentx-9f3c1d7e"

// captureLogger records every log line and its arguments.
type captureLogger struct {
	mu    *sync.Mutex
	lines *[]string
	args  []any
}

func newCaptureLogger() captureLogger {
	return captureLogger{mu: &sync.Mutex{}, lines: &[]string{}}
}

func (c captureLogger) record(level, msg string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	*c.lines = append(*c.lines, fmt.Sprint(level, " ", msg, " ", c.args, " ", args))
}
func (c captureLogger) Debug(msg string, args ...any) { c.record("debug", msg, args...) }
func (c captureLogger) Info(msg string, args ...any)  { c.record("info", msg, args...) }
func (c captureLogger) Warn(msg string, args ...any)  { c.record("warn", msg, args...) }
func (c captureLogger) Error(msg string, args ...any) { c.record("error", msg, args...) }
func (c captureLogger) With(args ...any) log.Logger {
	return captureLogger{mu: c.mu, lines: c.lines, args: append(append([]any{}, c.args...), args...)}
}
func (c captureLogger) Level() log.Level                       { return log.Debug }
func (c captureLogger) FromContext(context.Context) log.Logger { return c }
func (c captureLogger) all() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(*c.lines, "\n")
}

// hardened starts a simulator that takes secretKey and a data source on it with
// the cache off, so every query reads through the faults.
// hardenedPageBytes is the page bound of the fault tests: 4 MB parse in a moment
// even on a busy machine under -race, where 64 MB take minutes.
const hardenedPageBytes = 4 << 20

func hardened(t *testing.T, faults simulator.Faults, rps float64, jsonData map[string]any) (*simulator.Server, *Datasource) {
	t.Helper()
	return hardenedLogging(t, nil, faults, rps, jsonData)
}

// hardenedLogging is hardened with the data source logging to logs (nil: Grafana's logger).
func hardenedLogging(t *testing.T, logs log.Logger, faults simulator.Faults, rps float64, jsonData map[string]any) (*simulator.Server, *Datasource) {
	t.Helper()
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: 5, PerHour: 30, Seed: 5, Now: func() time.Time { return testNow }})
	srv := simulator.NewServer(data, simulator.ServerConfig{APIKey: secretKey, RequestsPerSecond: rps, Faults: faults, Seed: 11})
	url := startServer(t, srv)
	jd := map[string]any{"cacheMinutes": 0, "timeoutSeconds": 2}
	for k, v := range jsonData {
		jd[k] = v
	}
	opts := testOptions()
	// Pages stay far below it (a thousand messages is under 1 MB); the size-limit
	// case pads past it.
	opts.MaxPageBytes = hardenedPageBytes
	opts.Logger = logs
	inst, err := Factory(opts)(t.Context(), instanceSettings(url, jd, secretKey))
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Datasource)
	t.Cleanup(d.Dispose)
	return srv, d
}

// transcript of everything a query answer shows a person or Grafana.
func visible(r backend.DataResponse) string {
	var b strings.Builder
	if r.Error != nil {
		b.WriteString(r.Error.Error())
	}
	for _, f := range r.Frames {
		raw, _ := json.Marshal(f)
		b.Write(raw)
	}
	return b.String()
}

// TestFaultsGiveExactNumbersOrAClearError runs a message volume over four days (about
// twenty pages) through every fault the simulator can inject. Each either answers
// exactly what the simulator holds, or fails that query with a clear message within
// its deadline; never a panic, a hang or a partial answer.
func TestFaultsGiveExactNumbersOrAClearError(t *testing.T) {
	testparallel.BesideWaiting(t) // its data sources log to a logger of its own
	logs := newCaptureLogger()

	from, to := testNow.Add(-96*time.Hour-13*time.Minute), testNow.Add(-time.Hour)
	cases := []struct {
		name    string
		faults  simulator.Faults
		rps     float64
		jd      map[string]any
		exact   bool          // the answer must be exact (after retries)
		span    time.Duration // of the range read, ending at to; 0: the whole range
		message string        // else the error must say this
	}{
		// At 1 request/s the API refuses any request within a second of the last,
		// so the client's 20/s meets 429s however slow the machine is; a day's
		// messages keep it to a few seconds.
		{name: "429 storm", rps: 1, jd: map[string]any{"requestsPerSecond": 20}, exact: true, span: 20 * time.Hour},
		{name: "20% 5xx with HTML bodies", faults: simulator.Faults{ServerErrors: 0.2}, exact: true},
		{name: "10% dropped connections", faults: simulator.Faults{Drops: 0.1}, exact: true},
		{name: "15% truncated bodies", faults: simulator.Faults{Truncations: 0.15}, exact: true},
		{name: "10% malformed JSON", faults: simulator.Faults{Malformed: 0.1}, exact: true},
		{name: "slow answers", faults: simulator.Faults{Latency: 150 * time.Millisecond}, exact: true},
		{name: "empty pages with cursors", faults: simulator.Faults{EmptyPagesFirst: 3}, exact: true},
		{name: "answers slower than the timeout", faults: simulator.Faults{Latency: 3 * time.Second}, jd: map[string]any{"timeoutSeconds": 0.5}, message: "no answer within 500ms"},
		{name: "every answer a 5xx", faults: simulator.Faults{ServerErrors: 1}, message: "still failed after 4 retries"},
		{name: "page over the size limit", faults: simulator.Faults{PadBytes: 6 << 20}, jd: map[string]any{"timeoutSeconds": 60}, message: "larger than 4 MB"},
		{name: "cursor loop", faults: simulator.Faults{CursorLoop: true}, message: "sent a cursor it had already sent"},
		{name: "cursor that never ends", faults: simulator.Faults{EndlessEmptyPages: true}, message: "empty pages in a row"},
	}
	// Their logs are checked once all cases are done.
	t.Cleanup(func() {
		if strings.Contains(logs.all(), secretKey) {
			t.Error("a log line holds the API key")
		}
		if !strings.Contains(logs.all(), "query answered") {
			t.Error("the logger was not captured")
		}
	})
	// The cases run at once, in this test's slot (testparallel.Together). Each
	// has a server and a data source of its own; they share the logger.
	runs := testparallel.RunTogether(t)
	defer runs.Wait()
	for _, tc := range cases {
		runs.Run(tc.name, func(t *testing.T) {
			rps := tc.rps
			if rps == 0 {
				rps = -1
			}
			jd := map[string]any{"requestsPerSecond": 100}
			for k, v := range tc.jd {
				jd[k] = v
			}
			sim, d := hardenedLogging(t, logs, tc.faults, rps, jd)
			// The deadline is what the query must answer before; it is generous, so a
			// busy machine running -race still reads the pages in time.
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			start := time.Now()
			from := from
			if tc.span > 0 {
				from = to.Add(-tc.span)
			}
			q := dataQuery("A", "messageVolume", from, to, map[string]any{"bucket": "6h"})
			resp, err := d.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{q}})
			if err != nil {
				t.Fatal(err)
			}
			r := resp.Responses["A"]
			if deadline, _ := ctx.Deadline(); time.Now().After(deadline) {
				t.Fatalf("answered after its deadline (%s)", time.Since(start))
			}
			if strings.Contains(visible(r), secretKey) {
				t.Fatal("the answer holds the API key")
			}
			if !tc.exact {
				if r.Error == nil || !strings.Contains(r.Error.Error(), tc.message) || len(r.Frames) != 0 {
					t.Fatalf("error %v (frames %d), want one saying %q and no data", r.Error, len(r.Frames), tc.message)
				}
				return
			}
			if r.Error != nil {
				t.Fatalf("expected exact numbers after retries, got %v", r.Error)
			}
			var got float64
			for _, v := range series(t, r, "")[""] {
				got += *v
			}
			if want := len(sim.Dataset().Messages("r3-218210", from, to, "")); got != float64(want) {
				t.Fatalf("%v messages, the simulator has %d: a partial answer", got, want)
			}
			if c := sim.Counts(); tc.faults != (simulator.Faults{}) && c.Faulted == 0 && tc.faults.Latency == 0 && tc.faults.EmptyPagesFirst == 0 {
				t.Fatal("no fault was injected")
			} else if tc.rps > 0 && c.RateLimited == 0 {
				t.Fatal("the API never answered 429")
			}
		})
	}
}

// TestBadInputFailsOnlyItsQuery sends one request with a good query among many bad
// ones: each bad one gets a message naming its fault, the good one answers.
func TestBadInputFailsOnlyItsQuery(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, d := hardened(t, simulator.Faults{}, -1, nil)
	from, to := testNow.Add(-6*time.Hour), testNow
	huge := strings.Repeat("x", 100_000)
	cases := map[string]struct {
		queryType string
		model     string
		message   string
		reversed  bool
	}{
		"not an object":        {"conversations", `"conversations"`, "not a JSON object", false},
		"unknown type":         {"sankey", `{}`, `unknown query type "sankey"`, false},
		"type a number":        {"", `{"queryType":7}`, "unknown query type", false},
		"bot an object":        {"conversations", `{"bot":{"name":"r3"}}`, "bot must be a text", false},
		"bot unknown":          {"conversations", `{"bot":"no-such-bot"}`, `does not know the bot "no-such-bot"`, false},
		"bot huge":             {"conversations", `{"bot":"` + huge + `"}`, "does not know the bot", false},
		"bot a variable":       {"tagRate", `{"bot":"${bot}"}`, "template variable ${bot", false},
		"groupBy unknown":      {"conversationVolume", `{"groupBy":"weekday"}`, `unknown groupBy "weekday"`, false},
		"groupBy a list":       {"conversationVolume", `{"groupBy":["tag"]}`, "groupBy must be a text", false},
		"metadata without key": {"conversationCounts", `{"groupBy":"metadata"}`, "needs a metadataKey", false},
		"stat unknown":         {"userMessages", `{"stat":"mode"}`, `unknown stat "mode"`, false},
		"bucket zero":          {"conversationVolume", `{"bucket":"0m"}`, "outside 1m…7d", false},
		"bucket negative":      {"conversationVolume", `{"bucket":"-5m"}`, `bucket "-5m"`, false},
		"bucket nonsense":      {"conversationVolume", `{"bucket":"` + huge[:200] + `"}`, "is not a duration", false},
		"bucket too fine":      {"conversationVolume", `{"bucket":"1m","filters":{}}`, "", false},
		"filters a list":       {"conversations", `{"filters":["liveChat"]}`, "filters must be an object", false},
		"tags numbers":         {"conversations", `{"filters":{"tags":[{"a":1}]}}`, "filters.tags must be a list of texts", false},
		"metadata op":          {"conversations", `{"filters":{"metadata":[{"key":"plan","op":"~","value":"pro"}]}}`, `op "~"`, false},
		"field unknown":        {"values", `{"field":"colour"}`, "needs field", false},
		"limit negative":       {"conversations", `{"limit":-1}`, "limit must be from 1", false},
		"limit huge":           {"conversations", `{"limit":1e12}`, "limit must be from 1", false},
		"limit text":           {"conversations", `{"limit":"ten"}`, "limit must be a whole number", false},
		"range reversed":       {"conversations", `{}`, "ends before it starts", true},
	}
	var queries []backend.DataQuery
	for ref, c := range cases {
		f, tt := from, to
		if c.reversed {
			f, tt = to, from
		}
		queries = append(queries, backend.DataQuery{RefID: ref, QueryType: c.queryType, JSON: []byte(c.model),
			TimeRange: backend.TimeRange{From: f, To: tt}, Interval: time.Minute, MaxDataPoints: 1000})
	}
	queries = append(queries, dataQuery("good", "conversationVolume", from, to, map[string]any{"groupBy": "locale"}))
	resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{Queries: queries})
	if err != nil {
		t.Fatal(err)
	}
	if r := resp.Responses["good"]; r.Error != nil || len(r.Frames) == 0 {
		t.Fatalf("the good query: %v", r.Error)
	}
	for ref, c := range cases {
		r := resp.Responses[ref]
		if c.message == "" { // a valid query: 6 hours of 1m buckets is fine
			if r.Error != nil {
				t.Errorf("%s: %v", ref, r.Error)
			}
			continue
		}
		if r.Error == nil || !strings.Contains(r.Error.Error(), c.message) {
			t.Errorf("%s: got %v, want a message with %q", ref, r.Error, c.message)
		}
		if r.Error != nil && len(r.Error.Error()) > 600 {
			t.Errorf("%s: a %d-character message echoes the input", ref, len(r.Error.Error()))
		}
	}
}

func TestBadSettingsFailEveryQueryClearly(t *testing.T) {
	testparallel.BesideWaiting(t)
	for name, jd := range map[string]map[string]any{
		"base URL scheme":      {"baseUrl": "file:///etc/passwd"},
		"base URL port":        {"baseUrl": "http://127.0.0.1:99999"},
		"rate a word":          {"requestsPerSecond": "fast"},
		"rate negative":        {"requestsPerSecond": -3},
		"timeout huge":         {"timeoutSeconds": 1e9},
		"max records fraction": {"maxRecords": 0.5},
		"live minutes list":    {"liveMinutes": []int{60}},
		"bots an object":       {"bots": map[string]any{"a": 1}},
	} {
		t.Run(name, func(t *testing.T) {
			_, d := hardened(t, simulator.Faults{}, -1, jd)
			r := run(t, d, dataQuery("A", "conversations", testNow.Add(-time.Hour), testNow, map[string]any{})).Responses["A"]
			if r.Error == nil || !strings.Contains(r.Error.Error(), "settings need attention") || strings.Contains(r.Error.Error(), secretKey) {
				t.Fatalf("got %v", r.Error)
			}
			h, _ := d.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
			if h.Status != backend.HealthStatusError || strings.Contains(h.Message, secretKey) {
				t.Fatalf("health: %+v", h)
			}
			// The person reading it sees the config page's labels, not the JSON keys.
			for _, f := range settings.Numbers {
				if strings.Contains(h.Message, f.Key) {
					t.Errorf("health names %s by its JSON key: %s", f.Label, h.Message)
				}
			}
			for _, f := range settings.Fields {
				if strings.ContainsAny(f.Key, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && strings.Contains(h.Message, f.Key) {
					t.Errorf("health names %s by its JSON key: %s", f.Label, h.Message)
				}
			}
		})
	}
}

// TestFiftyConcurrentDashboardsShareExportsAndLeaveNothingBehind sends 50 dashboard
// refreshes at once, each four panels, checks every number, then disposes of the data
// source and checks that no goroutine of the plugin stays behind.
func TestFiftyConcurrentDashboardsShareExportsAndLeaveNothingBehind(t *testing.T) {
	// It counts only the goroutines it starts, so it runs beside the others.
	testparallel.BesideWaiting(t)
	own := ownGoroutines(t)
	sim, d := hardened(t, simulator.Faults{Latency: 20 * time.Millisecond}, -1, map[string]any{"cacheMinutes": 60})
	// The test server's own goroutines are there before the plugin's first query.
	baseline, _ := own()
	from, to := testNow.Add(-48*time.Hour), testNow
	convs := sim.Dataset().Conversations("r3-218210", from, to)
	want := float64(len(convs))
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{Queries: []backend.DataQuery{
				dataQuery("volume", "conversationVolume", from, to, map[string]any{"bucket": "1h"}),
				dataQuery("rate", "tagRate", from, to, map[string]any{"bucket": "1h"}),
				dataQuery("counts", "conversationCounts", from, to, map[string]any{"groupBy": "locale"}),
				dataQuery("hist", "userMessageHistogram", from, to, map[string]any{}),
			}})
			if err != nil {
				t.Error(err)
				return
			}
			for ref, r := range resp.Responses {
				if r.Error != nil {
					t.Errorf("%s: %v", ref, r.Error)
				}
			}
			var got float64
			for _, v := range series(t, resp.Responses["volume"], "")[""] {
				got += *v
			}
			if got != want {
				t.Errorf("a dashboard counted %v conversations, want %v", got, want)
			}
		}()
	}
	wg.Wait()
	if c := sim.Counts(); c.Conversations > 20 {
		t.Errorf("50 dashboards made %d requests: exports were not shared", c.Conversations)
	}

	// A cancelled request stops its export; slow answers leave it plenty to do.
	sim.SetFaults(simulator.Faults{Latency: 200 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(300*time.Millisecond, cancel)
	r, _ := d.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{
		dataQuery("A", "messages", testNow.Add(-100*time.Hour), testNow, map[string]any{}),
	}})
	if e := r.Responses["A"].Error; e == nil || !strings.Contains(e.Error(), "canceled") {
		t.Fatalf("a cancelled request answered %v", e)
	}
	// ... and its export stops: the API sees no more requests for it.
	time.Sleep(200 * time.Millisecond)
	settled := sim.Counts().Messages
	time.Sleep(400 * time.Millisecond)
	if n := sim.Counts().Messages; n != settled {
		t.Fatalf("the cancelled request's export went on: %d more requests", n-settled)
	}

	d.Dispose()
	deadline := time.Now().Add(5 * time.Second)
	// Allowed: the test server's goroutines for connections the client just closed.
	for n, _ := own(); n > baseline+2 && time.Now().Before(deadline); n, _ = own() {
		time.Sleep(50 * time.Millisecond)
	}
	if n, stacks := own(); n > baseline+2 {
		t.Fatalf("%d goroutines of this test after Dispose, %d before:\n%s", n, baseline, stacks)
	}
}
