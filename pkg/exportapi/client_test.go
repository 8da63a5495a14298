package exportapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

// An off-the-hour window of about 31 hours, read in pages of 100.
var (
	offHourFrom = testNow.Add(-50*time.Hour - 17*time.Minute - 13*time.Second - 250*time.Millisecond)
	offHourTo   = testNow.Add(-19*time.Hour + 3*time.Minute + 1*time.Second + 999*time.Millisecond)
)

func TestConversationsMatchSimulatorAcrossPages(t *testing.T) {
	sim, url := startSim(t)
	c := newTestClient(t, url)
	got, st, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: Window{offHourFrom, offHourTo}, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := sim.Dataset().Conversations("r3-218210", offHourFrom, offHourTo)
	if len(want) < 500 {
		t.Fatalf("the window should span several pages; simulator has only %d conversations", len(want))
	}
	if len(got) != len(want) {
		t.Fatalf("got %d conversations, simulator has %d", len(got), len(want))
	}
	if st.Pages < len(want)/100 || st.RecordsKept != int64(len(want)) || st.Duplicates != 0 {
		t.Errorf("stats %+v do not fit %d records in pages of 100", st, len(want))
	}
	byID := map[string]Conversation{}
	for _, g := range got {
		if _, dup := byID[g.ID]; dup {
			t.Fatalf("conversation %s delivered twice", g.ID)
		}
		byID[g.ID] = g
	}
	for _, w := range want {
		g, ok := byID[w.ID]
		if !ok {
			t.Fatalf("conversation %s (start %s) missing", w.ID, w.Start)
		}
		wantC := Conversation{ID: w.ID, StartTime: w.Start, LastActionAt: w.LastActionAt.Truncate(time.Microsecond),
			Locale: w.LocaleGroup(), Tags: w.Tags, HasUserMessages: w.HasUserMessageCount}
		if w.HasUserMessageCount {
			wantC.UserMessageCount = int64(w.UserMessageCount)
		}
		if diff := cmp.Diff(wantC, g, cmpopts.IgnoreFields(Conversation{}, "Metadata"), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("conversation %s (-simulator +decoded):\n%s", w.ID, diff)
		}
		if (w.Metadata == nil) != (g.Metadata == nil) {
			t.Fatalf("conversation %s metadata %s, simulator %s", w.ID, g.Metadata, w.Metadata)
		}
	}
}

func TestWindowEdgesAreHalfOpen(t *testing.T) {
	sim, url := startSim(t)
	c := newTestClient(t, url)
	// Every third epoch hour holds a conversation exactly on the hour.
	hour := testNow.Truncate(3 * time.Hour).Add(-3 * time.Hour)
	all := sim.Dataset().Conversations("r3-218210", hour.Add(-time.Hour), hour.Add(4*time.Hour))
	var onFrom, onTo bool
	for _, cv := range all {
		onFrom = onFrom || cv.Start.Equal(hour)
		onTo = onTo || cv.Start.Equal(hour.Add(3*time.Hour))
	}
	if !onFrom || !onTo {
		t.Fatalf("test data should hold conversations at %s and 3h later", hour)
	}
	w := Window{From: hour, To: hour.Add(3 * time.Hour)}
	got, _, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: w})
	if err != nil {
		t.Fatal(err)
	}
	want := sim.Dataset().Conversations("r3-218210", w.From, w.To)
	if len(got) != len(want) {
		t.Fatalf("got %d, want %d", len(got), len(want))
	}
	if !got[0].StartTime.Equal(hour) && !slices.ContainsFunc(got, func(c Conversation) bool { return c.StartTime.Equal(hour) }) {
		t.Error("the conversation at From is missing")
	}
	if slices.ContainsFunc(got, func(c Conversation) bool { return !c.StartTime.Before(w.To) }) {
		t.Error("a conversation at or after To was kept")
	}
}

func TestMessagesWindowOnMessageTimestamps(t *testing.T) {
	sim, url := startSim(t)
	c := newTestClient(t, url)
	msgs := sim.Dataset().Messages("r3-218210", testNow.Add(-6*time.Hour), testNow, "")
	// Bounds exactly on two messages' millisecond timestamps.
	from, to := msgs[100].Time, msgs[len(msgs)-100].Time
	if from.Nanosecond()%int(time.Second) == 0 {
		from = msgs[101].Time
	}
	w := Window{From: from, To: to}
	got, _, err := collectMessages(t, c, Request{Bot: "r3-218210", Window: w, PerPage: 250})
	if err != nil {
		t.Fatal(err)
	}
	want := sim.Dataset().Messages("r3-218210", from, to, "")
	if len(got) != len(want) {
		t.Fatalf("got %d messages, simulator has %d", len(got), len(want))
	}
	wantIDs := map[string]simulator.Message{}
	for _, m := range want {
		wantIDs[m.ID] = m
	}
	for _, g := range got {
		w, ok := wantIDs[g.ID]
		if !ok {
			t.Fatalf("message %s at %s is not in the simulator's window", g.ID, g.Time)
		}
		type key struct {
			Time                 time.Time
			Type, ConversationID string
		}
		if diff := cmp.Diff(key{w.Time, w.Type, w.ConversationID}, key{g.Time, g.Type, g.ConversationID}); diff != "" {
			t.Fatalf("message %s (-simulator +decoded):\n%s", g.ID, diff)
		}
		if w.Type == "UserInput" && w.UserInputJSON == nil && g.UserInput != w.UserInput {
			t.Fatalf("message %s text %q, simulator %q", g.ID, g.UserInput, w.UserInput)
		}
	}
	if !slices.ContainsFunc(got, func(m Message) bool { return m.Time.Equal(from) }) {
		t.Error("the message exactly at From is missing")
	}
	if slices.ContainsFunc(got, func(m Message) bool { return m.Time.Equal(to) }) {
		t.Error("the message exactly at To was kept")
	}
}

func TestMessagesOfOneConversation(t *testing.T) {
	sim, url := startSim(t)
	c := newTestClient(t, url)
	convs := sim.Dataset().Conversations("r3-218210", testNow.Add(-3*time.Hour), testNow.Add(-2*time.Hour))
	conv := convs[len(convs)/2]
	w := Window{From: testNow.Add(-4 * time.Hour), To: testNow}
	got, _, err := collectMessages(t, c, Request{Bot: "r3-218210", Window: w, ConversationID: conv.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(conv.Messages) {
		t.Fatalf("got %d messages of %s, simulator has %d", len(got), conv.ID, len(conv.Messages))
	}
	for _, m := range got {
		if m.ConversationID != conv.ID {
			t.Fatalf("message of conversation %s leaked in", m.ConversationID)
		}
	}
}

func TestRateLimitAnswersAreWaitedOut(t *testing.T) {
	for _, dateForm := range []bool{false, true} {
		t.Run(map[bool]string{false: "seconds", true: "http-date"}[dateForm], func(t *testing.T) {
			sim, url := startSim(t, withServerRate(3), func(_ *simulator.Config, s *simulator.ServerConfig) { s.RetryAfterDate = dateForm })
			// The client is told it may send 20/s, so the simulator must push back.
			c := newTestClient(t, url, func(cfg *Config) { cfg.Limiters = pacedAt(url, 20) })
			w := Window{From: testNow.Add(-12 * time.Hour), To: testNow}
			got, st, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: w, PerPage: 50})
			if err != nil {
				t.Fatal(err)
			}
			if want := len(sim.Dataset().Conversations("r3-218210", w.From, w.To)); len(got) != want {
				t.Fatalf("got %d, want %d", len(got), want)
			}
			if st.RateLimited == 0 || sim.Counts().RateLimited == 0 {
				t.Fatalf("expected 429 answers, stats %+v", st)
			}
		})
	}
}

func TestSharedLimiterKeepsTwoClientsUnderTheLimit(t *testing.T) {
	sim, url := startSim(t, withServerRate(3))
	pool := &LimiterPool{}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i := 0; i < 2; i++ {
		lease := pool.Acquire(url, testKey, 3)
		t.Cleanup(lease.Release)
		c := newTestClient(t, url, func(cfg *Config) { cfg.Limiters = lease })
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: Window{testNow.Add(-3 * time.Hour), testNow}, PerPage: 40})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := sim.Counts().RateLimited; n != 0 {
		t.Fatalf("two clients sharing one key drew %d 429 answers: the limiter is not shared", n)
	}
}

func TestLowestRateWinsAndReleaseRestoresIt(t *testing.T) {
	pool := &LimiterPool{}
	a := pool.Acquire("https://x", "k", 3)
	b := pool.Acquire("https://x", "k", 1)
	other := pool.Acquire("https://x", "another key", 3)
	if a.Conversations != b.Conversations || a.Messages != b.Messages {
		t.Fatal("same URL and key must share limiters")
	}
	if a.Conversations == a.Messages || a.Conversations == other.Conversations {
		t.Fatal("endpoints and keys must not share limiters")
	}
	if r := a.Conversations.Rate(); r != 1 {
		t.Fatalf("rate %v, want the lowest, 1", r)
	}
	b.Release()
	b.Release() // twice is harmless
	if r := a.Conversations.Rate(); r != 3 {
		t.Fatalf("rate %v after release, want 3", r)
	}
	a.Release()
	other.Release()
	if len(pool.entries) != 0 {
		t.Fatalf("%d limiters left after every lease was released", len(pool.entries))
	}
}

func TestTransientFaultsAreRetriedToExactNumbers(t *testing.T) {
	sim, url := startSim(t, withFaults(simulator.Faults{ServerErrors: 0.2, Drops: 0.1, Truncations: 0.1, Malformed: 0.05}))
	c := newTestClient(t, url, func(cfg *Config) { cfg.MaxRetries = 12 })
	w := Window{From: offHourFrom, To: offHourTo}
	got, st, err := collectConversations(t, c, Request{Bot: "acme-support", Window: w, PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(sim.Dataset().Conversations("acme-support", w.From, w.To)); len(got) != want {
		t.Fatalf("got %d, want %d", len(got), want)
	}
	if st.Retries == 0 || sim.Counts().Faulted == 0 {
		t.Fatalf("no fault was injected or retried: %+v", st)
	}
	msgs, _, err := collectMessages(t, c, Request{Bot: "acme-support", Window: Window{testNow.Add(-5 * time.Hour), testNow}, PerPage: 500})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(sim.Dataset().Messages("acme-support", testNow.Add(-5*time.Hour), testNow, "")); len(msgs) != want {
		t.Fatalf("got %d messages, want %d", len(msgs), want)
	}
}

func TestFailuresGiveClearErrors(t *testing.T) {
	w := Window{From: testNow.Add(-2 * time.Hour), To: testNow}
	cases := []struct {
		name    string
		faults  simulator.Faults
		mod     func(*Config)
		bot     string
		kind    Kind
		mention []string
	}{
		{name: "5xx storm", faults: simulator.Faults{ServerErrors: 1}, kind: KindUnavailable, mention: []string{"HTTP 5", "retries"}},
		{name: "dropped connections", faults: simulator.Faults{Drops: 1}, kind: KindUnavailable, mention: []string{"connection"}},
		{name: "truncated bodies", faults: simulator.Faults{Truncations: 1}, kind: KindUnavailable, mention: []string{"unreadable page"}},
		{name: "malformed JSON", faults: simulator.Faults{Malformed: 1}, kind: KindUnavailable, mention: []string{"unreadable page"}},
		{name: "wrong key", mod: func(c *Config) { c.APIKey = "wrong-key-123456" }, kind: KindKeyRejected, mention: []string{"rejected the API key", "401"}},
		{name: "unknown bot", bot: "no-such-bot", kind: KindBotNotFound, mention: []string{`"no-such-bot"`, "404"}},
		{name: "cursor loop", faults: simulator.Faults{CursorLoop: true}, kind: KindCursorLoop, mention: []string{"cursor"}},
		{name: "cursor that never ends", faults: simulator.Faults{EndlessEmptyPages: true}, kind: KindCursorLoop, mention: []string{"empty pages"}},
		{name: "page over the size limit", faults: simulator.Faults{PadBytes: 2 << 20}, mod: func(c *Config) { c.MaxPageBytes = 1 << 20 }, kind: KindBadResponse, mention: []string{"larger than 1 MB"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, url := startSim(t, withFaults(tc.faults))
			mods := []func(*Config){func(c *Config) { c.MaxRetries = 3 }}
			if tc.mod != nil {
				mods = append(mods, tc.mod)
			}
			c := newTestClient(t, url, mods...)
			bot := tc.bot
			if bot == "" {
				bot = "r3-218210"
			}
			_, _, err := collectConversations(t, c, Request{Bot: bot, Window: w, PerPage: 20})
			if err == nil {
				t.Fatal("expected an error")
			}
			if KindOf(err) != tc.kind {
				t.Fatalf("kind %d, want %d: %v", KindOf(err), tc.kind, err)
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(err.Error(), "wrong-key-123456") {
				t.Errorf("error %q holds the API key", err)
			}
		})
	}
}

func TestEmptyPagesWithCursorAreFollowed(t *testing.T) {
	sim, url := startSim(t, withFaults(simulator.Faults{EmptyPagesFirst: 3}))
	c := newTestClient(t, url)
	w := Window{From: testNow.Add(-2 * time.Hour), To: testNow}
	got, st, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(sim.Dataset().Conversations("r3-218210", w.From, w.To)); len(got) != want || st.Pages != 4 {
		t.Fatalf("got %d in %d pages, want %d in 4", len(got), st.Pages, want)
	}
}

func TestCancellationStopsTheExport(t *testing.T) {
	// The answer would take a minute: a cancellation that is not honoured shows as a
	// wait far longer than any busy machine adds.
	_, url := startSim(t, withFaults(simulator.Faults{Latency: time.Minute}))
	c := newTestClient(t, url)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Conversations(ctx, Request{Bot: "r3-218210", Window: Window{testNow.Add(-time.Hour), testNow}}, func([]Conversation) error { return nil })
	if KindOf(err) != KindCanceled {
		t.Fatalf("got %v, want a cancellation", err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("cancellation took %s", d)
	}
}

func TestRetryAfterBeyondTheDeadlineFailsAtOnce(t *testing.T) {
	// At 0.02 requests/s the simulator asks for a wait of about 50 s after the first
	// request, far past the query's 30 s: failing at once and failing at the deadline
	// stay apart however busy the machine is.
	_, url := startSim(t, withServerRate(0.02))
	c := newTestClient(t, url, func(cfg *Config) { cfg.Limiters = pacedAt(url, 3) })
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.Conversations(ctx, Request{Bot: "r3-218210", Window: Window{testNow.Add(-6 * time.Hour), testNow}, PerPage: 10},
		func([]Conversation) error { return nil })
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindRateLimited {
		t.Fatalf("got %v, want a rate-limit error", err)
	}
	if !strings.Contains(err.Error(), "rate limit") || !strings.Contains(err.Error(), "retry after") || e.RetryAt.IsZero() {
		t.Errorf("message %q should say the rate limit was reached and when to retry", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Fatalf("took %s: it should fail as soon as the wait cannot fit, not at the deadline", d)
	}
}

// TestOwnPacingBeyondTheDeadlineIsATimeoutNotA429: when only the client's own
// rate stands between the query and its next request, and the API refused
// nothing, the error is a timeout caused by ErrPaced, never the API's 429.
func TestOwnPacingBeyondTheDeadlineIsATimeoutNotA429(t *testing.T) {
	sim, url := startSim(t)
	c := newTestClient(t, url, func(cfg *Config) { cfg.Limiters = pacedAt(url, 2) })
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	var seen []Stats
	_, err := c.Conversations(ctx, Request{Bot: "r3-218210", Window: Window{testNow.Add(-24 * time.Hour), testNow}, PerPage: 10,
		Observe: func(soFar Stats) { seen = append(seen, soFar) }}, func([]Conversation) error { return nil })
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindTimeout || !errors.Is(err, ErrPaced) || e.Status == 429 {
		t.Fatalf("got %v, want a timeout of the client's own pacing", err)
	}
	if sim.Counts().RateLimited != 0 || strings.Contains(err.Error(), "retry after") {
		t.Fatalf("%q: the API refused %d requests", err, sim.Counts().RateLimited)
	}
	if len(seen) == 0 || seen[len(seen)-1].Requests == 0 || seen[len(seen)-1].AnswerTime <= 0 || seen[len(seen)-1].RateLimitWait <= 0 {
		t.Fatalf("the export's cost was not observed as it went: %+v", seen)
	}
}

func TestRequestTimeoutIsRetriedThenReported(t *testing.T) {
	_, url := startSim(t, withFaults(simulator.Faults{Latency: 2 * time.Second}))
	c := newTestClient(t, url, func(cfg *Config) { cfg.RequestTimeout = 100 * time.Millisecond; cfg.MaxRetries = 2 })
	_, _, err := collectConversations(t, c, Request{Bot: "r3-218210", Window: Window{testNow.Add(-time.Hour), testNow}})
	if KindOf(err) != KindUnavailable || !strings.Contains(err.Error(), "no answer within 100ms") {
		t.Fatalf("got %v", err)
	}
}

func TestRequestShape(t *testing.T) {
	var got *http.Request
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		_, _ = w.Write([]byte(`{"data":[],"cursor":null}`))
	}))
	defer hs.Close()
	c := newTestClient(t, hs.URL+"/")
	w := Window{From: time.Unix(1696118400, 500_000_000), To: time.Unix(1696550400, 1)}
	if _, _, err := collectMessages(t, c, Request{Bot: "r3 218210/x", Window: w, ConversationID: "abc"}); err != nil {
		t.Fatal(err)
	}
	q := got.URL.Query()
	if got.URL.Path != PathMessages || q.Get("start_time") != "1696118400" || q.Get("end_time") != "1696550401" ||
		q.Get("bot_name") != "r3 218210/x" || q.Get("per_page") != "1000" || q.Get("conversation_id") != "abc" {
		t.Fatalf("request %s", got.URL)
	}
	if got.Header.Get("x-api-key") != testKey {
		t.Fatal("the key is not sent as x-api-key")
	}
	if strings.Contains(got.URL.String(), testKey) {
		t.Fatal("the key leaked into the URL")
	}
}

// TestEndless429SaysTheAPIKeptRefusing: an API that answers 429 to every request,
// however long the client waits as asked, is reported as such, not as a query
// that ran out of time while most of it was left.
func TestEndless429SaysTheAPIKeptRefusing(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0.01")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(hs.Close)
	c := newTestClient(t, hs.URL)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	_, err := c.Conversations(ctx, Request{Bot: "b", Window: Window{testNow.Add(-time.Hour), testNow}}, func([]Conversation) error { return nil })
	if KindOf(err) != KindRateLimited {
		t.Fatalf("got %v, want a rate-limit error", err)
	}
	for _, want := range []string{"kept refusing", "429", "answers in a row", "Requests per second", "retry after"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "time ran out") {
		t.Errorf("%q blames the time, with most of it left", err)
	}
}
