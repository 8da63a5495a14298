package plugin

import (
	"math"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// fleet is three bots of different sizes, as a team's brands or channels differ.
var fleet = []string{"r3-218210", "acme-support", "globex-billing"}

func startFleet(t *testing.T) (*simulator.Server, string) {
	t.Helper()
	data := simulator.NewDataset(simulator.Config{Bots: fleet, Days: 4, PerHour: 30, Seed: 9,
		Sizes: map[string]float64{"acme-support": 0.5, "globex-billing": 0.1}, Now: func() time.Time { return testNow }})
	srv := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1})
	return srv, startServer(t, srv)
}

// TestSeveralBotsAreExact checks totals across bots and series and rows per bot
// against counts made from the simulator's own records, bot by bot.
func TestSeveralBotsAreExact(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startFleet(t)
	d := newTestDatasource(t, url, map[string]any{"bots": fleet})
	from, to := testNow.Add(-30*time.Hour-17*time.Second), testNow.Add(-7*time.Minute)
	step := time.Hour
	buckets := expectedBuckets(from, to, step)
	convs := map[string][]simulator.Conversation{}
	sizes := map[string]int{}
	for _, bot := range fleet {
		convs[bot] = sim.Dataset().Conversations(bot, from, to)
		sizes[bot] = len(convs[bot])
	}
	if sizes[fleet[0]] <= sizes[fleet[1]] || sizes[fleet[1]] <= sizes[fleet[2]] || sizes[fleet[2]] == 0 {
		t.Fatalf("the bots must differ in size: %v", sizes)
	}

	t.Run("total across all bots", func(t *testing.T) {
		r := run(t, d, dataQuery("A", "conversationVolume", from, to, map[string]any{"bot": "__all__", "bucket": "1h"}))
		want := map[string]map[int64]float64{"": {}}
		for _, bot := range fleet {
			for _, c := range convs[bot] {
				want[""][bucketOf(c.Start, step)]++
			}
		}
		compare(t, series(t, r.Responses["A"], ""), want, buckets, step, false)
	})

	t.Run("one series per bot", func(t *testing.T) {
		two := []string{"globex-billing", "r3-218210"}
		r := run(t, d, dataQuery("A", "conversationVolume", from, to, map[string]any{"bot": two, "groupBy": "bot", "bucket": "1h"}))
		want := map[string]map[int64]float64{}
		for _, bot := range two {
			want[bot] = map[int64]float64{}
			for _, c := range convs[bot] {
				want[bot][bucketOf(c.Start, step)]++
			}
		}
		compare(t, series(t, r.Responses["A"], "bot"), want, buckets, step, false)
	})

	t.Run("resolution rate per bot", func(t *testing.T) {
		r := run(t, d, dataQuery("A", "tagRate", from, to, map[string]any{"bot": "__all__", "groupBy": "bot", "tag": "resolved", "bucket": "1h"}))
		want := map[string]map[int64]float64{}
		for _, bot := range fleet {
			totals, hits := map[int64]float64{}, map[int64]float64{}
			for _, c := range convs[bot] {
				b := bucketOf(c.Start, step)
				totals[b]++
				if slices.Contains(c.Tags, "resolved") {
					hits[b]++
				}
			}
			want[bot] = map[int64]float64{}
			for b, n := range totals {
				want[bot][b] = hits[b] * 100 / n
			}
		}
		compare(t, series(t, r.Responses["A"], "bot"), want, buckets, step, true)
	})

	t.Run("a grouping across bots", func(t *testing.T) {
		r := run(t, d, dataQuery("A", "conversationCounts", from, to, map[string]any{"bot": "__all__", "groupBy": "locale"}))
		counts, total := map[string]int64{}, 0
		for _, bot := range fleet {
			for _, c := range convs[bot] {
				counts[noneIfEmpty(c.LocaleGroup())]++
				total++
			}
		}
		f := r.Responses["A"].Frames[0]
		if r.Responses["A"].Error != nil || f.Rows() != len(counts) {
			t.Fatalf("%v: %d rows, want %d", r.Responses["A"].Error, f.Rows(), len(counts))
		}
		for i := 0; i < f.Rows(); i++ {
			g, n, p := f.Fields[0].At(i).(string), f.Fields[1].At(i).(int64), *f.Fields[2].At(i).(*float64)
			if n != counts[g] || math.Abs(p-float64(n)*100/float64(total)) > 1e-9 {
				t.Fatalf("locale %s: %d (%.4f%%), want %d of %d", g, n, p, counts[g], total)
			}
		}
	})

	t.Run("rows per bot", func(t *testing.T) {
		r := run(t, d, dataQuery("A", "conversationCounts", from, to, map[string]any{"bot": "__all__", "groupBy": "bot",
			"filters": map[string]any{"tags": []string{"resolved"}}}))
		f := r.Responses["A"].Frames[0]
		if r.Responses["A"].Error != nil || f.Rows() != len(fleet) {
			t.Fatalf("%v: %d rows, want one per bot", r.Responses["A"].Error, f.Rows())
		}
		for i := 0; i < f.Rows(); i++ {
			bot, n := f.Fields[0].At(i).(string), f.Fields[1].At(i).(int64)
			var want int64
			for _, c := range convs[bot] {
				if simMatches(c, []string{"resolved"}, nil, nil, nil) {
					want++
				}
			}
			if n != want {
				t.Fatalf("bot %s: %d resolved conversations, want %d", bot, n, want)
			}
		}
	})

	t.Run("messages join each bot's own conversations", func(t *testing.T) {
		r := run(t, d, dataQuery("A", "messageVolume", from, to, map[string]any{"bot": "__all__", "groupBy": "tag", "bucket": "1h",
			"filters": map[string]any{"locales": []string{"en_us"}}}))
		want := map[string]map[int64]float64{}
		for _, bot := range fleet {
			groups := map[string][]string{}
			for _, c := range sim.Dataset().Conversations(bot, from.Add(-24*time.Hour), to) {
				if simMatches(c, nil, nil, []string{"en_us"}, nil) {
					groups[c.ID] = simGroups(c, "tag", "")
				}
			}
			for _, m := range sim.Dataset().Messages(bot, from, to, "") {
				for _, g := range groups[m.ConversationID] {
					if want[g] == nil {
						want[g] = map[int64]float64{}
					}
					want[g][bucketOf(m.Time, step)]++
				}
			}
		}
		compare(t, series(t, r.Responses["A"], "tag"), want, buckets, step, false)
	})

	t.Run("tables hold every bot's rows", func(t *testing.T) {
		r := run(t, d, dataQuery("A", "conversations", from, to, map[string]any{"bot": []string{"acme-support", "globex-billing"}, "limit": 100000}))
		if r.Responses["A"].Error != nil {
			t.Fatal(r.Responses["A"].Error)
		}
		if got, want := r.Responses["A"].Frames[0].Rows(), sizes["acme-support"]+sizes["globex-billing"]; got != want {
			t.Fatalf("%d rows, want %d", got, want)
		}
		// A row's transcript link asks each of the table's bots for its conversation.
		link := r.Responses["A"].Frames[0].Fields[0].Config.Links[0].Internal.Query.(map[string]any)
		if bots, _ := link["bot"].([]string); !slices.Equal(bots, []string{"acme-support", "globex-billing"}) {
			t.Fatalf("transcript link for bot %v", link["bot"])
		}
	})

	t.Run("a failing bot fails the query with its name", func(t *testing.T) {
		r := run(t, d, dataQuery("A", "conversationVolume", from, to, map[string]any{"bot": []string{"r3-218210", "no-such-bot"}, "bucket": "1h"}))
		if err := r.Responses["A"].Error; err == nil || !strings.Contains(err.Error(), `"no-such-bot"`) || len(r.Responses["A"].Frames) != 0 {
			t.Fatalf("an unknown bot among several: %v, %d frames", err, len(r.Responses["A"].Frames))
		}
		if r.Responses["A"].Status != backend.StatusNotFound {
			t.Fatalf("status %v, want the unknown bot's", r.Responses["A"].Status)
		}
	})
}

// TestAllBotsWithoutConfiguredBotsIsTheDefaultBot: a dashboard's All on a data
// source that names no bots is its default bot, as the bot variable lists it.
func TestAllBotsWithoutConfiguredBotsIsTheDefaultBot(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startFleet(t)
	d := newTestDatasource(t, url, nil)
	from, to := testNow.Add(-6*time.Hour), testNow
	r := run(t, d, dataQuery("A", "conversationCounts", from, to, map[string]any{"bot": "__all__", "groupBy": "bot"}))
	f := r.Responses["A"].Frames[0]
	if r.Responses["A"].Error != nil || f.Rows() != 1 || f.Fields[0].At(0) != "r3-218210" ||
		f.Fields[1].At(0).(int64) != int64(len(sim.Dataset().Conversations("r3-218210", from, to))) {
		t.Fatalf("%v: %d rows", r.Responses["A"].Error, f.Rows())
	}
}

// apiLog records which bot and time each request to the API asked for.
type apiLog struct {
	mu   sync.Mutex
	reqs []apiRequest
	next http.Handler
}

type apiRequest struct {
	endpoint, bot string
	from, to      int64
	cursor        bool
}

func (l *apiLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Query()
	from, _ := strconv.ParseInt(p.Get("start_time"), 10, 64)
	to, _ := strconv.ParseInt(p.Get("end_time"), 10, 64)
	l.mu.Lock()
	l.reqs = append(l.reqs, apiRequest{endpoint: path.Base(r.URL.Path), bot: p.Get("bot_name"), from: from, to: to, cursor: p.Get("cursor") != ""})
	l.mu.Unlock()
	l.next.ServeHTTP(w, r)
}

func (l *apiLog) requests() []apiRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reqs)
}

// TestMultiBotDashboardOverGRPCReadsEachBotOnce loads a dashboard of eight panels
// over three bots, as Grafana sends it, and reads the API's log: each bot's time
// is asked for once per endpoint (no two requests of a bot overlap), every
// request is one page of records (requests = pages), and single-bot queries of
// those bots afterwards read nothing more: they share the dashboard's reads.
func TestMultiBotDashboardOverGRPCReadsEachBotOnce(t *testing.T) {
	testparallel.BesideWaiting(t)
	data := simulator.NewDataset(simulator.Config{Bots: fleet, Days: 4, PerHour: 3, Seed: 9,
		Sizes: map[string]float64{"acme-support": 0.5, "globex-billing": 0.2}, Now: func() time.Time { return testNow }})
	sim := simulator.NewServer(data, simulator.ServerConfig{APIKey: testKey, RequestsPerSecond: -1})
	log := &apiLog{next: sim}
	hs := httptest.NewServer(log)
	t.Cleanup(hs.Close)
	is := instanceSettings(hs.URL, map[string]any{"bots": fleet}, testKey)
	is.UID, is.ID = "fleet", 21
	src := overGRPC(t, is)
	// Settled time: what is read is kept, and a second read of it costs nothing.
	from, to := testNow.Add(-50*time.Hour), testNow.Add(-26*time.Hour)
	for _, bot := range fleet {
		// Few enough records that every read is one page, whatever its legs.
		if n := len(data.Messages(bot, from, to, "")); n >= exportapi.MaxPerPage/2 {
			t.Fatalf("%s has %d messages in the range: too many for one page a read", bot, n)
		}
	}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{"bot": "__all__"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	panels := []backend.DataQuery{
		dataQuery("volume", "conversationVolume", from, to, with(map[string]any{"groupBy": "bot", "bucket": "1h"})),
		dataQuery("total", "conversationVolume", from, to, with(map[string]any{"bucket": "1h"})),
		dataQuery("rate", "tagRate", from, to, with(map[string]any{"groupBy": "bot", "tag": "resolved", "bucket": "1h"})),
		dataQuery("counts", "conversationCounts", from, to, with(map[string]any{"groupBy": "bot"})),
		dataQuery("locales", "conversationCounts", from, to, with(map[string]any{"groupBy": "locale"})),
		dataQuery("messages", "messageVolume", from, to, with(map[string]any{"groupBy": "bot", "bucket": "1h"})),
		dataQuery("joined", "messageVolume", from, to, with(map[string]any{"groupBy": "tag", "bucket": "1h"})),
		dataQuery("stat", "userMessages", from, to, with(map[string]any{"groupBy": "bot", "stat": "p90", "bucket": "1h"})),
	}
	resp := src.mustQuery(t, panels...)
	for ref, r := range resp.Responses {
		if r.Error != nil {
			t.Fatalf("%s: %v", ref, r.Error)
		}
	}
	reqs := log.requests()
	per := map[string][]apiRequest{}
	for _, r := range reqs {
		if !slices.Contains(fleet, r.bot) {
			t.Fatalf("a request for bot %q", r.bot)
		}
		if r.cursor {
			t.Fatalf("a second page of %s %s: the test wants one page a read", r.bot, r.endpoint)
		}
		per[r.bot+" "+r.endpoint] = append(per[r.bot+" "+r.endpoint], r)
	}
	for _, bot := range fleet {
		for _, ep := range []string{"conversations", "messages"} {
			rs := per[bot+" "+ep]
			if len(rs) == 0 {
				t.Fatalf("%s: no %s read", bot, ep)
			}
			for i, a := range rs {
				for _, b := range rs[i+1:] {
					if a.from < b.to && b.from < a.to {
						t.Fatalf("%s %s: [%d, %d) and [%d, %d) both read: a bot's time was read twice", bot, ep, a.from, a.to, b.from, b.to)
					}
				}
			}
		}
	}
	t.Logf("8 panels over %d bots: %d requests, each one page of its own time", len(fleet), len(reqs))

	var single []backend.DataQuery
	for _, bot := range fleet {
		single = append(single, dataQuery(bot, "conversationVolume", from, to, map[string]any{"bot": bot, "bucket": "1h"}),
			dataQuery(bot+"/m", "messageVolume", from, to, map[string]any{"bot": bot, "bucket": "1h"}))
	}
	resp = src.mustQuery(t, single...)
	sum := func(r backend.DataResponse) (n float64) {
		for _, v := range series(t, r, "")[""] {
			n += *v
		}
		return n
	}
	var bots float64
	for _, bot := range fleet {
		bots += sum(resp.Responses[bot])
	}
	var want int
	for _, bot := range fleet {
		want += len(data.Conversations(bot, from, to))
	}
	if bots != float64(want) {
		t.Fatalf("single-bot volumes add up to %v, the simulator holds %d", bots, want)
	}
	total := sum(backend.DataResponse{Frames: respFrames(t, src, panels[1])})
	if total != float64(want) {
		t.Fatalf("the total across bots is %v, the simulator holds %d", total, want)
	}
	if n := len(log.requests()); n != len(reqs) {
		t.Fatalf("single-bot queries after the dashboard made %d more requests; they must share its reads", n-len(reqs))
	}
}

// respFrames answers one query over gRPC.
func respFrames(t *testing.T, src grpcSource, q backend.DataQuery) data.Frames {
	t.Helper()
	resp := src.mustQuery(t, q)
	if r := resp.Responses[q.RefID]; r.Error != nil {
		t.Fatal(r.Error)
	}
	return resp.Responses[q.RefID].Frames
}
