package plugin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/testparallel"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var propertyFrom = time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)

// metadataKinds are the values a metadata key takes: every JSON kind, the empty
// string, and text that looks like another kind.
var metadataKinds = []string{`"web"`, `"app"`, `""`, `"(none)"`, `5`, `5.0`, `-0.5e3`, `true`, `false`, `null`,
	`{"tier":"pro"}`, `{ "tier" : "pro" }`, `[1,2]`, `[]`, `{}`, `"5"`, `"true"`, `"a\"b"`, `"\u00e9t\u00e9"`}

var metadataKeys = []string{"channel", "plan", "count", "flag", "sparse"}

// randomMetadata is a record's metadata JSON, or none: keys of every kind,
// missing keys, repeated keys, non-objects and malformed text.
func randomMetadata(rng *rand.Rand) json.RawMessage {
	switch rng.IntN(20) {
	case 0:
		return nil
	case 1:
		return json.RawMessage(`{}`)
	case 2:
		return json.RawMessage(`[1,2,3]`)
	case 3:
		return json.RawMessage(`"text"`)
	case 4:
		return json.RawMessage(`{"channel": "web", "plan": `) // cut short
	case 5:
		return json.RawMessage(`{"channel":"web","channel":"app"}`)
	}
	var parts []string
	for _, k := range metadataKeys {
		if k == "sparse" && rng.IntN(10) > 0 || rng.IntN(6) == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%q:%s", k, metadataKinds[rng.IntN(len(metadataKinds))]))
	}
	rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return json.RawMessage("{" + strings.Join(parts, ",") + "}")
}

var (
	propertyTags    = []string{"resolved", "liveChat", "thumbsUp", "(none)", ""}
	propertyLocales = []string{"en_us", "de_de", "", "(none)", "fr_fr"}
	propertyTypes   = []string{"user", "bot", "", "(none)", "system"}
)

// randomRecords are n conversations over three days and their messages, in
// pages of random sizes, each page in random order, the pages in time order.
// Some messages belong to conversations never read, or to none.
func randomRecords(rng *rand.Rand, n int, uniqueKey bool) *structRecords {
	convs := make([]exportapi.Conversation, n)
	for i := range convs {
		start := propertyFrom.Add(time.Duration(rng.Int64N(int64(72 * time.Hour))))
		if rng.IntN(8) == 0 {
			start = start.Truncate(time.Hour) // records of one instant
		}
		c := exportapi.Conversation{ID: fmt.Sprintf("%08x", i), StartTime: start, Metadata: randomMetadata(rng)}
		if rng.IntN(5) > 0 {
			c.Locale = propertyLocales[rng.IntN(len(propertyLocales))]
		}
		for range rng.IntN(4) {
			c.Tags = append(c.Tags, propertyTags[rng.IntN(len(propertyTags))]) // repeats included
		}
		if rng.IntN(40) == 0 {
			c.Tags = append(c.Tags, manyTags...) // more tags than a word of filter bits
		}
		switch rng.IntN(7) {
		case 0: // no lastActionAt
		case 5:
			// Past Unix nanoseconds: a duration Sub saturates.
			c.LastActionAt = time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC)
		case 6:
			c.LastActionAt = time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)
		case 1:
			c.LastActionAt = start.Add(-time.Duration(rng.Int64N(int64(time.Hour)))) // before the start
		case 2:
			c.LastActionAt = start // zero duration
		default:
			c.LastActionAt = start.Add(time.Duration(rng.Int64N(int64(3 * time.Hour)))).Truncate(time.Microsecond)
		}
		if rng.IntN(6) > 0 {
			c.UserMessageCount, c.HasUserMessages = int64(rng.IntN(15)), true
			if rng.IntN(40) == 0 {
				c.UserMessageCount = int64(100 + rng.IntN(50))
			}
		}
		if uniqueKey {
			c.Metadata = json.RawMessage(fmt.Sprintf(`{"uid":"%d"}`, i))
		}
		convs[i] = c
	}
	var msgs []exportapi.Message
	for i := range 3 * n {
		m := exportapi.Message{ID: fmt.Sprintf("m%06d", i), Type: propertyTypes[rng.IntN(len(propertyTypes))],
			UserInput: fmt.Sprint("hello ", i), BotText: fmt.Sprint("answer ", i)}
		if rng.IntN(3) == 0 {
			m.UserActionType = "click"
		}
		switch rng.IntN(10) {
		case 0:
			m.ConversationID = "unknown" + fmt.Sprint(rng.IntN(5))
			m.Time = propertyFrom.Add(time.Duration(rng.Int64N(int64(72 * time.Hour))))
		default:
			c := &convs[rng.IntN(n)]
			m.ConversationID = c.ID
			m.Time = c.StartTime.Add(time.Duration(rng.Int64N(int64(2 * time.Hour))))
		}
		msgs = append(msgs, m)
	}
	return &structRecords{conversationPages: randomPages(rng, convs, func(c *exportapi.Conversation) time.Time { return c.StartTime }),
		messagePages: randomPages(rng, msgs, func(m *exportapi.Message) time.Time { return m.Time }), bots: []string{"b2", "b1"}}
}

func randomPages[T any](rng *rand.Rand, recs []T, at func(*T) time.Time) [][]T {
	slices.SortStableFunc(recs, func(a, b T) int { return at(&a).Compare(at(&b)) })
	var pages [][]T
	for len(recs) > 0 {
		n := min(len(recs), 1+rng.IntN(300))
		page := slices.Clone(recs[:n])
		rng.Shuffle(len(page), func(i, j int) { page[i], page[j] = page[j], page[i] })
		pages = append(pages, page)
		recs = recs[n:]
	}
	return pages
}

// propertyFilters are filter sets of every kind, (none) included.
var propertyFilters = []query.Filters{
	{},
	{Tags: []string{"resolved"}},
	{Tags: []string{"resolved", "liveChat"}},
	{Tags: []string{"(none)"}},
	{Tags: []string{""}},
	{ExcludeTags: []string{"liveChat"}},
	{ExcludeTags: []string{"(none)", "thumbsUp"}},
	{Locales: []string{"en_us", "(none)"}},
	{Locales: []string{"de_de"}},
	{Locales: []string{"nowhere"}},
	{Metadata: []query.MetadataFilter{{Key: "channel", Op: "=", Value: "web"}}},
	{Metadata: []query.MetadataFilter{{Key: "channel", Op: "!=", Value: "(none)"}}},
	{Metadata: []query.MetadataFilter{{Key: "plan", Op: "=", Value: `{"tier":"pro"}`}, {Key: "count", Op: "!=", Value: "5"}}},
	{Metadata: []query.MetadataFilter{{Key: "flag", Op: "=", Value: "true"}}},
	{Metadata: []query.MetadataFilter{{Key: "missing", Op: "=", Value: "(none)"}}},
	{Metadata: []query.MetadataFilter{{Key: "missing", Op: "=", Value: "x"}}},
	{Metadata: []query.MetadataFilter{{Key: "sparse", Op: "=", Value: ""}}},
	{Tags: []string{"resolved"}, Locales: []string{"en_us"}, Metadata: []query.MetadataFilter{{Key: "channel", Op: "=", Value: "app"}}},
	{ExcludeLocales: []string{"en_us", "(none)"}},
	{Locales: []string{"en_us", "de_de"}, ExcludeLocales: []string{"de_de"}},
	{ExcludeLocales: []string{""}},
	{Types: []string{"user"}},
	{Types: []string{"(none)", "bot"}},
	{ExcludeTypes: []string{"(none)"}},
	{Types: []string{"user", "system"}, ExcludeTypes: []string{"system"}},
	{Types: []string{"bot"}, Tags: []string{"resolved"}, ExcludeLocales: []string{"fr_fr"}},
}

// manyTags is a filter list longer than a word of bits.
var manyTags = func() []string {
	out := []string{"resolved", "liveChat"}
	for i := range 70 {
		out = append(out, fmt.Sprint("other", i))
	}
	return out
}()

func init() {
	propertyFilters = append(propertyFilters,
		query.Filters{Tags: manyTags},
		query.Filters{Tags: []string{"resolved", "resolved", "(none)"}},
		query.Filters{ExcludeTags: manyTags})
}

type grouping struct{ by, key string }

var conversationGroupings = []grouping{{"", ""}, {"tag", ""}, {"locale", ""},
	{"metadata", "channel"}, {"metadata", "plan"}, {"metadata", "count"}, {"metadata", "flag"},
	{"metadata", "sparse"}, {"metadata", "missing"}, {"type", ""}, {"bot", ""}}

// propertyZones put hour buckets off the whole UTC hour (Kolkata by 30 minutes,
// Kathmandu by 45) beside the epoch's; timegrid's tests cover clock changes.
var propertyZones = []*time.Location{nil, mustZone("Asia/Kolkata"), mustZone("Asia/Kathmandu")}

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// TestColumnsEqualStructs is the columnar path against the struct path it
// replaced, on random records, for every query type, grouping and filter: the
// frames (and errors) must be the same, bit for bit.
// -short and the race detector sample the cases; scripts/check runs them whole.
func TestColumnsEqualStructs(t *testing.T) {
	testparallel.ComputesLong(t) // computation only, on its own records: it overlaps the tests that wait
	window := exportapi.Window{From: propertyFrom.Add(30 * time.Hour), To: propertyFrom.Add(70 * time.Hour)}
	seeds, stride := uint64(3), 1
	if raceEnabled || testing.Short() {
		seeds, stride = 1, 5
	}
	// Each seed has its own records and queries. They run at once but not as
	// parallel subtests: those would take three of the slots -parallel gives the
	// tests that wait (on rate limits, leases), which then wait behind them.
	seedRuns := testparallel.RunTogether(t)
	defer seedRuns.Wait()
	for seed := range seeds {
		seedRuns.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			columnsEqualStructsFor(t, seed, stride, window)
		})
	}
}

func columnsEqualStructsFor(t *testing.T, seed uint64, stride int, window exportapi.Window) {
	{
		rng := rand.New(rand.NewPCG(seed, 7))
		recs := randomRecords(rng, 600+rng.IntN(600), false)
		var queries []query.Query
		for _, f := range propertyFilters {
			for _, g := range conversationGroupings {
				base := query.Query{Bot: "b1", GroupBy: g.by, MetadataKey: g.key, Filters: f, Bucket: []string{"1h", "7m", "range"}[rng.IntN(3)]}
				for _, typ := range []query.Type{query.TypeConversationVolume, query.TypeTagRate, query.TypeUserMessages,
					query.TypeConversationDuration, query.TypeConversationCounts, query.TypeMessageVolume} {
					q := base
					q.Type = typ
					q.Tag = []string{"resolved", "(none)", ""}[rng.IntN(3)]
					q.Stat = query.Stats[rng.IntN(len(query.Stats))]
					q.Limit = []int{1, 3, 1000}[rng.IntN(3)]
					// Buckets of unequal length (a zone's clock) on a third of
					// the queries, chosen without the random stream so that the
					// rest draw what they drew before.
					q.Location = propertyZones[len(queries)%len(propertyZones)]
					queries = append(queries, q)
				}
			}
			mv := query.Query{Type: query.TypeMessageVolume, Bot: "b1", GroupBy: query.GroupType, Filters: f, Bucket: "1h"}
			queries = append(queries, mv)
			// Two bots whose records (and so ids) are the same: each counts on its own.
			for _, g := range []string{query.GroupNone, query.GroupBot, query.GroupTag} {
				for _, typ := range []query.Type{query.TypeConversationVolume, query.TypeMessageVolume, query.TypeConversationCounts, query.TypeConversations} {
					queries = append(queries, query.Query{Type: typ, Bot: "b1", Bots: []string{"b1", "b2"}, GroupBy: g, Filters: f, Bucket: "1h", Limit: 50})
				}
			}
			for _, typ := range []query.Type{query.TypeUserMessageHistogram, query.TypeConversations, query.TypeMessages, query.TypeTranscript} {
				for _, limit := range []int{2, 40, 5000} {
					queries = append(queries, query.Query{Type: typ, Bot: "b1", Filters: f, Limit: limit})
				}
			}
			for _, field := range []string{query.FieldTag, query.FieldLocale, query.FieldBot, query.FieldMetadataKey, query.FieldMessageType} {
				for _, limit := range []int{2, 1000} {
					queries = append(queries, query.Query{Type: query.TypeValues, Bot: "b1", Field: field, Filters: f, Limit: limit})
				}
			}
			for _, key := range append(slices.Clone(metadataKeys), "missing") {
				queries = append(queries, query.Query{Type: query.TypeValues, Bot: "b1", Field: query.FieldMetadataValue, MetadataKey: key, Filters: f, Limit: 1 + rng.IntN(8)})
			}
		}
		// One conversation's messages, read by the export's own filter.
		one := recs.conversationPages[len(recs.conversationPages)/2][0].ID
		for _, typ := range []query.Type{query.TypeMessages, query.TypeTranscript, query.TypeMessageVolume} {
			queries = append(queries, query.Query{Type: typ, Bot: "b1", Filters: query.Filters{ConversationID: one}, Limit: 100, GroupBy: query.GroupTag, Bucket: "1h"})
		}
		for i := 0; i < len(queries); i += stride {
			compareAnswers(t, recs, &queries[i], window)
		}
	}
}

// TestColumnsEqualStructsPastTheBound compares the two paths where a grouping
// passes the series bound: the same error.
func TestColumnsEqualStructsPastTheBound(t *testing.T) {
	testparallel.BesideWaiting(t)
	rng := rand.New(rand.NewPCG(11, 12))
	recs := randomRecords(rng, 1500, true)
	window := exportapi.Window{From: propertyFrom, To: propertyFrom.Add(72 * time.Hour)}
	for _, typ := range []query.Type{query.TypeConversationVolume, query.TypeTagRate, query.TypeUserMessages, query.TypeConversationDuration, query.TypeMessageVolume} {
		q := query.Query{Type: typ, Bot: "b1", GroupBy: query.GroupMetadata, MetadataKey: "uid", Bucket: "1h", Tag: "resolved", Stat: query.StatP90}
		compareAnswers(t, recs, &q, window)
	}
	q := query.Query{Type: query.TypeConversationCounts, Bot: "b1", GroupBy: query.GroupMetadata, MetadataKey: "uid", Limit: 10}
	compareAnswers(t, recs, &q, window)
}

func compareAnswers(t *testing.T, recs *structRecords, q *query.Query, w exportapi.Window) {
	t.Helper()
	want, _, wantErr := structAnswers[q.Type](recs, t.Context(), q, w)
	got, _, gotErr := answerers[q.Type](recs, t.Context(), q, w)
	name := fmt.Sprintf("%s group %q %q filters %+v stat %s bucket %s zone %v tag %q field %s limit %d",
		q.Type, q.GroupBy, q.MetadataKey, q.Filters, q.Stat, q.Bucket, q.Location, q.Tag, q.Field, q.Limit)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%s: error %v, want %v", name, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d frames, want %d", name, len(got), len(want))
	}
	for i := range want {
		if sameFrame(got[i], want[i]) {
			continue
		}
		// Only now the frames' own encoding, to show the difference: it costs
		// most of the comparison, and sameFrame holds all it encodes.
		g, err := got[i].MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		w, err := want[i].MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		t.Fatalf("%s: frame %d differs\n got %s\nwant %s", name, i, g, w)
	}
}

// sameFrame reports whether two frames say the same, bit for bit: what their
// JSON encodes (name, ref ID, meta, each field's name, labels, config, type and
// values), floats by their bits (NaN alike) and times as instants.
func sameFrame(a, b *data.Frame) bool {
	if a.Name != b.Name || a.RefID != b.RefID || len(a.Fields) != len(b.Fields) || !sameJSON(a.Meta, b.Meta) {
		return false
	}
	for k, fa := range a.Fields {
		fb := b.Fields[k]
		if fa.Name != fb.Name || !maps.Equal(fa.Labels, fb.Labels) || fa.Type() != fb.Type() || fa.Len() != fb.Len() || !sameJSON(fa.Config, fb.Config) {
			return false
		}
		for i := range fa.Len() {
			// Pointers to the values: an interface holds one without allocating.
			if !sameValue(fa.PointerAt(i), fb.PointerAt(i)) {
				return false
			}
		}
	}
	return true
}

func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// sameValue compares two values given by pointer (a nullable field's by a
// pointer to its pointer).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case *float64:
		y, ok := b.(*float64)
		return ok && sameFloat(*x, *y)
	case **float64:
		y, ok := b.(**float64)
		return ok && (*x == nil) == (*y == nil) && (*x == nil || sameFloat(**x, **y))
	case *time.Time:
		y, ok := b.(*time.Time)
		return ok && x.Equal(*y)
	case **time.Time:
		y, ok := b.(**time.Time)
		return ok && (*x == nil) == (*y == nil) && (*x == nil || (*x).Equal(**y))
	case *string:
		y, ok := b.(*string)
		return ok && *x == *y
	case *int64:
		y, ok := b.(*int64)
		return ok && *x == *y
	}
	return reflect.DeepEqual(a, b)
}

func sameFloat(x, y float64) bool {
	return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
}
