package columnar

import "encoding/binary"

// Codes is a column of dictionary codes, each as wide as its dictionary needs:
// 1, 2 or 4 bytes, little-endian. A batch of a few hundred records mostly needs
// one byte a code, in memory and on disk alike.
type Codes struct {
	width int
	b     []byte
}

// widthFor is the narrowest width that holds codes below limit.
func widthFor(limit int) int {
	switch {
	case limit <= 1<<8:
		return 1
	case limit <= 1<<16:
		return 2
	}
	return 4
}

// narrow packs codes, all below limit.
func narrow(codes []uint32, limit int) Codes {
	c := Codes{width: widthFor(limit), b: make([]byte, 0, len(codes)*widthFor(limit))}
	for _, v := range codes {
		switch c.width {
		case 1:
			c.b = append(c.b, byte(v))
		case 2:
			c.b = binary.LittleEndian.AppendUint16(c.b, uint16(v))
		default:
			c.b = binary.LittleEndian.AppendUint32(c.b, v)
		}
	}
	return c
}

// narrowAll packs values of any size (offsets, counts).
func narrowAll(values []uint32) Codes {
	limit := uint32(0)
	for _, v := range values {
		limit = max(limit, v)
	}
	return narrow(values, int(limit)+1)
}

// Len is the number of codes.
func (c Codes) Len() int {
	if c.width == 0 {
		return 0
	}
	return len(c.b) / c.width
}

// At is code i.
func (c Codes) At(i int) uint32 {
	switch c.width {
	case 1:
		return uint32(c.b[i])
	case 2:
		return uint32(binary.LittleEndian.Uint16(c.b[2*i:]))
	}
	return binary.LittleEndian.Uint32(c.b[4*i:])
}

// Widen returns the codes as uint32s in buf (grown as needed): an aggregation
// widens a batch's column once, then loops over plain integers.
func (c Codes) Widen(buf []uint32) []uint32 {
	n := c.Len()
	if cap(buf) < n {
		buf = make([]uint32, n)
	}
	buf = buf[:n]
	switch c.width {
	case 1:
		for i, v := range c.b {
			buf[i] = uint32(v)
		}
	case 2:
		for i := range buf {
			buf[i] = uint32(binary.LittleEndian.Uint16(c.b[2*i:]))
		}
	default:
		for i := range buf {
			buf[i] = binary.LittleEndian.Uint32(c.b[4*i:])
		}
	}
	return buf
}

// Slice is codes [from, to).
func (c Codes) Slice(from, to int) Codes {
	return Codes{width: c.width, b: c.b[from*c.width : to*c.width]}
}

// Contains reports whether code v occurs.
func (c Codes) Contains(v uint32) bool {
	for i := range c.Len() {
		if c.At(i) == v {
			return true
		}
	}
	return false
}

// below reports whether every code is below limit, a loop per width: a
// decoder checks every code of a batch.
func (c Codes) below(limit int) bool {
	if limit > 1<<(8*c.width)-1 && c.width < 4 {
		return true
	}
	switch c.width {
	case 1:
		for _, v := range c.b {
			if int(v) >= limit {
				return false
			}
		}
	case 2:
		for i := 0; i+1 < len(c.b); i += 2 {
			if int(binary.LittleEndian.Uint16(c.b[i:])) >= limit {
				return false
			}
		}
	default:
		for i := 0; i+3 < len(c.b); i += 4 {
			if int64(binary.LittleEndian.Uint32(c.b[i:])) >= int64(limit) {
				return false
			}
		}
	}
	return true
}
