package query

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseFullQuery(t *testing.T) {
	q, err := Parse([]byte(`{"refId":"A","bot":"r3","groupBy":"metadata","metadataKey":"channel","tag":"liveChat","stat":"p90",
		"bucket":"15m","limit":"50","filters":{"tags":["resolved"],"excludeTags":"liveChat","locales":["en_us","de_de"],
		"metadata":[{"key":"plan","op":"!=","value":"{\"tier\":\"free\"}"},{"key":"","value":""},{"key":"draft","value":true}],
		"conversationId":" c1 "},"datasource":{"uid":"x"},"intervalMs":1000}`), TypeUserMessages, "default")
	if err != nil {
		t.Fatal(err)
	}
	want := Query{RefID: "A", Type: TypeUserMessages, Bot: "r3", GroupBy: GroupMetadata, MetadataKey: "channel", Tag: "liveChat",
		Stat: StatP90, Bucket: "15m", Limit: 50, Filters: Filters{
			Tags: []string{"resolved"}, ExcludeTags: []string{"liveChat"}, Locales: []string{"en_us", "de_de"},
			Metadata:       []MetadataFilter{{Key: "plan", Op: "!=", Value: `{"tier":"free"}`}, {Key: "draft", Op: "=", Value: "true"}},
			ConversationID: "c1",
		}}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Fatalf("parsed query (-want +got):\n%s", diff)
	}
}

func TestDefaults(t *testing.T) {
	q, err := Parse([]byte(`{"refId":"A"}`), TypeConversations, "fallback")
	if err != nil {
		t.Fatal(err)
	}
	want := Query{RefID: "A", Type: TypeConversations, Bot: "fallback", Tag: DefaultTag, Stat: DefaultStat, Limit: DefaultLimit}
	if diff := cmp.Diff(want, q, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("defaults (-want +got):\n%s", diff)
	}
	// Grafana's queryType wins; the JSON's is used when Grafana sends none.
	q, _ = Parse([]byte(`{"queryType":"messages"}`), "", "b")
	if q.Type != TypeMessages {
		t.Fatalf("type %q", q.Type)
	}
}

func TestMalformedQueriesNameTheProblem(t *testing.T) {
	cases := map[string]struct {
		json string
		typ  Type
		want string
	}{
		"not an object":        {`[1]`, TypeConversations, "not a JSON object"},
		"no type":              {`{}`, "", "no type"},
		"unknown type":         {`{}`, "volume", `unknown query type "volume"`},
		"no bot":               {`{"bot":""}`, TypeConversations, "no bot"},
		"unresolved variable":  {`{"bot":"$bot"}`, TypeConversations, "template variable $bot"},
		"braced variable":      {`{"bot":"${bot:raw}"}`, TypeConversations, "template variable ${bot"},
		"bad groupBy":          {`{"bot":"b","groupBy":"country"}`, TypeConversationVolume, `unknown groupBy "country"`},
		"type on conversation": {`{"bot":"b","groupBy":"type"}`, TypeConversationVolume, "only applies to messageVolume"},
		"metadata without key": {`{"bot":"b","groupBy":"metadata"}`, TypeConversationCounts, "needs a metadataKey"},
		"bad stat":             {`{"bot":"b","stat":"median"}`, TypeUserMessages, `unknown stat "median"`},
		"bad bucket":           {`{"bot":"b","bucket":"often"}`, TypeConversationVolume, `bucket "often"`},
		"bucket too small":     {`{"bot":"b","bucket":"30s"}`, TypeConversationVolume, "outside 1m…7d"},
		"bucket too large":     {`{"bot":"b","bucket":"8d"}`, TypeConversationVolume, "outside 1m…7d"},
		"limit not a number":   {`{"bot":"b","limit":"many"}`, TypeConversations, "limit must be a whole number"},
		"limit fraction":       {`{"bot":"b","limit":2.5}`, TypeConversations, "limit must be a whole number"},
		"limit negative":       {`{"bot":"b","limit":-1}`, TypeConversations, "limit must be from 1"},
		"limit huge":           {`{"bot":"b","limit":5000000}`, TypeConversations, "limit must be from 1"},
		"limit 1e18":           {`{"bot":"b","limit":1e18}`, TypeConversations, "limit must be from 1 to 1000000 rows, not 1e18"},
		"limit 1e400":          {`{"bot":"b","limit":1e400}`, TypeConversations, "limit must be from 1 to 1000000 rows"},
		"limit -1e18 as text":  {`{"bot":"b","limit":"-1e18"}`, TypeConversations, "limit must be from 1 to 1000000 rows"},
		"limit 0.5":            {`{"bot":"b","limit":0.5}`, TypeConversations, "limit must be a whole number"},
		"bot an object":        {`{"bot":{"a":1}}`, TypeConversations, "bot must be a text, not an object"},
		"filters a text":       {`{"bot":"b","filters":"resolved"}`, TypeConversations, "filters must be an object"},
		"tags objects":         {`{"bot":"b","filters":{"tags":[{"x":1}]}}`, TypeConversations, "filters.tags must be a list of texts"},
		"metadata not a list":  {`{"bot":"b","filters":{"metadata":{"key":"a"}}}`, TypeConversations, "metadata must be a list"},
		"metadata bad op":      {`{"bot":"b","filters":{"metadata":[{"key":"a","op":"~","value":"x"}]}}`, TypeConversations, `op "~"`},
		"metadata no key":      {`{"bot":"b","filters":{"metadata":[{"value":"x"}]}}`, TypeConversations, "has no key"},
		"values without field": {`{"bot":"b"}`, TypeValues, "needs field"},
		"values metadataValue": {`{"bot":"b","field":"metadataValue"}`, TypeValues, "needs a metadataKey"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json), tc.typ, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a message with %q", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"bot":"b","groupBy":"tag","filters":{"tags":["a"],"metadata":[{"key":"k","op":"=","value":1}]}}`,
		`{"limit":"7","bucket":"1h"}`, `{}`, `[]`, `{"filters":null}`} {
		f.Add([]byte(s), string(TypeConversationVolume))
	}
	f.Fuzz(func(t *testing.T, raw []byte, typ string) {
		q, err := Parse(raw, Type(typ), "d")
		if err != nil {
			return
		}
		if q.Bot == "" && q.Field != FieldBot || q.Limit < 1 || q.Limit > MaxLimit || q.Stat == "" || q.Tag == "" {
			t.Fatalf("accepted an incomplete query %+v", q)
		}
		for _, m := range q.Filters.Metadata {
			if m.Key == "" || (m.Op != "=" && m.Op != "!=") {
				t.Fatalf("accepted a bad metadata filter %+v", m)
			}
		}
	})
}

// TestLegacyFormsMeanWhatTheEditorMigratesThemTo: alert rules run without the
// browser's migrateQuery (src/editor/queryModel.ts), so each saved form it migrates
// must parse to the query its migration parses to. The migrated JSON is written
// by hand from the TypeScript.
func TestLegacyFormsMeanWhatTheEditorMigratesThemTo(t *testing.T) {
	cases := map[string]struct {
		typ              Type
		legacy, migrated string
	}{
		"groupBy none":     {TypeConversationVolume, `{"groupBy":"none"}`, `{"groupBy":""}`},
		"tags as text":     {TypeConversationVolume, `{"filters":{"tags":"resolved, liveChat"}}`, `{"filters":{"tags":["resolved","liveChat"]}}`},
		"excludes as text": {TypeConversationVolume, `{"filters":{"excludeTags":"liveChat"}}`, `{"filters":{"excludeTags":["liveChat"]}}`},
		"locales as text":  {TypeConversationVolume, `{"filters":{"locales":" en_us,,de_de, "}}`, `{"filters":{"locales":["en_us","de_de"]}}`},
		"empty list text":  {TypeConversationVolume, `{"filters":{"tags":" , "}}`, `{"filters":{"tags":[]}}`},
		"limit as text":    {TypeConversations, `{"limit":"50"}`, `{"limit":50}`},
		"limit empty text": {TypeConversations, `{"limit":""}`, `{}`},
		"limit zero text":  {TypeConversations, `{"limit":"0"}`, `{"limit":0}`},
		"the editor's own": {TypeConversationCounts, `{"refId":"A","groupBy":"none","limit":"50","filters":{"tags":"resolved, liveChat","locales":["en_us"]}}`,
			`{"refId":"A","groupBy":"","limit":50,"filters":{"tags":["resolved","liveChat"],"locales":["en_us"]}}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			old, err := Parse([]byte(tc.legacy), tc.typ, "r3")
			if err != nil {
				t.Fatalf("legacy %s: %v", tc.legacy, err)
			}
			want, err := Parse([]byte(tc.migrated), tc.typ, "r3")
			if err != nil {
				t.Fatalf("migrated %s: %v", tc.migrated, err)
			}
			if diff := cmp.Diff(want, old, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("legacy %s parses unlike its migration (-migrated +legacy):\n%s", tc.legacy, diff)
			}
		})
	}
}

func TestParseAdHocFilterTargets(t *testing.T) {
	q, err := Parse([]byte(`{"bot":"b","filters":{"excludeLocales":["de_de","(none)"],"types":"UserInput, Question","excludeTypes":["BotMessage"]}}`),
		TypeTranscript, "")
	if err != nil {
		t.Fatal(err)
	}
	want := Filters{ExcludeLocales: []string{"de_de", "(none)"}, Types: []string{"UserInput", "Question"}, ExcludeTypes: []string{"BotMessage"}}
	if diff := cmp.Diff(want, q.Filters, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("filters (-want +got):\n%s", diff)
	}
	// Values of messageType read messages: a type filter applies.
	if _, err := Parse([]byte(`{"bot":"b","field":"messageType","filters":{"types":["UserInput"]}}`), TypeValues, ""); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []Type{TypeConversations, TypeTagRate, TypeConversationCounts} {
		_, err := Parse([]byte(`{"bot":"b","filters":{"excludeTypes":["BotMessage"]}}`), typ, "")
		if err == nil || !strings.Contains(err.Error(), "apply to messages, transcript or messageVolume") {
			t.Errorf("%s: error %v, want the types a message type filter applies to", typ, err)
		}
	}
	_, err = Parse([]byte(`{"bot":"b","filters":{"excludeLocales":["$loc"]}}`), TypeConversations, "")
	if err == nil || !strings.Contains(err.Error(), "$loc") {
		t.Fatalf("error %v, want the unresolved variable named", err)
	}
}
