package fetch

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
	"time"
)

// TestAnOldFrameIsAMiss: a value of format version 1 (no binding) is refused,
// never decoded as if it were bound to the span a tier reports for it.
func TestAnOldFrameIsAMiss(t *testing.T) {
	schema := schemaFor[int]()
	b := binding{lane: "00112233445566778899aabbccddeeff", from: time.Unix(3600, 0).UTC(), to: time.Unix(7200, 0).UTC()}
	data, err := encodeRecords([][]int{{1, 2, 3}}, schema, b)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeRecords[int](data, schema, b); err != nil || len(got) != 3 {
		t.Fatalf("the current frame: %v, %v", got, err)
	}
	// Version 1 framed the records alone: magic, version, schema, CRC, records.
	body := data[frameHeader+1+len(b.lane)+24:]
	old := append([]byte(frameMagic+"\x01"), make([]byte, 8)...)
	binary.BigEndian.PutUint32(old[4:8], schema)
	old = append(old, body...)
	binary.BigEndian.PutUint32(old[8:12], crc32.Checksum(old[frameHeader:], castagnoli))
	if _, err := decodeRecords[int](old, schema, b); !errors.Is(err, errFrame) {
		t.Fatalf("a version 1 frame: %v", err)
	}
	for name, other := range map[string]binding{
		"lane":    {lane: "ffffffffffffffffffffffffffffffff", from: b.from, to: b.to},
		"from":    {lane: b.lane, from: b.from.Add(-time.Nanosecond), to: b.to},
		"to":      {lane: b.lane, from: b.from, to: b.to.Add(time.Hour)},
		"expires": {lane: b.lane, from: b.from, to: b.to, expires: b.to},
	} {
		if _, err := decodeRecords[int](data, schema, other); !errors.Is(err, errBinding) {
			t.Errorf("another %s: %v", name, err)
		}
	}
}
