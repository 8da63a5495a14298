package query

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"

	"github.com/agentx-support/agentx-export-datasource/pkg/quote"
)

// Bucket bounds (docs/reference.md, Details).
const (
	MinBucket = time.Minute
	MaxBucket = 7 * 24 * time.Hour
	// MaxTimeShift reaches a year back, for "the same week last year".
	MaxTimeShift = 366 * 24 * time.Hour
)

// Parse reads one query's JSON. queryType is Grafana's own field (it wins over a
// queryType inside the JSON); defaultBot stands in for an empty bot. Errors name
// the field and say what would be accepted.
func Parse(raw []byte, queryType Type, defaultBot string) (Query, error) {
	return ParseWithBots(raw, queryType, defaultBot, nil)
}

// ParseWithBots is Parse where AllBots stands for known, the data source's bots
// (the default bot first); with none known it stands for defaultBot.
func ParseWithBots(raw []byte, queryType Type, defaultBot string, known []string) (Query, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Query{}, errors.New("the query is not a JSON object")
	}
	p := parser{fields: fields}
	q := Query{
		RefID:       p.str("refId"),
		Type:        Type(strings.TrimSpace(string(queryType))),
		Bots:        p.bots(),
		GroupBy:     p.groupBy(),
		MetadataKey: strings.TrimSpace(p.str("metadataKey")),
		Tag:         strings.TrimSpace(p.str("tag")),
		Stat:        p.str("stat"),
		Bucket:      strings.TrimSpace(p.str("bucket")),
		Field:       p.str("field"),
		Limit:       p.limit(),
		// Kept as written: display names show the shift the way the user wrote it.
		TimeShiftText: strings.TrimSpace(p.str("timeShift")),
		Timezone:      strings.TrimSpace(p.str("timezone")),
	}
	if q.Type == "" {
		q.Type = Type(strings.TrimSpace(p.str("queryType")))
	}
	q.Filters = p.filters()
	if p.err != nil {
		return q, p.err
	}
	return q, q.check(defaultBot, known)
}

// check applies the rules and defaults of docs/reference.md, in order: the
// first rule that refuses names the problem.
func (q *Query) check(defaultBot string, known []string) error {
	spec, err := q.typeSpec()
	if err != nil {
		return err
	}
	askedAll := slices.Contains(q.Bots, AllBots)
	q.setBots(defaultBot, known)
	rules := []func(*Query, Spec) error{
		// Before any other rule, so that "$group" is named as a variable, not as an unknown grouping.
		func(q *Query, _ Spec) error { return q.checkVariables() },
		func(q *Query, spec Spec) error { return q.checkBot(spec, askedAll) },
		func(q *Query, _ Spec) error { return q.parseTimeShift() },
		func(q *Query, _ Spec) error { return q.loadTimezone() },
		func(q *Query, spec Spec) error { return checkGroupBy(q.GroupBy, spec) },
		checkTimeShiftKind,
		checkGroupingNeeds,
		checkStat,
		checkBucket,
		checkField,
		checkRequires,
		checkTypeFilters,
		checkMetadataFilters,
	}
	for _, rule := range rules {
		if err := rule(q, spec); err != nil {
			return err
		}
	}
	return nil
}

// typeSpec finds the registry entry of the query's type.
func (q *Query) typeSpec() (Spec, error) {
	if q.Type == "" {
		return Spec{}, fmt.Errorf("the query has no type; choose one of %s", Choices(Types()))
	}
	spec, ok := Lookup(q.Type)
	if !ok {
		return Spec{}, fmt.Errorf("unknown query type %s; choose one of %s", quote.Text(string(q.Type)), Choices(Types()))
	}
	return spec, nil
}

// setBots resolves the bots: Bot is the first, Bots only for several.
func (q *Query) setBots(defaultBot string, known []string) {
	q.Bots = resolveBots(q.Bots, defaultBot, known)
	if len(q.Bots) > 0 {
		q.Bot = q.Bots[0]
	}
	if len(q.Bots) < 2 {
		q.Bots = nil
	}
}

// checkBot refuses a query without a bot, unless it lists the bots themselves.
func (q *Query) checkBot(spec Spec, askedAll bool) error {
	if q.Bot != "" {
		return nil
	}
	if f, ok := valuesField(q.Field); ok && f.NoBot && spec.ReadsParam(ParamField) {
		return nil
	}
	if askedAll {
		return errors.New("no bot: the query asks for all bots, and the data source settings name no bots and no default bot")
	}
	return errors.New("no bot: choose a bot in the query or set a default bot in the data source settings")
}

func checkTimeShiftKind(q *Query, spec Spec) error {
	if q.TimeShift > 0 && spec.Kind != KindSeries {
		return fmt.Errorf("timeShift applies to time series; %s answers with a table", q.Type)
	}
	return nil
}

// checkGroupingNeeds asks for what the chosen grouping needs (the metadata key),
// whatever the type: a grouping given is never silently ignored for want of it.
func checkGroupingNeeds(q *Query, _ Spec) error {
	i := slices.IndexFunc(GroupByOptions, func(o GroupByOption) bool { return o.Value == q.GroupBy })
	if i < 0 || GroupByOptions[i].Needs == "" {
		return nil
	}
	o := GroupByOptions[i]
	return q.need(Need{Param: o.Needs, When: ParamGroupBy, Is: o.Value, Why: o.Why})
}

// checkStat puts the default statistic and refuses one the type does not know.
func checkStat(q *Query, spec Spec) error {
	if q.Tag == "" {
		q.Tag = DefaultTag
	}
	if q.Stat == "" {
		q.Stat = DefaultStat
	}
	if !slices.Contains(Stats, q.Stat) {
		return fmt.Errorf("unknown stat %s; use %s", quote.Text(q.Stat), Choices(Stats))
	}
	if spec.ReadsParam(ParamStat) && !slices.Contains(spec.Stats, q.Stat) {
		return fmt.Errorf("stat %s does not apply to %s; use %s", quote.Text(q.Stat), q.Type, Choices(spec.Stats))
	}
	return nil
}

func checkBucket(q *Query, _ Spec) error {
	if q.Bucket == "" || q.Bucket == WholeRange {
		return nil
	}
	_, err := ParseBucket(q.Bucket)
	return err
}

// checkField refuses a field a type that lists fields does not know, or one
// without what it needs.
func checkField(q *Query, spec Spec) error {
	if !spec.ReadsParam(ParamField) {
		return nil
	}
	f, ok := valuesField(q.Field)
	if !ok {
		var fields []string
		for _, f := range ValuesFields {
			fields = append(fields, f.Value)
		}
		return fmt.Errorf("a values query needs field: one of %s", Choices(fields))
	}
	if f.Needs == "" {
		return nil
	}
	return q.need(Need{Param: f.Needs, When: ParamField, Is: f.Value, Why: f.Why})
}

// checkRequires asks for what every query of the type must give, and puts the
// default limit.
func checkRequires(q *Query, spec Spec) error {
	for _, n := range spec.Requires {
		if err := q.need(n); err != nil {
			return err
		}
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	return nil
}

// need refuses a query without a needed parameter, saying what asked for it.
func (q *Query) need(n Need) error {
	if q.param(n.Param) != "" {
		return nil
	}
	if n.When == "" {
		return fmt.Errorf("%s needs a %s: %s", q.Type, n.Param, n.Why)
	}
	return fmt.Errorf("%s %s needs a %s: %s", n.When, n.Is, n.Param, n.Why)
}

// param is the text of a parameter as the query gives it.
func (q *Query) param(p Param) string {
	switch p {
	case ParamGroupBy:
		return q.GroupBy
	case ParamTag:
		return q.Tag
	case ParamStat:
		return q.Stat
	case ParamBucket:
		return q.Bucket
	case ParamField:
		return q.Field
	case ParamLimit:
		if q.Limit == 0 {
			return ""
		}
		return strconv.Itoa(q.Limit)
	case ParamConversationID:
		return q.Filters.ConversationID
	case ParamMetadataKey:
		return q.MetadataKey
	}
	return ""
}

func checkMetadataFilters(q *Query, _ Spec) error {
	for i, m := range q.Filters.Metadata {
		if m.Key == "" {
			return fmt.Errorf("metadata filter %d has no key", i+1)
		}
		if m.Op != "=" && m.Op != "!=" {
			return fmt.Errorf("metadata filter on %s has op %s; use = or !=", quote.Text(m.Key), quote.Text(m.Op))
		}
	}
	return nil
}

// checkTypeFilters refuses a message type filter where no message is read: a
// conversation has no type, and ignoring the filter would answer a number the
// query did not ask for.
func checkTypeFilters(q *Query, spec Spec) error {
	if !q.Filters.MessageTypeFilters() || ReadsMessages(q) {
		return nil
	}
	var with []string
	for _, s := range Registry {
		if s.Reads == "messages" {
			with = append(with, string(s.Type))
		}
	}
	return fmt.Errorf("filters.types and filters.excludeTypes (message type) apply to %s and to values of %s; %s counts conversations",
		Choices(with), FieldMessageType, spec.Type)
}

// ReadsMessages reports whether the query reads messages, the records a message
// type filter applies to.
func ReadsMessages(q *Query) bool {
	spec := q.Spec()
	if spec.Reads == "messages" {
		return true
	}
	f, ok := valuesField(q.Field)
	return ok && f.Reads == "messages" && spec.ReadsParam(ParamField)
}

// checkGroupBy accepts a grouping any grouped type knows. A grouping only some
// types know (the message type) is refused for the others, naming those types.
func checkGroupBy(groupBy string, spec Spec) error {
	if groupBy == GroupNone || slices.Contains(conversationGroups, groupBy) {
		return nil
	}
	var known []string
	var with []Type
	for _, o := range GroupByOptions[1:] {
		known = append(known, o.Value)
	}
	for _, s := range Registry {
		if slices.Contains(s.GroupBy, groupBy) {
			with = append(with, s.Type)
		}
	}
	switch {
	case !slices.Contains(known, groupBy):
		return fmt.Errorf("unknown groupBy %s; use %s, or leave it empty", quote.Text(groupBy), Choices(known))
	case !slices.Contains(spec.GroupBy, groupBy):
		return fmt.Errorf("groupBy %s only applies to %s", quote.Text(groupBy), Choices(with))
	}
	return nil
}

// parseTimeShift reads TimeShiftText into TimeShift.
func (q *Query) parseTimeShift() error {
	if q.TimeShiftText == "" {
		return nil
	}
	d, err := gtime.ParseDuration(q.TimeShiftText)
	if err != nil || d < 0 || d > MaxTimeShift || d%time.Second != 0 {
		return fmt.Errorf("timeShift %s is not a duration from 0 to 366d; write it like 1h, 1d or 7d", quote.Text(q.TimeShiftText))
	}
	q.TimeShift = d
	return nil
}

// ParseBucket reads a bucket in Grafana's duration syntax (1m, 15m, 1h, 1d, 7d).
func ParseBucket(s string) (time.Duration, error) {
	d, err := gtime.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bucket %s is not a duration; write it like 1m, 15m, 1h or 1d, or %s for one bucket over the whole range", quote.Text(s), WholeRange)
	}
	if d < MinBucket || d > MaxBucket {
		return 0, fmt.Errorf("bucket %s is outside 1m…7d", quote.Text(s))
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("bucket %s must be a whole number of seconds", quote.Text(s))
	}
	return d, nil
}

// resolveBots puts the default bot for none and the known bots (or, with none,
// the default bot) for AllBots, keeping each bot once in the order named.
func resolveBots(named []string, defaultBot string, known []string) []string {
	if len(named) == 0 {
		named = []string{defaultBot}
	}
	all := known
	if len(all) == 0 {
		all = []string{defaultBot}
	}
	var out []string
	for _, b := range named {
		each := []string{b}
		if b == AllBots {
			each = all
		}
		for _, e := range each {
			if e = strings.TrimSpace(e); e != "" && !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// bots reads bot: one name, or a list of names (a multi-value variable).
func (p *parser) bots() []string {
	v, ok := p.raw("bot")
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		items = []json.RawMessage{v}
	}
	var out []string
	for _, it := range items {
		s, err := textOf(it)
		if err != nil {
			p.fail("bot must be a text, not %s (or a list of texts, for several bots)", describe(v))
			return nil
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parser decodes fields one by one and keeps the first error, which names the field.
type parser struct {
	fields map[string]json.RawMessage
	err    error
}

func (p *parser) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf(format, args...)
	}
}

func (p *parser) raw(key string) (json.RawMessage, bool) {
	v, ok := p.fields[key]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

// str accepts a text or a number written as text.
func (p *parser) str(key string) string {
	v, ok := p.raw(key)
	if !ok {
		return ""
	}
	s, err := textOf(v)
	if err != nil {
		p.fail("%s must be a text, not %s", key, describe(v))
	}
	return s
}

// limit reads the row limit, a number or a number written as text; 0 means the
// default. A whole number out of range, however large (1e18, 1e400), is named as
// out of range: it is a whole number, just not an accepted one.
func (p *parser) limit() int {
	v, ok := p.raw("limit")
	if !ok {
		return 0
	}
	s, err := textOf(v)
	if err == nil && strings.TrimSpace(s) == "" {
		return 0
	}
	f, perr := strconv.ParseFloat(strings.TrimSpace(s), 64)
	switch {
	case err != nil || (perr != nil && !math.IsInf(f, 0)) || math.IsNaN(f) || (!math.IsInf(f, 0) && f != math.Trunc(f)):
		p.fail("limit must be a whole number, not %s", describe(v))
	case f != 0 && (f < 1 || f > MaxLimit):
		p.fail("limit must be from 1 to %d rows, not %s", MaxLimit, describe(v))
	default:
		return int(f)
	}
	return 0
}

func (p *parser) filters() Filters {
	v, ok := p.raw("filters")
	if !ok {
		return Filters{}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(v, &fields); err != nil {
		p.fail("filters must be an object, not %s", describe(v))
		return Filters{}
	}
	sub := parser{fields: fields}
	f := Filters{
		Tags:           sub.list("filters.tags", "tags"),
		ExcludeTags:    sub.list("filters.excludeTags", "excludeTags"),
		Locales:        sub.list("filters.locales", "locales"),
		ExcludeLocales: sub.list("filters.excludeLocales", "excludeLocales"),
		ConversationID: strings.TrimSpace(sub.str("conversationId")),
		Metadata:       sub.metadataFilters(),
		Types:          sub.list("filters.types", "types"),
		ExcludeTypes:   sub.list("filters.excludeTypes", "excludeTypes"),
	}
	if sub.err != nil {
		p.fail("filters.%s", sub.err)
	}
	return f
}

// legacyNoGrouping is how older saved queries wrote "no grouping"; the editor
// migrates it to "" (migrateQuery in src/editor/queryModel.ts), and an alert rule,
// which no browser migrates, must mean the same.
const legacyNoGrouping = "none"

func (p *parser) groupBy() string {
	g := p.str("groupBy")
	if g == legacyNoGrouping {
		return GroupNone
	}
	return g
}

// list accepts a list of texts, or one text of comma-separated values as older
// saved queries wrote it (split as migrateQuery in src/editor/queryModel.ts does,
// so that an alert rule means what the panel meant).
func (p *parser) list(name, key string) []string {
	v, ok := p.raw(key)
	if !ok {
		return nil
	}
	var texts []string
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err == nil {
		for _, it := range items {
			s, err := textOf(it)
			if err != nil {
				p.fail("%s must be a list of texts, not %s", strings.TrimPrefix(name, "filters."), describe(v))
				return nil
			}
			texts = append(texts, s)
		}
	} else {
		s, err := textOf(v)
		if err != nil {
			p.fail("%s must be a list of texts, not %s", strings.TrimPrefix(name, "filters."), describe(v))
			return nil
		}
		texts = strings.Split(s, ",")
	}
	var out []string
	for _, s := range texts {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) metadataFilters() []MetadataFilter {
	v, ok := p.raw("metadata")
	if !ok {
		return nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		p.fail("metadata must be a list of {key, op, value}, not %s", describe(v))
		return nil
	}
	var out []MetadataFilter
	for i, it := range items {
		sub := parser{fields: it}
		m := MetadataFilter{Key: strings.TrimSpace(sub.str("key")), Op: strings.TrimSpace(sub.str("op")), Value: sub.str("value")}
		if sub.err != nil {
			p.fail("metadata[%d].%s", i, sub.err)
			return nil
		}
		if m.Op == "" {
			m.Op = "="
		}
		// An editor row left blank is not a filter.
		if m.Key == "" && m.Value == "" {
			continue
		}
		out = append(out, m)
	}
	return out
}

// textOf reads a JSON text, number or boolean as text.
func textOf(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		return n.String(), nil
	}
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return strconv.FormatBool(b), nil
	}
	return "", errors.New("not a text")
}

func describe(v json.RawMessage) string {
	s := strings.TrimSpace(string(v))
	switch {
	case strings.HasPrefix(s, "{"):
		return "an object"
	case strings.HasPrefix(s, "["):
		return "a list"
	case len(s) > 40:
		return s[:40] + "…"
	}
	return s
}
