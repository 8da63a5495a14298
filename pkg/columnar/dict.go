package columnar

// Dict is a dictionary-coded column: record i holds Values.At(Codes.At(i)).
// Codes are given in order of first appearance within the batch. In a batch
// Build made the values are distinct; a query maps codes to its groups by value,
// batch by batch, so its answer never depends on that.
type Dict struct {
	Values Strings
	Codes  Codes
}

// At is record i's value.
func (d *Dict) At(i int) string { return d.Values.At(int(d.Codes.At(i))) }

// Len is the number of records.
func (d *Dict) Len() int { return d.Codes.Len() }

// dictBuilder assigns codes while a column is built.
type dictBuilder struct {
	values []string
	index  map[string]uint32
	codes  []uint32
}

func newDictBuilder() *dictBuilder { return &dictBuilder{index: map[string]uint32{}} }

// add appends s's code, adding s to the dictionary when new.
func (b *dictBuilder) add(s string) { b.codes = append(b.codes, b.code(s)) }

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

// dict is the column built so far, in its compact form.
func (b *dictBuilder) dict() Dict {
	return Dict{Values: stringsOf(b.values), Codes: narrow(b.codes, len(b.values))}
}
