// Package query is the query model (docs/reference.md): what a panel, an alert rule or
// a variable asks for, parsed and checked before anything is fetched.
package query

import "time"

// Group-by values.
const (
	GroupNone     = ""
	GroupTag      = "tag"
	GroupLocale   = "locale"
	GroupMetadata = "metadata"
	GroupType     = "type"
	GroupBot      = "bot"
)

// AllBots is a dashboard's "All" of the bot variable: every configured bot.
const AllBots = "__all__"

// Statistics of userMessageCount.
const (
	StatSum = "sum"
	StatAvg = "avg"
	StatP50 = "p50"
	StatP90 = "p90"
	StatMax = "max"
)

// Fields the values query lists.
const (
	FieldTag           = "tag"
	FieldLocale        = "locale"
	FieldBot           = "bot"
	FieldMetadataKey   = "metadataKey"
	FieldMetadataValue = "metadataValue"
	FieldMessageType   = "messageType"
)

// Defaults, as docs/reference.md names them.
const (
	DefaultTag   = "resolved"
	DefaultStat  = StatAvg
	DefaultLimit = 10000
	MaxLimit     = 1_000_000
)

// Query is one checked query. Bots are already resolved: the default bot when the
// query named none, every configured bot for AllBots.
type Query struct {
	RefID string
	Type  Type
	// Bot is the bot of a single-bot query, the first of Bots otherwise.
	Bot string
	// Bots are the bots a query of several bots reads, each once, in the order
	// named; nil when it reads one (Bot).
	Bots        []string
	GroupBy     string
	MetadataKey string
	Tag         string
	Stat        string
	// Bucket is the raw bucket text; empty means derived from Grafana's interval.
	Bucket  string
	Filters Filters
	Field   string
	Limit   int
	// TimeShift reads a time series that much earlier and shows it at the query's own
	// times, as Prometheus' offset does: this week beside the week before.
	TimeShift time.Duration
	// TimeShiftText is the shift as written ("36h", "90m"), for display names.
	TimeShiftText string
	// Timezone is the zone the buckets follow as written; Location is it loaded,
	// nil when the query names none (buckets on the Unix epoch, UTC).
	Timezone string
	Location *time.Location

	// Interval and MaxDataPoints are Grafana's hints for an empty Bucket.
	Interval      time.Duration
	MaxDataPoints int64
}

// Filters narrow the conversations (and, through them, the messages) a query sees.
type Filters struct {
	Tags        []string
	ExcludeTags []string
	Locales     []string
	// ExcludeLocales drops the conversations whose locale is one of these: a
	// dashboard's "locale != x" filter.
	ExcludeLocales []string
	Metadata       []MetadataFilter
	ConversationID string
	// Types and ExcludeTypes select messages by their own type, not through their
	// conversation: only the types that read messages accept them.
	Types        []string
	ExcludeTypes []string
}

// MessageTypeFilters reports whether a filter looks at the message's own type.
func (f *Filters) MessageTypeFilters() bool {
	return len(f.Types) > 0 || len(f.ExcludeTypes) > 0
}

// MetadataFilter compares the text of a top-level metadata value.
type MetadataFilter struct {
	Key   string
	Op    string // "=" or "!="
	Value string
}

// TimeSeries reports whether the query type answers with time series, the only
// shape alert rules accept.
func (q *Query) TimeSeries() bool {
	return q.Spec().Kind == KindSeries
}

// MultiBot reports whether the query reads more than one bot.
func (q *Query) MultiBot() bool { return len(q.Bots) > 1 }

// BotList is every bot the query reads: Bots, or Bot alone.
func (q *Query) BotList() []string {
	if q.MultiBot() {
		return q.Bots
	}
	if q.Bot == "" {
		return nil
	}
	return []string{q.Bot}
}

// Spec is the registry entry of the query's type (the zero Spec for an unknown type).
func (q *Query) Spec() Spec {
	sp, _ := Lookup(q.Type)
	return sp
}
