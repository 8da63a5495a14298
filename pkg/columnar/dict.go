package columnar

import "strings"

// Dict is a dictionary-coded column: record i holds Values[Codes[i]]. Codes are
// given in order of first appearance within the batch.
type Dict struct {
	Values []string
	Codes  []uint32
}

// At is record i's value.
func (d *Dict) At(i int) string { return d.Values[d.Codes[i]] }

// Len is the number of records.
func (d *Dict) Len() int { return len(d.Codes) }

// dictBuilder assigns codes while a column is built.
type dictBuilder struct {
	values []string
	index  map[string]uint32
}

func newDictBuilder() *dictBuilder { return &dictBuilder{index: map[string]uint32{}} }

// code returns the code of s, adding it when new.
func (b *dictBuilder) code(s string) uint32 {
	if c, ok := b.index[s]; ok {
		return c
	}
	c := uint32(len(b.values))
	b.values = append(b.values, s)
	b.index[s] = c
	return c
}

// packed returns the values copied into one allocation, so that a batch pins
// neither the decoded records' strings nor one heap object per value.
func (b *dictBuilder) packed() []string { return packStrings(b.values) }

func packStrings(values []string) []string {
	n := 0
	for _, v := range values {
		n += len(v)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, v := range values {
		sb.WriteString(v)
	}
	all := sb.String()
	out := make([]string, len(values))
	at := 0
	for i, v := range values {
		out[i] = all[at : at+len(v)]
		at += len(v)
	}
	return out
}
