package simulator

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/fnv"
)

// cursor is a position in one export: the hour being read, the index in that
// hour's records, and how many leading empty pages (a fault) are still to come.
// It is sent as standard base64 behind a prefix that always encodes to "+/+/", so
// a client that forgets to URL-encode it breaks at once rather than by chance.
type cursor struct {
	hour    int64
	index   int
	empties int
}

var cursorMagic = []byte{0xfb, 0xff, 0xbf}

func (c cursor) encode(fingerprint uint32) string {
	var b []byte
	b = append(b, cursorMagic...)
	b = binary.AppendVarint(b, c.hour)
	b = binary.AppendUvarint(b, uint64(c.index))
	b = binary.AppendUvarint(b, uint64(c.empties))
	b = binary.BigEndian.AppendUint32(b, fingerprint)
	return base64.StdEncoding.EncodeToString(b)
}

var errBadCursor = errors.New("invalid cursor")

func decodeCursor(s string, fingerprint uint32) (cursor, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !bytes.HasPrefix(b, cursorMagic) {
		return cursor{}, errBadCursor
	}
	b = b[len(cursorMagic):]
	hour, n := binary.Varint(b)
	if n <= 0 {
		return cursor{}, errBadCursor
	}
	b = b[n:]
	index, n := binary.Uvarint(b)
	if n <= 0 || index > 1<<20 {
		return cursor{}, errBadCursor
	}
	b = b[n:]
	empties, n := binary.Uvarint(b)
	if n <= 0 || empties > 1<<20 {
		return cursor{}, errBadCursor
	}
	b = b[n:]
	if len(b) != 4 || binary.BigEndian.Uint32(b) != fingerprint {
		return cursor{}, errBadCursor
	}
	return cursor{hour: hour, index: int(index), empties: int(empties)}, nil
}

// queryFingerprint ties a cursor to the export it came from: reusing it with other
// parameters is a client bug the simulator reports.
func queryFingerprint(parts ...string) uint32 {
	h := fnv.New32a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return h.Sum32()
}
