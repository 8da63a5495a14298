package plugin

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/simulator"
)

var (
	from = testNow.Add(-31*time.Hour - 7*time.Minute - 3*time.Second)
	to   = testNow.Add(-2*time.Hour + 11*time.Minute + 500*time.Millisecond)
)

func run(t *testing.T, d *Datasource, qs ...backend.DataQuery) *backend.QueryDataResponse {
	t.Helper()
	resp, err := d.QueryData(t.Context(), &backend.QueryDataRequest{Queries: qs})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestConversationsTableWithFiltersMatchesSimulator(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	resp := run(t, d, dataQuery("A", "conversations", from, to, map[string]any{
		"limit": 100000,
		"filters": map[string]any{"tags": []string{"resolved"}, "excludeTags": []string{"thumbsDown"}, "locales": []string{"en_us", "de_de"},
			"metadata": []map[string]string{{"key": "channel", "op": "=", "value": "web"}}},
	}))
	r := resp.Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	var want []string
	for _, c := range sim.Dataset().Conversations("r3-218210", from, to) {
		if simMatches(c, []string{"resolved"}, []string{"thumbsDown"}, []string{"en_us", "de_de"}, map[string]string{"channel": "web"}) {
			want = append(want, c.ID)
		}
	}
	f := r.Frames[0]
	if f.Rows() != len(want) || len(want) < 50 {
		t.Fatalf("%d rows, the simulator has %d matching conversations", f.Rows(), len(want))
	}
	var got []string
	for i := 0; i < f.Rows(); i++ {
		got = append(got, f.Fields[0].At(i).(string))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatal("the rows are not the simulator's matching conversations")
	}
	links := f.Fields[0].Config.Links
	if len(links) != 1 || links[0].Internal == nil || links[0].Internal.DatasourceUID != "agentx-test" ||
		links[0].Internal.Query.(map[string]any)["queryType"] != "transcript" {
		t.Errorf("conversation ids should link to their transcript: %+v", links)
	}
	if !strings.Contains(f.Meta.ExecutedQueryString, "GET "+url+"/conversations/export/v1/conversations?bot_name=r3-218210") {
		t.Errorf("executed query %q", f.Meta.ExecutedQueryString)
	}
}

func TestLimitKeepsTheNewestConversations(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	r := run(t, d, dataQuery("A", "conversations", from, to, map[string]any{"limit": 7, "bot": "acme-support"})).Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	all := sim.Dataset().Conversations("acme-support", from, to)
	slices.SortFunc(all, func(a, b simulator.Conversation) int {
		if c := b.Start.Compare(a.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	f := r.Frames[0]
	for i := 0; i < 7; i++ {
		if f.Fields[0].At(i) != all[i].ID {
			t.Fatalf("row %d is %v, want %s", i, f.Fields[0].At(i), all[i].ID)
		}
	}
	if f.Rows() != 7 || len(f.Meta.Notices) != 1 {
		t.Fatalf("%d rows, notices %+v", f.Rows(), f.Meta.Notices)
	}
}

func TestMessagesTableFiltersThroughConversations(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	mFrom, mTo := testNow.Add(-5*time.Hour-time.Minute/3), testNow.Add(-time.Hour)
	r := run(t, d, dataQuery("A", "messages", mFrom, mTo, map[string]any{
		"limit": 100000, "filters": map[string]any{"tags": []string{"liveChat"}},
	})).Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	keep := map[string]bool{}
	for _, c := range sim.Dataset().Conversations("r3-218210", mFrom.Add(-24*time.Hour), mTo) {
		keep[c.ID] = simMatches(c, []string{"liveChat"}, nil, nil, nil)
	}
	want := 0
	for _, m := range sim.Dataset().Messages("r3-218210", mFrom, mTo, "") {
		if keep[m.ConversationID] {
			want++
		}
	}
	f := r.Frames[0]
	if f.Rows() != want || want < 20 {
		t.Fatalf("%d rows, the simulator has %d messages of liveChat conversations", f.Rows(), want)
	}
	for i := 0; i < f.Rows(); i++ {
		typ, sender := f.Fields[3].At(i).(string), f.Fields[4].At(i).(string)
		if (typ == "UserInput") != (sender == "user") {
			t.Fatalf("row %d: type %s, sender %s", i, typ, sender)
		}
	}
	if !strings.Contains(f.Meta.ExecutedQueryString, "/conversations?") || !strings.Contains(f.Meta.ExecutedQueryString, "/messages?") {
		t.Errorf("executed query should list the conversations and messages exports: %q", f.Meta.ExecutedQueryString)
	}
}

func TestMessagesOfOneConversation(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	conv := sim.Dataset().Conversations("r3-218210", testNow.Add(-3*time.Hour), testNow.Add(-2*time.Hour))[0]
	r := run(t, d, dataQuery("A", "messages", testNow.Add(-6*time.Hour), testNow, map[string]any{
		"filters": map[string]any{"conversationId": conv.ID},
	})).Responses["A"]
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	if r.Frames[0].Rows() != len(conv.Messages) {
		t.Fatalf("%d rows, conversation has %d messages", r.Frames[0].Rows(), len(conv.Messages))
	}
}

func TestEachQueryFailsOnItsOwn(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	resp := run(t, d,
		dataQuery("good", "conversations", from, to, map[string]any{}),
		dataQuery("malformed", "conversations", from, to, map[string]any{"limit": "lots"}),
		dataQuery("unknownType", "funnel", from, to, map[string]any{}),
		dataQuery("unknownBot", "conversations", from, to, map[string]any{"bot": "ghost"}),
		dataQuery("variable", "messages", from, to, map[string]any{"bot": "$bot"}),
		dataQuery("good2", "messages", testNow.Add(-time.Hour), testNow, map[string]any{"bot": "acme-support"}),
	)
	for _, ok := range []string{"good", "good2"} {
		if r := resp.Responses[ok]; r.Error != nil || r.Frames[0].Rows() == 0 {
			t.Errorf("%s: %v", ok, r.Error)
		}
	}
	for ref, want := range map[string]string{
		"malformed":   "limit must be a whole number",
		"unknownType": `unknown query type "funnel"`,
		"unknownBot":  `does not know the bot "ghost"`,
		"variable":    "template variable $bot",
	} {
		r := resp.Responses[ref]
		if r.Error == nil || !strings.Contains(r.Error.Error(), want) {
			t.Errorf("%s: got %v, want %q", ref, r.Error, want)
		}
		if r.ErrorSource != backend.ErrorSourceDownstream {
			t.Errorf("%s: error source %q", ref, r.ErrorSource)
		}
	}
	if resp.Responses["unknownBot"].Status != backend.StatusNotFound {
		t.Errorf("unknown bot status %d", resp.Responses["unknownBot"].Status)
	}
}

func TestUpstreamFailureIsAnErrorNeverAnEmptyTable(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{ServerErrors: 1})
	d := newTestDatasource(t, url, map[string]any{"timeoutSeconds": 2})
	r := run(t, d, dataQuery("A", "conversations", testNow.Add(-time.Hour), testNow, map[string]any{})).Responses["A"]
	if r.Error == nil || len(r.Frames) != 0 || r.Status != backend.StatusBadGateway {
		t.Fatalf("error %v, %d frames, status %d", r.Error, len(r.Frames), r.Status)
	}
}

func TestWrongKeyAndBadSettings(t *testing.T) {
	testparallel.BesideWaiting(t)
	_, url := startSim(t, simulator.Faults{})
	inst, _ := NewDatasource(t.Context(), instanceSettings(url, nil, "not-the-key-99"))
	d := inst.(*Datasource)
	defer d.Dispose()
	r := run(t, d, dataQuery("A", "conversations", from, to, map[string]any{})).Responses["A"]
	if r.Error == nil || !strings.Contains(r.Error.Error(), "rejected the API key") || strings.Contains(r.Error.Error(), "not-the-key-99") {
		t.Fatalf("wrong key: %v", r.Error)
	}
	if r.Status != backend.StatusUnauthorized {
		t.Errorf("status %d", r.Status)
	}

	inst, _ = NewDatasource(t.Context(), instanceSettings("ftp://example.com", map[string]any{"requestsPerSecond": -2}, testKey))
	bad := inst.(*Datasource)
	defer bad.Dispose()
	r = run(t, bad, dataQuery("A", "conversations", from, to, map[string]any{})).Responses["A"]
	if r.Error == nil || !strings.Contains(r.Error.Error(), "https://") || !strings.Contains(r.Error.Error(), "Requests per second") {
		t.Fatalf("bad settings: %v", r.Error)
	}
	h, _ := bad.CheckHealth(t.Context(), &backend.CheckHealthRequest{})
	if h.Status != backend.HealthStatusError || !strings.Contains(h.Message, "Requests per second") {
		t.Fatalf("health with bad settings: %+v", h)
	}
}

// TestNoneIsAFilterValue: filtering on "(none)" selects exactly the conversations
// that grouping puts in the (none) group, counted from the simulator's records.
func TestNoneIsAFilterValue(t *testing.T) {
	testparallel.BesideWaiting(t)
	sim, url := startSim(t, simulator.Faults{})
	d := newTestDatasource(t, url, nil)
	type filter struct {
		tags, exclude, locales []string
		metadata               map[string]string
	}
	cases := map[string]filter{
		"locale":       {locales: []string{"(none)"}},
		"locale or":    {locales: []string{"(none)", "de_de"}},
		"no tags":      {tags: []string{"(none)"}},
		"some tag":     {exclude: []string{"(none)"}},
		"metadata":     {metadata: map[string]string{"channel": "(none)"}},
		"metadata not": {metadata: map[string]string{}},
	}
	var qs []backend.DataQuery
	for name, f := range cases {
		var meta []map[string]string
		for k, v := range f.metadata {
			meta = append(meta, map[string]string{"key": k, "op": "=", "value": v})
		}
		if name == "metadata not" {
			meta = []map[string]string{{"key": "channel", "op": "!=", "value": "(none)"}}
		}
		qs = append(qs, dataQuery(name, "conversationCounts", from, to, map[string]any{"filters": map[string]any{
			"tags": f.tags, "excludeTags": f.exclude, "locales": f.locales, "metadata": meta}}))
	}
	resp := run(t, d, qs...)
	convs := sim.Dataset().Conversations("r3-218210", from, to)
	for name, f := range cases {
		var want int64
		for _, c := range convs {
			match := simMatches(c, f.tags, f.exclude, f.locales, f.metadata)
			if name == "metadata not" {
				match = !simMatches(c, nil, nil, nil, map[string]string{"channel": "(none)"})
			}
			if match {
				want++
			}
		}
		r := resp.Responses[name]
		if r.Error != nil {
			t.Fatalf("%s: %v", name, r.Error)
		}
		got := r.Frames[0].Fields[1].At(0).(int64)
		if got != want || want == 0 || want == int64(len(convs)) {
			t.Errorf("%s: %d conversations, the simulator has %d of %d", name, got, want, len(convs))
		}
	}
}
