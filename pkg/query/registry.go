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
)

// Params lists every Param, in the editor's order.
var Params = []Param{ParamGroupBy, ParamTag, ParamStat, ParamBucket, ParamField, ParamLimit, ParamConversationID}

// Spec is what the plugin knows of one query type. Lists, checks, refusal texts,
// the editor's choices and the generated TypeScript all come from these entries.
type Spec struct {
	Type        Type
	Label       string // as the editor shows it
	Description string // one line: the shape, then what it counts
	Kind        Kind
	// Reads is the endpoint whose records the type aggregates; "" when a
	// parameter decides (values).
	Reads string
	// Uses are the parameters the type reads, besides bot and the conversation filters.
	Uses []Param
	// GroupBy are the groupings it accepts besides none, when it uses groupBy.
	GroupBy []string
	// Stats are the statistics it accepts, when it uses stat.
	Stats []string
}

// Groupings every grouped type accepts; messageVolume adds the message type.
var conversationGroups = []string{GroupTag, GroupLocale, GroupMetadata, GroupBot}

// Registry is every query type, in the order the editor offers them.
var Registry = []Spec{
	{Type: TypeConversations, Label: "Conversations", Description: "Table: one row per conversation",
		Kind: KindTable, Reads: "conversations", Uses: []Param{ParamLimit}},
	{Type: TypeMessages, Label: "Messages", Description: "Table: one row per message",
		Kind: KindTable, Reads: "messages", Uses: []Param{ParamLimit, ParamConversationID}},
	{Type: TypeTranscript, Label: "Transcript", Description: "Messages as logs, for Explore",
		Kind: KindTable, Reads: "messages", Uses: []Param{ParamLimit, ParamConversationID}},
	{Type: TypeConversationVolume, Label: "Conversation volume", Description: "Time series: conversations started",
		Kind: KindSeries, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamBucket}, GroupBy: conversationGroups},
	{Type: TypeMessageVolume, Label: "Message volume", Description: "Time series: messages sent",
		Kind: KindSeries, Reads: "messages", Uses: []Param{ParamGroupBy, ParamBucket, ParamConversationID},
		GroupBy: append(slices.Clone(conversationGroups), GroupType)},
	{Type: TypeConversationCounts, Label: "Conversation counts", Description: "Table: conversations per group",
		Kind: KindTable, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamLimit}, GroupBy: conversationGroups},
	{Type: TypeTagRate, Label: "Tag rate", Description: "Time series: percent of conversations with a tag",
		Kind: KindSeries, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamTag, ParamBucket}, GroupBy: conversationGroups},
	{Type: TypeUserMessages, Label: "User messages", Description: "Time series: statistic of user messages",
		Kind: KindSeries, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamStat, ParamBucket}, GroupBy: conversationGroups,
		Stats: Stats},
	{Type: TypeConversationDuration, Label: "Conversation duration", Description: "Time series: statistic of conversation duration (seconds)",
		Kind: KindSeries, Reads: "conversations", Uses: []Param{ParamGroupBy, ParamStat, ParamBucket}, GroupBy: conversationGroups,
		// A sum of durations means nothing to a person.
		Stats: []string{StatAvg, StatP50, StatP90, StatMax}},
	{Type: TypeUserMessageHistogram, Label: "User message histogram", Description: "Table: conversations per user message count",
		Kind: KindTable, Reads: "conversations"},
	{Type: TypeValues, Label: "Values", Description: "Distinct values, for template variables",
		Kind: KindTable, Uses: []Param{ParamField, ParamLimit}},
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

// TypesOf lists the types of one kind.
func TypesOf(k Kind) []Type {
	var out []Type
	for _, s := range Registry {
		if s.Kind == k {
			out = append(out, s.Type)
		}
	}
	return out
}

// ReadsParam reports whether the type reads a parameter.
func (s Spec) ReadsParam(p Param) bool { return slices.Contains(s.Uses, p) }

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
}

// GroupByOptions are every grouping, none first.
var GroupByOptions = []GroupByOption{
	{GroupNone, "None", "One series"},
	{GroupTag, "Tag", "One per tag; a conversation counts in each of its tags"},
	{GroupLocale, "Locale", "One per locale"},
	{GroupMetadata, "Metadata", "One per value of a metadata key"},
	{GroupType, "Message type", "One per message type (message volume only)"},
	{GroupBot, "Bot", "One per bot of the query"},
}

// Stats are the statistics of userMessages, the default first.
var Stats = []string{StatAvg, StatSum, StatP50, StatP90, StatMax}

// ValuesFieldOption is a field of the values query as the editor offers it.
type ValuesFieldOption struct {
	Value, Label string
}

// ValuesFields are the fields a values query lists.
var ValuesFields = []ValuesFieldOption{
	{FieldBot, "Bots"}, {FieldTag, "Tags"}, {FieldLocale, "Locales"},
	{FieldMetadataKey, "Metadata keys"}, {FieldMetadataValue, "Metadata values"}, {FieldMessageType, "Message types"},
}
