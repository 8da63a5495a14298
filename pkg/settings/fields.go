package settings

import (
	"fmt"
	"strings"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Every setting of a data source is one row of Fields: its key, the name a
// person meets in the config editor (which messages about the settings use
// rather than the JSON key; docs/reference.md maps one to the other), what it
// takes, its default and where Parse puts it. src/generated/settings.ts is
// written from here, so the config editor checks the same ranges and
// AgentXOptions names the same keys; a test holds the README's and the
// reference's tables to it.

// Kind is what a setting holds, and so how Parse reads it.
type Kind int

const (
	// Text is a JSON string.
	Text Kind = iota
	// List is a list of names, or one comma-separated text.
	List
	// Number is a JSON number or a numeric text (provisioning files often quote numbers).
	Number
	// Secret is a text of secureJsonData, which Grafana keeps encrypted.
	Secret
)

// Field is one setting.
type Field struct {
	Key   string
	Label string
	Kind  Kind
	// Doc says what the setting does, for the generated TypeScript.
	Doc string
	// A number is accepted within (Min, Max] when AboveMin, else [Min, Max],
	// whole when Whole; Default applies when it is absent or null.
	Min, Max        float64
	AboveMin, Whole bool
	Default         float64
	// DefaultText is a text's default; "" is none.
	DefaultText string
	// Accepted says what is accepted, after "must be".
	Accepted string

	// One of these puts a read value into the settings, as Kind says; text's
	// error is the problem as the person configuring the data source reads it
	// (it is given its own field, whose label the message names).
	number func(*Settings, float64)
	text   func(*Settings, Field, string) error
	list   func(*Settings, []string)
}

func seconds(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }

// Fields lists every setting in the order Parse reports their problems; the
// numbers among them are in the order the config editor shows them.
var Fields = []Field{
	{Key: "baseUrl", Label: "Base URL", Kind: Text, DefaultText: exportapi.DefaultBaseURL, Accepted: "a text",
		Doc: "API root; http:// only for a local simulator.", text: setBaseURL},
	{Key: "defaultBot", Label: "Default bot", Kind: Text, Accepted: "a text",
		Doc:  "Bot name or id used when a query names none.",
		text: func(s *Settings, _ Field, v string) error { s.DefaultBot = strings.TrimSpace(v); return nil }},
	{Key: "bots", Label: "Known bots", Kind: List, Accepted: "a list of bot names",
		Doc:  "Known bots, offered in the editors and by the bots variable query.",
		list: func(s *Settings, v []string) { s.Bots = v }},
	{Key: "requestsPerSecond", Label: "Requests per second", Kind: Number, Min: 0, Max: 100, AboveMin: true,
		Default:  exportapi.DefaultRequestsPerSecond,
		Accepted: fmt.Sprintf("a number above 0 and at most 100 (the API allows %d)", exportapi.DefaultRequestsPerSecond),
		Doc:      "Per endpoint, shared by every data source of the server with the same key.",
		number:   func(s *Settings, n float64) { s.RequestsPerSecond = n }},
	{Key: "timeoutSeconds", Label: "Timeout (seconds)", Kind: Number, Min: 0, Max: 600, AboveMin: true, Default: 30,
		Accepted: "a number of seconds above 0 and at most 600",
		Doc:      "Per HTTP request.",
		number:   func(s *Settings, n float64) { s.Timeout = seconds(n) }},
	{Key: "maxRecords", Label: "Max records per query", Kind: Number, Min: 1, Max: 1e9, Whole: true, Default: 1_000_000,
		Accepted: "a whole number from 1 to 1000000000",
		Doc:      "Records one query may read before it stops with an error.",
		number:   func(s *Settings, n float64) { s.MaxRecords = int64(n) }},
	{Key: "liveMinutes", Label: "Live minutes", Kind: Number, Min: 0, Max: 10080, Whole: true, Default: 60,
		Accepted: "a whole number of minutes from 0 to 10080",
		Doc:      "Records newer than this may still change: they are read again on every query.",
		number:   func(s *Settings, n float64) { s.LiveMinutes = int(n) }},
	{Key: "cacheMinutes", Label: "Cache minutes", Kind: Number, Min: 0, Max: 10080, Whole: true, Default: 60,
		Accepted: "a whole number of minutes from 0 (no cache) to 10080",
		Doc:      "How long settled records younger than finalHours are reused; 0 turns the cache off.",
		number:   func(s *Settings, n float64) { s.CacheMinutes = int(n) }},
	{Key: "finalHours", Label: "Final after (hours)", Kind: Number, Min: 1, Max: 8760, Whole: true, Default: 24,
		Accepted: "a whole number of hours from 1 to 8760",
		Doc:      "Records older than this are final: never read again because of their age.",
		number:   func(s *Settings, n float64) { s.FinalHours = int(n) }},
	{Key: "liveReuseSeconds", Label: "Live reuse (seconds)", Kind: Number, Min: 0, Max: 600, Default: 10,
		Accepted: "a number of seconds from 0 (read the live tail for every query) to 600",
		Doc:      "Live records read this recently serve other queries instead of a new read.",
		number:   func(s *Settings, n float64) { s.LiveReuse = seconds(n) }},
	{Key: "redisUrl", Label: "Redis URL", Kind: Text, Accepted: "a text",
		Doc:  "redis:// or rediss:// URL shared by the replicas of an HA Grafana; no password in it.",
		text: setRedisURL},
	{Key: "responseSeconds", Label: "Answer within (seconds)", Kind: Number, Min: 1, Max: 600, Default: 20,
		Accepted: "a number of seconds from 1 to 600",
		Doc:      "Seconds a dashboard query waits before answering with what is complete.",
		number:   func(s *Settings, n float64) { s.Response = seconds(n) }},
	{Key: "syncDays", Label: "Keep synced (days)", Kind: Number, Min: 0, Max: 90, Whole: true, Default: 7,
		Accepted: "a whole number of days from 0 (no sync) to 90",
		Doc:      "Days of every bot kept stored by reading ahead in the background; 0: off.",
		number:   func(s *Settings, n float64) { s.SyncDays = int(n) }},
	{Key: "syncShare", Label: "Sync share of the rate", Kind: Number, Min: 0, Max: 1, AboveMin: true, Default: 0.5,
		Accepted: "a number above 0 and at most 1",
		Doc:      "Share (0, 1] of the rate limit the background reading may use.",
		number:   func(s *Settings, n float64) { s.SyncShare = n }},
	// A set-up that shares a Redis has at least two replicas.
	{Key: "expectedReplicas", Label: "Expected replicas", Kind: Number, Min: 1, Max: 100, Whole: true, Default: 2,
		Accepted: "a whole number of Grafana replicas from 1 to 100",
		Doc:      "Divides requestsPerSecond among the replicas while Redis cannot be reached.",
		number:   func(s *Settings, n float64) { s.ExpectedReplicas = int(n) }},
	{Key: "apiKey", Label: "API key", Kind: Secret,
		Doc: "Sent as x-api-key, only to the base URL's scheme, host and port.", text: setAPIKey},
	{Key: "redisPassword", Label: "Redis password", Kind: Secret,
		Doc:  "When Redis asks for one.",
		text: func(s *Settings, _ Field, v string) error { s.RedisPassword = v; return nil }},
}

// Numbers are the numeric settings, in the order the config editor shows them.
var Numbers = func() []Field {
	var out []Field
	for _, f := range Fields {
		if f.Kind == Number {
			out = append(out, f)
		}
	}
	return out
}()

// Accepts reports whether n is a value the numeric setting takes.
func (f Field) Accepts(n float64) bool {
	if n < f.Min || (f.AboveMin && n == f.Min) || n > f.Max {
		return false
	}
	return !f.Whole || n == float64(int64(n))
}

func field(key string) Field {
	for _, f := range Fields {
		if f.Key == key {
			return f
		}
	}
	panic("settings: no setting " + key)
}

// Label is the config editor's name of a setting, for messages that tell a
// person what to change; it panics on a key that is not a setting.
func Label(key string) string {
	return field(key).Label
}

// Most is the largest value a numeric setting takes.
func Most(key string) float64 {
	return field(key).Max
}
