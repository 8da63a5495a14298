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
