package query

import (
	"slices"
	"testing"
)

// TestEveryRegistryEntryIsWhole checks each entry of the registry against the
// rules its consumers rely on; a new entry that leaves one out fails here.
func TestEveryRegistryEntryIsWhole(t *testing.T) {
	for _, s := range Registry {
		if s.Label == "" || s.Description == "" || s.Result == "" {
			t.Errorf("%s: needs a Label, a Description and a Result (the README's line)", s.Type)
		}
		if s.Kind != KindSeries && s.Kind != KindTable {
			t.Errorf("%s: kind %q", s.Type, s.Kind)
		}
		if s.Alerting && s.Kind != KindSeries {
			t.Errorf("%s: alert rules evaluate time series only", s.Type)
		}
		if s.RowTime && s.Kind != KindTable {
			t.Errorf("%s: RowTime is for tables; a time series is masked bucket by bucket", s.Type)
		}
		if s.Reads != "" && s.Reads != "conversations" && s.Reads != "messages" {
			t.Errorf("%s: reads %q", s.Type, s.Reads)
		}
		for _, p := range s.Uses {
			if !slices.Contains(Params, p) {
				t.Errorf("%s: uses %q, which is no Param", s.Type, p)
			}
		}
		for _, n := range s.Needs() {
			if !slices.Contains(Params, n.Param) || (n.When != "" && !s.ReadsParam(n.When)) || n.Why == "" {
				t.Errorf("%s: need %+v", s.Type, n)
			}
		}
		if s.ReadsParam(ParamGroupBy) != (len(s.GroupBy) > 0) {
			t.Errorf("%s: groupings %v without using groupBy, or the other way round", s.Type, s.GroupBy)
		}
		for _, g := range s.GroupBy {
			if !slices.ContainsFunc(GroupByOptions, func(o GroupByOption) bool { return o.Value == g }) {
				t.Errorf("%s: grouping %q is not offered", s.Type, g)
			}
		}
		if s.ReadsParam(ParamStat) != (len(s.Stats) > 0) {
			t.Errorf("%s: statistics %v without using stat, or the other way round", s.Type, s.Stats)
		}
		for _, st := range s.Stats {
			if !slices.Contains(Stats, st) {
				t.Errorf("%s: statistic %q is unknown", s.Type, st)
			}
		}
		for _, k := range s.Keeps() {
			if !slices.Contains(Kept, k) {
				t.Errorf("%s: keeps %q, which is not in Kept", s.Type, k)
			}
		}
		for _, l := range s.Links {
			if l != LinkTranscript {
				t.Errorf("%s: link %q", s.Type, l)
			}
		}
	}
}

// TestTheRulesThatWereWrittenPerTypeFollowTheRegistry pins what the entries
// of the types that had their rules written by name say: the parser, the
// partial answers, the links and the alert refusal used to name them. A type
// added later is free to say what it needs.
func TestTheRulesThatWereWrittenPerTypeFollowTheRegistry(t *testing.T) {
	rowTime := []Type{TypeConversations, TypeMessages, TypeTranscript}
	linked := []Type{TypeConversations, TypeMessages}
	alerting := []Type{TypeConversationVolume, TypeMessageVolume, TypeTagRate, TypeUserMessages, TypeConversationDuration}
	for _, typ := range []Type{TypeConversations, TypeMessages, TypeTranscript, TypeConversationVolume, TypeMessageVolume,
		TypeConversationCounts, TypeTagRate, TypeUserMessages, TypeUserMessageHistogram, TypeConversationDuration, TypeValues} {
		s, ok := Lookup(typ)
		if !ok {
			t.Fatalf("%s is not registered", typ)
		}
		if s.RowTime != slices.Contains(rowTime, typ) {
			t.Errorf("%s: RowTime %v", typ, s.RowTime)
		}
		if slices.Contains(s.Links, LinkTranscript) != slices.Contains(linked, typ) {
			t.Errorf("%s: links %v", typ, s.Links)
		}
		if s.Alerting != slices.Contains(alerting, typ) {
			t.Errorf("%s: Alerting %v", typ, s.Alerting)
		}
		if s.VariablesOnly != (typ == TypeValues) {
			t.Errorf("%s: VariablesOnly %v", typ, s.VariablesOnly)
		}
	}
}

// TestEveryExampleIsAQuery parses each type's help example as the backend
// would, so the help never offers a query that fails.
func TestEveryExampleIsAQuery(t *testing.T) {
	for _, s := range Registry {
		if s.Example.Title == "" {
			t.Errorf("%s has no example", s.Type)
			continue
		}
		if _, err := Parse([]byte(s.Example.Query), s.Type, "some-bot"); err != nil {
			t.Errorf("%s's example %s: %v", s.Type, s.Example.Query, err)
		}
	}
}
