package plugin

import (
	"encoding/binary"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// columnJoin is selection.Join on columns: each conversation that passed the
// filters is kept as its id and its set of groups (sets are shared: a query has
// few distinct ones), and a message batch resolves each code of its
// ConversationID dictionary once.
type columnJoin struct {
	filtered bool
	g        selection.Grouper
	index    map[string]int32 // conversation id -> its group set
	sets     [][]string       // by set: the conversation's groups (nil without grouping by conversation)
	setIndex map[string]int32

	key    []byte
	groups []string
	byCode []int32 // per batch of conversations: a locale or metadata code's set
	codes  []uint32
	offs   []uint32

	// Per message batch: each ConversationID code's set, noConversation when unknown.
	setOf    []int32
	convCode []uint32
	kept     []int32
}

const noConversation = -1

// newColumnJoin returns the join a messages query needs, or nil when neither its
// filters nor its grouping look at conversations.
func newColumnJoin(f *query.Filters, g selection.Grouper) *columnJoin {
	filtered := selection.ConversationFilters(f)
	if !filtered && !g.ByConversation() {
		return nil
	}
	j := &columnJoin{filtered: filtered, g: g, index: map[string]int32{}, setIndex: map[string]int32{}}
	if !g.ByConversation() {
		j.sets = [][]string{nil}
	}
	return j
}

// addConversations records the given rows of b, which passed the filters.
func (j *columnJoin) addConversations(b *columnar.Conversations, rows []int32) {
	var values *columnar.Strings
	switch j.g.By {
	case query.GroupTag:
		j.offs = b.Tags.Offsets.Widen(j.offs)
		j.codes = b.Tags.Codes.Widen(j.codes)
		values = &b.Tags.Values
	case query.GroupLocale:
		j.codes = b.Locale.Codes.Widen(j.codes)
		values = &b.Locale.Values
	case query.GroupMetadata:
		if col := b.Metadata(j.g.MetadataKey); col != nil {
			j.codes = col.Widen(b.Len(), j.codes)
			values = &col.Values
		}
	}
	if values != nil && j.g.By != query.GroupTag {
		j.byCode = resetSlots(j.byCode, values.Len())
	}
	missing := int32(unresolved) // the set of a record of a batch without the metadata key
	for _, r := range rows {
		i := int(r)
		var set int32
		switch {
		case !j.g.ByConversation():
			set = 0
		case j.g.By == query.GroupTag:
			j.groups = j.groups[:0]
			for _, c := range j.codes[j.offs[i]:j.offs[i+1]] {
				t := values.At(int(c))
				if !containsString(j.groups, t) {
					j.groups = append(j.groups, t)
				}
			}
			if len(j.groups) == 0 {
				j.groups = append(j.groups, selection.NoneGroup)
			}
			set = j.intern(j.groups)
		case values == nil:
			if missing == unresolved {
				missing = j.intern(append(j.groups[:0], selection.NoneGroup))
			}
			set = missing
		default:
			c := j.codes[i]
			if set = j.byCode[c]; set == unresolved {
				set = j.intern(append(j.groups[:0], selection.OrNone(values.At(int(c)))))
				j.byCode[c] = set
			}
		}
		j.index[b.IDs.At(i)] = set
	}
}

// intern returns the set of groups, adding a copy when new.
func (j *columnJoin) intern(groups []string) int32 {
	j.key = j.key[:0]
	for _, g := range groups {
		j.key = binary.AppendUvarint(j.key, uint64(len(g)))
		j.key = append(j.key, g...)
	}
	if s, ok := j.setIndex[string(j.key)]; ok {
		return s
	}
	s := int32(len(j.sets))
	j.sets = append(j.sets, append([]string(nil), groups...))
	j.setIndex[string(j.key)] = s
	return s
}

// messages returns the rows of [from, to) of b whose conversation passes the
// filters (a message whose conversation was not read counts as one with no tags,
// locale or metadata), in a buffer the next call reuses. After it, set gives a
// row's conversation.
func (j *columnJoin) messages(b *columnar.Messages, from, to int) []int32 {
	values := &b.ConversationID.Values
	j.setOf = resetSlots(j.setOf, values.Len())
	for c := range j.setOf {
		if s, ok := j.index[values.At(c)]; ok {
			j.setOf[c] = s
		} else {
			j.setOf[c] = noConversation
		}
	}
	j.convCode = b.ConversationID.Codes.Widen(j.convCode)
	kept := j.kept[:0]
	for i := from; i < to; i++ {
		if j.filtered && j.setOf[j.convCode[i]] == noConversation {
			continue
		}
		kept = append(kept, int32(i))
	}
	j.kept = kept
	return kept
}

// set is message i's conversation's group set, noConversation when it was not read.
func (j *columnJoin) set(i int) int32 { return j.setOf[j.convCode[i]] }

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
