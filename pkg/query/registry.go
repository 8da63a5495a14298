package query

//go:generate go run ../cmd/gen-typescript

import (
	"slices"
	"strings"
)

// Type is a query type, as saved in dashboards and alert rules.
type Type string

// The query types. Each has one entry in Registry; docs/query-types.md says how
// to add one.
const (
	TypeConversations        Type = "conversations"
	TypeMessages             Type = "messages"
	TypeTranscript           Type = "transcript"
	TypeConversationVolume   Type = "conversationVolume"
	TypeMessageVolume        Type = "messageVolume"
	TypeConversationCounts   Type = "conversationCounts"
	TypeTagRate              Type = "tagRate"
	TypeUserMessages         Type = "userMessages"
	TypeUserMessageHistogram Type = "userMessageHistogram"
	TypeConversationDuration Type = "conversationDuration"
	TypeValues               Type = "values"
)

// Kind is the shape a query type answers with.
type Kind string

const (
	// KindSeries answers with time series: one wide frame per group, which alert rules evaluate.
	KindSeries Kind = "series"
	// KindTable answers with one table (or, for transcripts, logs) frame.
	KindTable Kind = "table"
)

// Param is a part of the query model a type reads; the editor shows only those.
type Param string

// The parameters, named as in the query's JSON.
const (
	ParamGroupBy        Param = "groupBy"
	ParamTag            Param = "tag"
	ParamStat           Param = "stat"
	ParamBucket         Param = "bucket"
	ParamField          Param = "field"
	ParamLimit          Param = "limit"
	ParamConversationID Param = "conversationId"
	ParamMetadataKey    Param = "metadataKey"
)

// Params lists every Param, in the editor's order.
var Params = []Param{ParamGroupBy, ParamTag, ParamStat, ParamBucket, ParamField, ParamLimit, ParamConversationID, ParamMetadataKey}

// Example is a query the editor's help offers for a type.
type Example struct {
	Title string // what it asks, in a user's words
	Query string // the query's JSON without refId and queryType, as the help shows it
}

// Need is a parameter a query must give: always, or only when another
// parameter has one value (groupBy metadata needs the metadata key).
type Need struct {
	Param Param
	// When and Is are the parameter and value that ask for Param; When is "" for always.
	When Param
	Is   string
	// Why ends the refusal: "groupBy metadata needs a metadataKey: <Why>".
	Why string
}

// Link is what a type's rows open.
type Link string

// LinkTranscript opens a conversation's transcript in Explore from its id.
const LinkTranscript Link = "transcript"

// Spec is what the plugin knows of one query type. Lists, checks, refusal texts,
// the editor's choices and the generated TypeScript all come from these entries.
type Spec struct {
	Type        Type
	Label       string // as the editor shows it
	Description string // one line: the shape, then what it counts
	// Result is the README's line: the frame's fields, their order and what they count.
	Result string
	// Example is the query help's: what it asks, and the query.
	Example Example
	Kind    Kind
	// Reads is the endpoint whose records the type aggregates; "" when a
	// parameter decides (values).
	Reads string
	// Uses are the parameters the type reads, besides bot and the conversation filters.
	Uses []Param
	// GroupBy are the groupings it accepts besides none, when it uses groupBy.
	GroupBy []string
	// Stats are the statistics it accepts, when it uses stat.
	Stats []string
	// Requires are the parameters every query of the type must give; the
	// choices of groupBy and field add theirs (Needs).
	Requires []Need
	// RowTime: a table whose rows each carry one record's time. A partial read
	// answers with the rows read so far (the answerer leaves the unread time out
	// before the limit); another table is refused until the range is read.
	RowTime bool
	// Links are what its rows open.
	Links []Link
	// Alerting: an alert rule may use it (time series only).
	Alerting bool
	// VariablesOnly: offered in the variable editor only, not in panels.
	VariablesOnly bool
}

// Groupings every grouped type accepts; messageVolume adds the message type.
var conversationGroups = []string{GroupTag, GroupLocale, GroupMetadata, GroupBot}

// Registry is every query type, in the order the editor offers them.
var Registry = []Spec{
	{Type: TypeConversations, Label: "Conversations", Description: "Table: one row per conversation",
		Kind: KindTable, Reads: "conversations", Uses: []Param{ParamLimit}, RowTime: true, Links: []Link{LinkTranscript},
		Result:  "Table: `id`, `startTime`, `lastActionAt`, `locale`, `tags`, `userMessageCount`, `metadata` (JSON), newest first.",
		Example: Example{"The newest 100 conversations tagged liveChat", `{"filters":{"tags":["liveChat"]},"limit":100}`}},
	{Type: TypeMessages, Label: "Messages", Description: "Table: one row per message",
		Kind: KindTable, Reads: "messages", Uses: []Param{ParamLimit, ParamConversationID}, RowTime: true, Links: []Link{LinkTranscript},
		Result:  "Table: `id`, `time`, `conversationId`, `type`, `sender` (`user`/`bot`), `text`, `userActionType`, newest first.",
		Example: Example{"One conversation's messages", `{"filters":{"conversationId":"<conversation id>"}}`}},
	{Type: TypeTranscript, Label: "Transcript", Description: "Messages as logs, for Explore",
		Kind: KindTable, Reads: "messages", Uses: []Param{ParamLimit, ParamConversationID}, RowTime: true,
		Result:  "The messages as log lines (`user: …`, `bot: …`) for Explore's log view, with labels `sender`, `type`, `conversationId`.",
		Example: Example{"What users typed, as log lines for Explore", `{"filters":{"types":["UserInput"]},"limit":1000}`}},
	{Type: TypeConversationVolume, Label: "Conversation volume", Description: "Time series: conversations started",
		Kind: KindSeries, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamBucket}, GroupBy: conversationGroups, Alerting: true,
		Result:  "Time series: conversations started per bucket, per group.",
		Example: Example{"Conversations started per hour, per locale", `{"groupBy":"locale","bucket":"1h"}`}},
	{Type: TypeMessageVolume, Label: "Message volume", Description: "Time series: messages sent",
		Kind: KindSeries, Reads: "messages", Uses: []Param{ParamGroupBy, ParamBucket, ParamConversationID},
		GroupBy: append(slices.Clone(conversationGroups), GroupType), Alerting: true,
		Result:  "Time series: messages per bucket, per group (`groupBy: type` for message type).",
		Example: Example{"Messages per day, per message type", `{"groupBy":"type","bucket":"1d"}`}},
	{Type: TypeConversationCounts, Label: "Conversation counts", Description: "Table: conversations per group",
		Kind: KindTable, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamLimit}, GroupBy: conversationGroups,
		Result:  "Table: group, conversations, percent of the query's conversations; largest first.",
		Example: Example{"Conversations per tag over the range", `{"groupBy":"tag"}`}},
	{Type: TypeTagRate, Label: "Tag rate", Description: "Time series: percent of conversations with a tag",
		Kind: KindSeries, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamTag, ParamBucket}, GroupBy: conversationGroups, Alerting: true,
		Result:  "Time series: percent (0–100) of each bucket's conversations that carry `tag` (default `resolved`).",
		Example: Example{"Percent of conversations resolved, per day", `{"tag":"resolved","bucket":"1d"}`}},
	{Type: TypeUserMessages, Label: "User messages", Description: "Time series: statistic of user messages",
		Kind: KindSeries, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamStat, ParamBucket}, GroupBy: conversationGroups,
		Stats: Stats, Alerting: true,
		Result:  "Time series: `stat` (`sum`, `avg`, `p50`, `p90`, `max`; default `avg`) of `userMessageCount` per bucket.",
		Example: Example{"Median user messages per conversation, per hour", `{"stat":"p50","bucket":"1h"}`}},
	{Type: TypeConversationDuration, Label: "Conversation duration", Description: "Time series: statistic of conversation duration (seconds)",
		Kind: KindSeries, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamStat, ParamBucket}, GroupBy: conversationGroups,
		// A sum of durations means nothing to a person.
		Stats: []string{StatAvg, StatP50, StatP90, StatMax}, Alerting: true,
		Result:  "Time series: `stat` (`avg`, `p50`, `p90`, `max`; default `avg`) of `lastActionAt − startTime` in seconds per bucket; conversations without a readable `lastActionAt` are left out.",
		Example: Example{"Conversation duration (p90, seconds) outside English", `{"stat":"p90","bucket":"1d","filters":{"excludeLocales":["en_us"]}}`}},
	{Type: TypeUserMessageHistogram, Label: "User message histogram", Description: "Table: conversations per user message count",
		Kind: KindTable, Reads: "conversations",
		Result:  "Table: user message count (every count from 0 to the largest, at most 99; a last row `100` counts every conversation with 100 or more, with a notice), conversations.",
		Example: Example{"Tagged conversations per number of user messages", `{"filters":{"excludeTags":["(none)"]}}`}},
	{Type: TypeValues, Label: "Values", Description: "Distinct values, for template variables",
		Kind: KindTable, Uses: []Param{ParamField, ParamLimit}, VariablesOnly: true,
		Result:  "One field of distinct values of `field`: `tag`, `locale`, `bot`, `metadataKey`, `metadataValue` (of `metadataKey`), `messageType`.",
		Example: Example{"The tags seen, for a template variable", `{"field":"tag"}`}},
}

// Lookup finds a type's entry.
func Lookup(t Type) (Spec, bool) {
	i := slices.IndexFunc(Registry, func(s Spec) bool { return s.Type == t })
	if i < 0 {
		return Spec{}, false
	}
	return Registry[i], true
}

// Types lists every query type in the registry's order.
func Types() []Type {
	out := make([]Type, len(Registry))
	for i, s := range Registry {
		out[i] = s.Type
	}
	return out
}

// AlertTypes lists the types an alert rule may use.
func AlertTypes() []Type {
	var out []Type
	for _, s := range Registry {
		if s.Alerting {
			out = append(out, s.Type)
		}
	}
	return out
}

// ReadsParam reports whether the type reads a parameter.
func (s Spec) ReadsParam(p Param) bool { return slices.Contains(s.Uses, p) }

// Needs are the parameters a query of the type must give: Requires, then
// those its groupings and fields ask for when chosen.
func (s Spec) Needs() []Need {
	out := slices.Clone(s.Requires)
	if s.ReadsParam(ParamGroupBy) {
		for _, o := range GroupByOptions {
			if o.Needs != "" && (o.Value == GroupNone || slices.Contains(s.GroupBy, o.Value)) {
				out = append(out, Need{Param: o.Needs, When: ParamGroupBy, Is: o.Value, Why: o.Why})
			}
		}
	}
	if s.ReadsParam(ParamField) {
		for _, f := range ValuesFields {
			if f.Needs != "" {
				out = append(out, Need{Param: f.Needs, When: ParamField, Is: f.Value, Why: f.Why})
			}
		}
	}
	return out
}

// Kept names the parts of a query a switch to another type may keep (besides
// the bot, the refId and the conversation filters), as the query's JSON names them.
var Kept = []string{
	string(ParamGroupBy), string(ParamTag), string(ParamStat), string(ParamBucket), "timeShift", "timezone",
	string(ParamField), string(ParamLimit), string(ParamMetadataKey),
	"filters.conversationId", "filters.types", "filters.excludeTypes",
}

// Keeps are the parts of Kept a query switched to the type keeps: what it
// reads. A part a need asks for (the metadata key of groupBy metadata) is kept
// when the need is, and the editor keeps only the groupings and statistics the
// type accepts.
func (s Spec) Keeps() []string {
	var out []string
	for _, p := range s.Uses {
		if p != ParamConversationID {
			out = append(out, string(p))
		}
	}
	if s.Kind == KindSeries {
		out = append(out, "timeShift", "timezone")
	}
	if s.ReadsParam(ParamConversationID) {
		out = append(out, "filters.conversationId")
	}
	if s.ReadsMessageTypes() {
		out = append(out, "filters.types", "filters.excludeTypes")
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(Kept, a) - slices.Index(Kept, b) })
	return out
}

// ReadsMessageTypes reports whether a message type filter can apply to a query
// of the type: it reads messages, or a field it lists does.
func (s Spec) ReadsMessageTypes() bool {
	return s.Reads == "messages" ||
		(s.ReadsParam(ParamField) && slices.ContainsFunc(ValuesFields, func(f ValuesFieldOption) bool { return f.Reads == "messages" }))
}

// Choices names the elements of a list for a message: "a, b or c".
func Choices[T ~string](items []T) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = string(it)
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// GroupByOption is a grouping as the editor offers it.
type GroupByOption struct {
	Value, Label, Description string
	// Needs is the parameter the grouping needs, with Why it does.
	Needs Param
	Why   string
}

// GroupByOptions are every grouping, none first.
var GroupByOptions = []GroupByOption{
	{Value: GroupNone, Label: "None", Description: "One series"},
	{Value: GroupTag, Label: "Tag", Description: "One per tag; a conversation counts in each of its tags"},
	{Value: GroupLocale, Label: "Locale", Description: "One per locale"},
	{Value: GroupMetadata, Label: "Metadata", Description: "One per value of a metadata key",
		Needs: ParamMetadataKey, Why: "the top-level metadata key to group by"},
	{Value: GroupType, Label: "Message type", Description: "One per message type (message volume only)"},
	{Value: GroupBot, Label: "Bot", Description: "One per bot of the query"},
}

// Stats are the statistics of userMessages, the default first.
var Stats = []string{StatAvg, StatSum, StatP50, StatP90, StatMax}

// ValuesFieldOption is a field of the values query as the editor offers it.
type ValuesFieldOption struct {
	Value, Label string
	// Needs is the parameter the field needs, with Why it does.
	Needs Param
	Why   string
	// Reads is the endpoint whose records it lists, when not the conversations.
	Reads string
	// NoBot: it lists the bots themselves, so a query of it needs none.
	NoBot bool
}

// ValuesFields are the fields a values query lists.
var ValuesFields = []ValuesFieldOption{
	{Value: FieldBot, Label: "Bots", NoBot: true}, {Value: FieldTag, Label: "Tags"}, {Value: FieldLocale, Label: "Locales"},
	{Value: FieldMetadataKey, Label: "Metadata keys"},
	{Value: FieldMetadataValue, Label: "Metadata values", Needs: ParamMetadataKey, Why: "the key whose values to list"},
	{Value: FieldMessageType, Label: "Message types", Reads: "messages"},
}

// valuesField finds a field's option.
func valuesField(v string) (ValuesFieldOption, bool) {
	i := slices.IndexFunc(ValuesFields, func(f ValuesFieldOption) bool { return f.Value == v })
	if i < 0 {
		return ValuesFieldOption{}, false
	}
	return ValuesFields[i], true
}
