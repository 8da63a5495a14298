package query

import (
	"fmt"
	"slices"
	"testing"
)

// TestEveryRegistryEntryIsWhole checks each entry of the registry against the
// rules its consumers rely on; a new entry that leaves one out fails here.
func TestEveryRegistryEntryIsWhole(t *testing.T) {
	for _, s := range Registry {
		for _, problem := range append(append(shapeProblems(s), parameterProblems(s)...), choiceProblems(s)...) {
			t.Errorf("%s: %s", s.Type, problem)
		}
	}
}

// shapeProblems are contradictions between the kind and what depends on it.
func shapeProblems(s Spec) []string {
	var out []string
	if s.Label == "" || s.Description == "" || s.Result == "" {
		out = append(out, "needs a Label, a Description and a Result (the README's line)")
	}
	if s.Kind != KindSeries && s.Kind != KindTable {
		out = append(out, fmt.Sprintf("kind %q", s.Kind))
	}
	if s.Alerting && s.Kind != KindSeries {
		out = append(out, "alert rules evaluate time series only")
	}
	if s.RowTime && s.Kind != KindTable {
		out = append(out, "RowTime is for tables; a time series is masked bucket by bucket")
	}
	if s.Reads != "" && s.Reads != "conversations" && s.Reads != "messages" {
		out = append(out, fmt.Sprintf("reads %q", s.Reads))
	}
	for _, l := range s.Links {
		if l != LinkTranscript {
			out = append(out, fmt.Sprintf("link %q", l))
		}
	}
	return out
}

// parameterProblems are parameters used, needed or kept that do not exist.
func parameterProblems(s Spec) []string {
	var out []string
	for _, p := range s.Uses {
		if !slices.Contains(Params, p) {
			out = append(out, fmt.Sprintf("uses %q, which is no Param", p))
		}
	}
	for _, n := range s.Needs() {
		if !slices.Contains(Params, n.Param) || (n.When != "" && !s.ReadsParam(n.When)) || n.Why == "" {
			out = append(out, fmt.Sprintf("need %+v", n))
		}
	}
	for _, k := range s.Keeps() {
		if !slices.Contains(Kept, k) {
			out = append(out, fmt.Sprintf("keeps %q, which is not in Kept", k))
		}
	}
	return out
}

// choiceProblems are groupings and statistics that do not match what the type uses.
func choiceProblems(s Spec) []string {
	var out []string
	if s.ReadsParam(ParamGroupBy) != (len(s.GroupBy) > 0) {
		out = append(out, fmt.Sprintf("groupings %v without using groupBy, or the other way round", s.GroupBy))
	}
	for _, g := range s.GroupBy {
		if !slices.ContainsFunc(GroupByOptions, func(o GroupByOption) bool { return o.Value == g }) {
			out = append(out, fmt.Sprintf("grouping %q is not offered", g))
		}
	}
	if s.ReadsParam(ParamStat) != (len(s.Stats) > 0) {
		out = append(out, fmt.Sprintf("statistics %v without using stat, or the other way round", s.Stats))
	}
	for _, st := range s.Stats {
		if !slices.Contains(Stats, st) {
			out = append(out, fmt.Sprintf("statistic %q is unknown", st))
		}
	}
	return out
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
