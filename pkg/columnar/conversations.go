package columnar

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Conversations is a batch of conversation records as columns, sorted by start
// time (records that start at the same instant keep their order).
type Conversations struct {
	// Start is each record's start time in Unix nanoseconds, ascending.
	Start []int64
	// LastAction is each record's lastActionAt; none (noTime) when unreadable.
	LastAction OptionalTimes
	// IDs are the records' ids, kept uncompressed: the message join needs them.
	IDs IDs
	// Locale is "" when the record has none.
	Locale Dict
	// Tags are each record's tags as sent.
	Tags Lists
	// UserMessages is userMessageCount, valid when the record has one.
	UserMessages Counts
	// Meta holds one column per top-level metadata key any record has, in order of first appearance.
	Meta    []MetaColumn
	metaIdx map[string]int
	// Keys is each record's metadata keys.
	Keys KeySets
	// metadata is the metadata JSON as sent, for tables.
	metadata textColumn
}

// errTooLarge marks a batch beyond what 32-bit offsets hold; segments are far
// smaller (a page is at most 64 MB).
var errTooLarge = errors.New("columnar: batch too large")

const maxBatchBytes = math.MaxUint32

// BuildConversations builds the columns of recs. It fails, rather than keep an
// inexact value, on a start time outside the range of Unix nanoseconds or a
// count a decoded record cannot have.
func BuildConversations(recs []exportapi.Conversation) (*Conversations, error) {
	n := len(recs)
	if n > math.MaxInt32 {
		return nil, errTooLarge
	}
	order := timeOrder(n, func(i int) time.Time { return recs[i].StartTime })
	rec := func(i int) *exportapi.Conversation { return &recs[order[i]] }

	b := &Conversations{Start: make([]int64, n)}
	textBytes := 0 // a bound on every string column's bytes
	for i := range n {
		c := rec(i)
		v, err := nanos(c.StartTime)
		if err != nil {
			return nil, err
		}
		b.Start[i] = v
		textBytes += len(c.ID) + len(c.Locale) + len(c.Metadata)
		for _, t := range c.Tags {
			textBytes += len(t)
		}
	}
	if textBytes > maxBatchBytes {
		return nil, errTooLarge
	}
	b.LastAction = buildOptionalTimes(b.Start, func(i int) time.Time { return rec(i).LastActionAt })
	b.IDs = buildIDs(n, func(i int) string { return rec(i).ID })

	locales, tags := newDictBuilder(), newDictBuilder()
	offsets, counts := make([]uint32, n+1), make([]uint32, n)
	b.UserMessages.valid = make([]uint64, (n+63)/64)
	for i := range n {
		c := rec(i)
		locales.add(c.Locale)
		for _, t := range c.Tags {
			tags.add(t)
		}
		offsets[i+1] = uint32(len(tags.codes))
		if c.HasUserMessages {
			if c.UserMessageCount < 0 || c.UserMessageCount > math.MaxUint32 {
				return nil, fmt.Errorf("columnar: user message count %d out of range", c.UserMessageCount)
			}
			counts[i] = uint32(c.UserMessageCount)
			b.UserMessages.setValid(i)
		} else if c.UserMessageCount != 0 {
			return nil, fmt.Errorf("columnar: user message count %d without its flag", c.UserMessageCount)
		}
	}
	b.Locale, b.Tags.Dict = locales.dict(), tags.dict()
	b.Tags.Offsets, b.UserMessages.values = narrowAll(offsets), narrowAll(counts)
	b.buildMetadata(n, rec)
	b.metadata = buildText(n, func(i int) (string, bool) {
		m := rec(i).Metadata
		return string(m), m != nil
	})
	return b, nil
}

// buildMetadata parses each record's metadata once into a column per key and the record's key set.
func (b *Conversations) buildMetadata(n int, rec func(int) *exportapi.Conversation) {
	type building struct {
		dict  *dictBuilder
		codes []uint32
		rows  []uint32
	}
	var cols []*building
	b.metaIdx = map[string]int{}
	sets := map[string]uint32{"": 0}
	b.Keys = KeySets{Sets: [][]uint32{nil}}
	setCodes := make([]uint32, n)
	var setKey []byte
	var set []uint32
	var keys []string
	var values []metaValue
	for i := range n {
		keys, values = parseMetadata(rec(i), keys, values)
		for _, v := range values {
			ci, ok := b.metaIdx[v.key]
			if !ok {
				ci = len(cols)
				b.metaIdx[v.key] = ci
				cols = append(cols, &building{dict: newDictBuilder()})
				b.Meta = append(b.Meta, MetaColumn{Key: v.key})
			}
			if !v.ok {
				continue
			}
			// Codes start after Absent, so a real "" has a code of its own.
			col := cols[ci]
			col.rows = append(col.rows, uint32(i))
			col.codes = append(col.codes, col.dict.code(v.text)+1)
		}
		setKey, set = setKey[:0], set[:0]
		for _, k := range keys {
			ci := b.metaIdx[k]
			set = append(set, uint32(ci))
			setKey = binary.AppendUvarint(setKey, uint64(ci))
		}
		code, ok := sets[string(setKey)]
		if !ok {
			code = uint32(len(b.Keys.Sets))
			sets[string(setKey)] = code
			b.Keys.Sets = append(b.Keys.Sets, slices.Clone(set))
		}
		setCodes[i] = code
	}
	b.Keys.Codes = narrow(setCodes, len(b.Keys.Sets))
	for ci, col := range cols {
		m := &b.Meta[ci]
		m.Key = strings.Clone(m.Key)
		m.Values = stringsOf(append([]string{""}, col.dict.values...))
		limit := len(col.dict.values) + 1
		if 2*len(col.rows) < n {
			m.Codes, m.Rows, m.sparse = narrow(col.codes, limit), slices.Clip(col.rows), true
			continue
		}
		dense := make([]uint32, n)
		for j, r := range col.rows {
			dense[r] = col.codes[j]
		}
		m.Codes = narrow(dense, limit)
	}
}
