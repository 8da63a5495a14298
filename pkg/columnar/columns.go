package columnar

import (
	"math/bits"
	"slices"
	"strings"
)

// Strings is a column of strings kept plainly: one allocation for all bytes and
// the offsets into it (a dictionary's values, ids that are not hex).
type Strings struct {
	all     string
	offsets []uint32 // len n+1
}

// buildStrings copies n strings into one allocation, so that a batch pins
// neither the decoded records' strings nor one heap object per value.
func buildStrings(n int, at func(i int) string) Strings {
	s := Strings{offsets: make([]uint32, n+1)}
	total := 0
	for i := range n {
		total += len(at(i))
		s.offsets[i+1] = uint32(total)
	}
	var sb strings.Builder
	sb.Grow(total)
	for i := range n {
		sb.WriteString(at(i))
	}
	s.all = sb.String()
	return s
}

func stringsOf(values []string) Strings {
	return buildStrings(len(values), func(i int) string { return values[i] })
}

// At is record i's string.
func (s *Strings) At(i int) string { return s.all[s.offsets[i]:s.offsets[i+1]] }

// Len is the number of records.
func (s *Strings) Len() int { return len(s.offsets) - 1 }

// Lists is a dictionary-coded list per record (a conversation's tags, as sent):
// record i holds codes [Offsets[i], Offsets[i+1]) of Dict.
type Lists struct {
	Offsets Codes // n+1 of them
	Dict
}

// Of is record i's codes, in the record's order, repeats included.
func (l *Lists) Of(i int) Codes { return l.Codes.Slice(int(l.Offsets.At(i)), int(l.Offsets.At(i+1))) }

// Counts is a small non-negative integer per record with a validity bit.
type Counts struct {
	values Codes
	valid  []uint64
}

// At is record i's count and whether it has one.
func (c *Counts) At(i int) (int64, bool) {
	return int64(c.values.At(i)), c.Valid(i)
}

// Valid reports whether record i has a count.
func (c *Counts) Valid(i int) bool { return c.valid[i/64]&(1<<(i%64)) != 0 }

func (c *Counts) setValid(i int) { c.valid[i/64] |= 1 << (i % 64) }

// ValidCount is how many records have a count.
func (c *Counts) ValidCount() int {
	n := 0
	for _, w := range c.valid {
		n += bits.OnesCount64(w)
	}
	return n
}

// MetaColumn is one top-level metadata key: each record's text of it as
// MetadataText gives it, dictionary-coded. Code 0 (value "") is "missing or
// null", apart from a real empty string. A key most records lack is kept sparse:
// Rows lists the records that carry it, in order, and Codes follows Rows.
type MetaColumn struct {
	Key    string
	Values Strings
	Codes  Codes
	Rows   []uint32 // when sparse
	sparse bool
}

// Absent is the code of a record that lacks the key or holds null.
const Absent = 0

// Code is record i's code.
func (m *MetaColumn) Code(i int) uint32 {
	if !m.sparse {
		return m.Codes.At(i)
	}
	if j, ok := slices.BinarySearch(m.Rows, uint32(i)); ok {
		return m.Codes.At(j)
	}
	return Absent
}

// Text is record i's text and whether the key holds a non-null value.
func (m *MetaColumn) Text(i int) (string, bool) {
	c := m.Code(i)
	return m.Values.At(int(c)), c != Absent
}

// Dense reports whether Codes has one code per record.
func (m *MetaColumn) Dense() bool { return !m.sparse }

// KeySets is each record's metadata keys as MetadataKeys lists them: Sets are the
// distinct lists (indexes into the batch's metadata columns), Codes the record's
// list. Set 0 is the empty list.
type KeySets struct {
	Sets  [][]uint32
	Codes Codes
}
