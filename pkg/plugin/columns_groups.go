package plugin

import (
	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// slots numbers the groups of an aggregation: open admits a group in the
// aggregator and keeps its row at the next slot, so that a record is counted by
// an index. A group is looked up by name once per batch and code, never per record.
type slots struct {
	index map[string]int32
	open  func(group string) bool
	n     int32
}

func newSlots(open func(group string) bool) *slots {
	return &slots{index: map[string]int32{}, open: open}
}

// of is the slot of group, or -1 when the aggregator refuses it (past its bound).
func (s *slots) of(group string) int32 {
	if i, ok := s.index[group]; ok {
		return i
	}
	if !s.open(group) {
		return -1
	}
	i := s.n
	s.n++
	s.index[group] = i
	return i
}

const unresolved = -2

// convGrouping gives each record of a conversation batch its groups' slots, as
// selection.Grouper.Conversation names them: each code of the grouping column
// is resolved once per batch, when a record first has it (an aggregator sees a
// group only once a record falls in it).
type convGrouping struct {
	g      selection.Grouper
	s      *slots
	byCode []int32
	none   int32 // the slot of every record when the batch has no column to group by
	codes  []uint32
	offs   []uint32
	values *columnar.Strings
	orNone bool
	buf    []int32
}

func newConvGrouping(g selection.Grouper, s *slots) *convGrouping {
	return &convGrouping{g: g, s: s}
}

// batch prepares b's codes.
func (cg *convGrouping) batch(b *columnar.Conversations) {
	cg.none = unresolved
	cg.values = nil
	switch cg.g.By {
	case query.GroupTag:
		cg.offs = b.Tags.Offsets.Widen(cg.offs)
		cg.codes = b.Tags.Codes.Widen(cg.codes)
		cg.values, cg.orNone = &b.Tags.Values, false
	case query.GroupLocale:
		cg.codes = b.Locale.Codes.Widen(cg.codes)
		cg.values, cg.orNone = &b.Locale.Values, true
	case query.GroupMetadata:
		if col := b.Metadata(cg.g.MetadataKey); col != nil {
			cg.codes = col.Widen(b.Len(), cg.codes)
			cg.values, cg.orNone = &col.Values, true
		}
	}
	if cg.values != nil {
		cg.byCode = resetSlots(cg.byCode, cg.values.Len())
		return
	}
	// No column to group by: every record has code 0, the group of a record
	// without a value.
	cg.codes = zeros(cg.codes, b.Len())
	cg.byCode = resetSlots(cg.byCode, 1)
}

// single reports whether each record falls in one group (all but groupBy tag):
// then one gives it.
func (cg *convGrouping) single() bool { return cg.g.By != query.GroupTag }

// one is record i's slot when single, -1 when its group is refused.
func (cg *convGrouping) one(i int) int32 {
	s := cg.byCode[cg.codes[i]]
	if s == unresolved {
		s = cg.code(cg.codes[i])
	}
	return s
}

func zeros(buf []uint32, n int) []uint32 {
	if cap(buf) < n {
		return make([]uint32, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

func resetSlots(buf []int32, n int) []int32 {
	if cap(buf) < n {
		buf = make([]int32, n)
	}
	buf = buf[:n]
	for i := range buf {
		buf[i] = unresolved
	}
	return buf
}

// code is the slot of a code of the batch's grouping column.
func (cg *convGrouping) code(c uint32) int32 {
	s := cg.byCode[c]
	if s == unresolved {
		if cg.values == nil {
			s = cg.noneSlot()
		} else {
			v := cg.values.At(int(c))
			if cg.orNone {
				v = selection.OrNone(v)
			}
			s = cg.s.of(v)
		}
		cg.byCode[c] = s
	}
	return s
}

// noneSlot is the slot of a record without a value: (none), or the one group
// of a query not grouped by the conversation.
func (cg *convGrouping) noneSlot() int32 {
	if cg.none == unresolved {
		cg.none = cg.s.of(noneGroup(cg.g))
	}
	return cg.none
}

// noneGroup is the group of a record without a value, as Grouper.Conversation
// and Grouper.Message give it: (none) for a grouping by the conversation's
// values, the bot being read for groupBy bot, the one group "" for any other.
func noneGroup(g selection.Grouper) string {
	switch {
	case g.ByConversation():
		return selection.NoneGroup
	case g.By == query.GroupBot:
		return g.ReadingBot()
	}
	return ""
}

// of returns record i's slots, in a buffer the next call reuses; refused groups are left out.
func (cg *convGrouping) of(i int) []int32 {
	buf := cg.buf[:0]
	if cg.single() {
		if s := cg.one(i); s >= 0 {
			buf = append(buf, s)
		}
		cg.buf = buf
		return buf
	}
	codes := cg.codes[cg.offs[i]:cg.offs[i+1]]
	if len(codes) == 0 {
		if s := cg.noneSlot(); s >= 0 {
			buf = append(buf, s)
		}
	}
	for _, c := range codes {
		if s := cg.code(c); s >= 0 && !containsSlot(buf, s) {
			buf = append(buf, s)
		}
	}
	cg.buf = buf
	return buf
}

// each calls fn with each record of rows that falls in a bucket (times are the
// batch's record times), its bucket and each of its slots: the loop of every
// time series over conversations.
func (cg *convGrouping) each(rows []int32, times []int64, cur *frames.BucketCursor, fn func(i int32, k int, slot int32)) {
	if cg.single() {
		for _, i := range rows {
			k := cur.Index(times[i])
			if k < 0 {
				continue
			}
			s := cg.byCode[cg.codes[i]]
			if s == unresolved {
				s = cg.code(cg.codes[i])
			}
			if s >= 0 {
				fn(i, k, s)
			}
		}
		return
	}
	for _, i := range rows {
		k := cur.Index(times[i])
		if k < 0 {
			continue
		}
		// Most records carry one tag: its slot needs no list.
		if from := cg.offs[i]; cg.offs[i+1] == from+1 {
			c := cg.codes[from]
			s := cg.byCode[c]
			if s == unresolved {
				s = cg.code(c)
			}
			if s >= 0 {
				fn(i, k, s)
			}
			continue
		}
		for _, s := range cg.of(int(i)) {
			fn(i, k, s)
		}
	}
}

func containsSlot(buf []int32, s int32) bool {
	for _, v := range buf {
		if v == s {
			return true
		}
	}
	return false
}
