package plugin

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/redistest"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/settings"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// slowPanel asks, over gRPC as Grafana does, for four days of message volume
// from a dashboard whose data source answers within responseSeconds, against
// sim; the read cannot finish by then, so the answer is partial.
func slowPanel(t *testing.T, sim *simulator.Server, uid string, responseSeconds float64, jsonData map[string]any) backend.DataResponse {
	t.Helper()
	from := testNow.Add(-4 * 24 * time.Hour)
	// At most 4 legs read at once: 24 pages at 1.5 s take 9 s, at 0.5 a second 48 s.
	if n := len(sim.Dataset().Messages("r3-218210", from, testNow, "")); n < 24*exportapi.MaxPerPage {
		t.Fatalf("only %d messages: the read must take more pages than the response time allows", n)
	}
	jd := map[string]any{"requestsPerSecond": 3, "responseSeconds": responseSeconds}
	for k, v := range jsonData {
		jd[k] = v
	}
	is := instanceSettings(startServer(t, sim), jd, testKey)
	is.UID = uid
	start := time.Now()
	r := overGRPC(t, is).mustQuery(t, dataQuery("A", "messageVolume", from, testNow, map[string]any{"bucket": "1h"})).Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	if !strings.Contains(notices(r), "of this range is read so far") {
		t.Fatalf("the answer is not partial: %q", notices(r))
	}
	if len(r.Frames) > 0 && len(r.Frames[0].Meta.Notices) != 1 {
		t.Errorf("%d notices on one frame, want one: %q", len(r.Frames[0].Meta.Notices), notices(r))
	}
	t.Logf("answered in %s after %d requests, %d answered 429; notice: %s",
		time.Since(start).Round(10*time.Millisecond), sim.Counts().Messages, sim.Counts().RateLimited, notices(r))
	return r
}

func slowSim(serverRate float64, latency time.Duration) *simulator.Server {
	data := simulator.NewDataset(simulator.Config{Bots: []string{"r3-218210"}, Days: 5, PerHour: 60, Seed: 7,
		Now: func() time.Time { return testNow }})
	return simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: serverRate, Faults: simulator.Faults{Latency: latency}})
}

// TestAPartialAnswerSaysTheAPIRefusesAndWhatToLower: the API allows 0.5
// requests a second while the data source sends 3: the partial answer's notice
// counts the 429s the read met and says to lower Requests per second.
func TestAPartialAnswerSaysTheAPIRefusesAndWhatToLower(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.WaitsLong(t) // waits on the API's refusals
	sim := slowSim(0.5, 0)
	r := slowPanel(t, sim, "refusing-api", 6, nil)
	text := notices(r)
	m := regexp.MustCompile(`the API refused (\d+) requests? with HTTP 429`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("the notice does not say the API refused requests with 429: %q", text)
	}
	// The read goes on after the answer, so the server has answered at least as many since.
	if n, _ := strconv.Atoi(m[1]); n < 1 || int64(n) > sim.Counts().RateLimited {
		t.Errorf("the notice counts %d answers 429; the server sent %d", n, sim.Counts().RateLimited)
	}
	if want := `lower "` + settings.Label("requestsPerSecond") + `"`; !strings.Contains(text, want) {
		t.Errorf("the notice does not say %s: %q", want, text)
	}
	if strings.Contains(text, "requestsPerSecond") {
		t.Errorf("the notice names a setting by its JSON key: %q", text)
	}
}

// TestAPartialAnswerNamesTheAPIsLatency: an API that takes 1.5 s a page, with
// no rate limit of its own: the notice says how long a page took.
func TestAPartialAnswerNamesTheAPIsLatency(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.WaitsLong(t) // waits on a slow server
	sim := slowSim(-1, 1500*time.Millisecond)
	r := slowPanel(t, sim, "slow-pages", 5, nil)
	text := notices(r)
	m := regexp.MustCompile(`the API took about (\d+\.\d) s per page`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("the notice does not name the latency: %q", text)
	}
	if s, _ := strconv.ParseFloat(m[1], 64); s < 1.5 {
		t.Errorf("a page took at least 1.5 s, the notice says %s s", m[1])
	}
	if strings.Contains(text, "429") {
		t.Errorf("the notice blames 429s the API never sent: %q", text)
	}
}

// TestAPartialAnswerNamesTheSharedRateLimit: a data source that shares its
// rate limit with other replicas through a real Redis, against an API without
// one: the requests wait on the shared limit, and the notice says so.
func TestAPartialAnswerNamesTheSharedRateLimit(t *testing.T) {
	testparallel.SkipUnderShort(t)
	testparallel.Waits(t) // waits on the rate limit
	sim := slowSim(-1, 0)
	r := slowPanel(t, sim, "shared-pace", 3, map[string]any{"redisUrl": redistest.Start(t).URL()})
	text := notices(r)
	if !regexp.MustCompile(`requests waited \d+s in all on the rate limit shared through Redis: every Grafana server using this API key draws from its 3 requests per second`).MatchString(text) {
		t.Fatalf("the notice does not name the shared rate limit: %q", text)
	}
	if strings.Contains(text, "429") {
		t.Errorf("the notice blames 429s the API never sent: %q", text)
	}
}

// TestWhatSlowsAReadNamesEachCause checks the notice's explanation for the
// causes the tests above do not reach over gRPC.
func TestWhatSlowsAReadNamesEachCause(t *testing.T) {
	for name, tc := range map[string]struct {
		stats fetch.Stats
		want  []string
	}{
		"another replica": {fetch.Stats{WaitedOnReplica: true},
			[]string{"another Grafana server is reading this time", settings.Label("syncDays")}},
		"shared limiter": {fetch.Stats{Stats: exportapi.Stats{Requests: 9, RateLimitWait: 12 * time.Second, SharedWait: 10 * time.Second, AnswerTime: time.Second}},
			[]string{"waited 10s in all on the rate limit shared through Redis", "its 3 requests per second"}},
		"the rate itself": {fetch.Stats{Stats: exportapi.Stats{Requests: 30, Pages: 30, RateLimitWait: 10 * time.Second, AnswerTime: time.Second}},
			[]string{`the data source's rate limit ("` + settings.Label("requestsPerSecond") + `": 3 per second), about 90 more requests (30s)`}},
	} {
		t.Run(name, func(t *testing.T) {
			got := whatSlows(tc.stats, 3, 6*time.Hour, 18*time.Hour)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q does not say %q", got, w)
				}
			}
			for _, f := range settings.Numbers {
				if strings.Contains(got, f.Key) {
					t.Errorf("%q names %s by its JSON key", got, f.Label)
				}
			}
		})
	}
}
