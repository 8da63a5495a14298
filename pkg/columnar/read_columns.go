package columnar

// Widen returns the counts as uint32s in buf (grown as needed), 0 where a
// record has none: an aggregation widens a batch's column once.
func (c *Counts) Widen(buf []uint32) []uint32 { return c.values.Widen(buf) }

// Widen returns record codes [0, n) of a batch of n records in buf (grown as
// needed), Absent where a record lacks the key: a sparse column is spread once
// per batch rather than searched per record.
func (m *MetaColumn) Widen(n int, buf []uint32) []uint32 {
	if !m.sparse {
		return m.Codes.Widen(buf)
	}
	if cap(buf) < n {
		buf = make([]uint32, n)
	}
	buf = buf[:n]
	clear(buf)
	for j, r := range m.Rows {
		buf[r] = m.Codes.At(j)
	}
	return buf
}

// The reserved values of OptionalTimes.Nanos: NoTime is a record without the
// instant, OtherTime one that At reads from beside the column.
const (
	NoTime    = noTime
	OtherTime = otherTime
)
