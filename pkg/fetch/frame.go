package fetch

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"time"
)

// A stored segment is framed so that a reader can tell a whole, current value
// from anything else: a damaged file, a value written by another version of the
// plugin, records of a type whose fields have changed since, or a value that a
// tier files under another lane or span than the one it was written for. The
// checksum covers the lane, the span and the expiry as well as the records, and
// the reader compares them with what the tier reports: a tier keeps them in its
// own keys and headers (a bbolt key, a Redis member's name), where one flipped
// bit would otherwise stretch a segment over time it does not hold. Anything
// that does not check out is a miss, never a wrong number.
//
//	magic "AGX" | format version (1 byte) | schema (4 bytes) | CRC-32C of the rest (4 bytes) |
//	lane length (1 byte) | lane | from, to, expires (8 bytes each, Unix ns; expires 0: final) | records
//
// The binding lives here, apart from the records' encoding (codec.go), so that
// either can change without the other.
const (
	frameMagic   = "AGX"
	frameVersion = 2
	frameHeader  = len(frameMagic) + 1 + 4 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errFrame marks a stored value that cannot be used.
var errFrame = errors.New("stored segment is damaged or from another version")

// errBinding marks a whole value that a tier reports under another lane, span or expiry.
var errBinding = errors.New("stored segment does not match the lane, span or expiry it is stored under")

// binding is what a frame is for: its lane, its span and when it expires (zero: final).
type binding struct {
	lane              string
	from, to, expires time.Time
}

func bindingOf(lane string, st Stored) binding {
	return binding{lane: lane, from: st.From, to: st.To, expires: st.Expires}
}

func (b binding) equal(o binding) bool {
	return b.lane == o.lane && b.from.Equal(o.from) && b.to.Equal(o.to) && unixNanos(b.expires) == unixNanos(o.expires)
}

// unixNanos writes an instant; the zero time (final, never expires) is 0.
func unixNanos(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixNano())
}

func fromNanos(n uint64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(n)).UTC()
}

// frame puts the header and the binding before the encoded records body.
func frame(b binding, schema uint32, body []byte) ([]byte, error) {
	if len(b.lane) > 255 {
		return nil, errors.New("lane name longer than 255 bytes")
	}
	out := make([]byte, frameHeader, frameHeader+1+len(b.lane)+24+len(body))
	copy(out, frameMagic)
	out[3] = frameVersion
	binary.BigEndian.PutUint32(out[4:8], schema)
	out = append(out, byte(len(b.lane)))
	out = append(out, b.lane...)
	out = binary.BigEndian.AppendUint64(out, unixNanos(b.from))
	out = binary.BigEndian.AppendUint64(out, unixNanos(b.to))
	out = binary.BigEndian.AppendUint64(out, unixNanos(b.expires))
	out = append(out, body...)
	binary.BigEndian.PutUint32(out[8:12], crc32.Checksum(out[frameHeader:], castagnoli))
	return out, nil
}

// unframe checks a frame and returns its records body. A frame that is not
// whole and current is errFrame; a whole one written for another lane, span or
// expiry than want is errBinding.
func unframe(data []byte, schema uint32, want binding) ([]byte, error) {
	if len(data) < frameHeader+1 || string(data[:3]) != frameMagic || data[3] != frameVersion ||
		binary.BigEndian.Uint32(data[4:8]) != schema ||
		binary.BigEndian.Uint32(data[8:12]) != crc32.Checksum(data[frameHeader:], castagnoli) {
		return nil, errFrame
	}
	rest := data[frameHeader:]
	n := int(rest[0])
	if len(rest) < 1+n+24 {
		return nil, errFrame
	}
	got := binding{lane: string(rest[1 : 1+n])}
	times := rest[1+n:]
	got.from = fromNanos(binary.BigEndian.Uint64(times[0:8]))
	got.to = fromNanos(binary.BigEndian.Uint64(times[8:16]))
	got.expires = fromNanos(binary.BigEndian.Uint64(times[16:24]))
	if !got.equal(want) {
		return nil, errBinding
	}
	return times[24:], nil
}
