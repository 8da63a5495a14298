package fetch

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"reflect"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// A stored segment is framed so that a reader can tell a whole, current value
// from anything else: a damaged file, a value written by another version of the
// plugin, or records of a type whose fields have changed since. Anything that
// does not check out is a miss, never a wrong number.
//
//	magic "AGX" | format version (1 byte) | schema (4 bytes) | CRC-32C of the rest (4 bytes) | zstd(gob([]T))
const (
	frameMagic   = "AGX"
	frameVersion = 1
	frameHeader  = len(frameMagic) + 1 + 4 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errFrame marks a stored value that cannot be used.
var errFrame = errors.New("stored segment is damaged or from another version")

// schemaOf fingerprints a record type's fields, so that records written before a
// field was added, removed or retyped are never decoded into the new type.
func schemaOf(t reflect.Type) uint32 {
	h := crc32.New(castagnoli)
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		fmt.Fprintf(h, "%s/%s;", t.Kind(), t.String())
		if t.Kind() == reflect.Struct {
			for i := range t.NumField() {
				f := t.Field(i)
				fmt.Fprintf(h, "%s:", f.Name)
				walk(f.Type)
			}
		}
	}
	walk(t)
	return h.Sum32()
}

// zstd coders are safe for concurrent use and costly to create: one of each per process.
var (
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
)

func coders() (*zstd.Encoder, *zstd.Decoder) {
	zstdOnce.Do(func() {
		zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
		zstdDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
	})
	return zstdEnc, zstdDec
}

// encodeRecords frames a segment's fragments as one sorted-by-nothing list.
func encodeRecords[T any](frags [][]T, schema uint32) ([]byte, error) {
	var n int
	for _, f := range frags {
		n += len(f)
	}
	flat := make([]T, 0, n)
	for _, f := range frags {
		flat = append(flat, f...)
	}
	var raw bytes.Buffer
	if err := gob.NewEncoder(&raw).Encode(flat); err != nil {
		return nil, err
	}
	enc, _ := coders()
	out := make([]byte, frameHeader, frameHeader+raw.Len()/4)
	copy(out, frameMagic)
	out[3] = frameVersion
	binary.BigEndian.PutUint32(out[4:8], schema)
	out = enc.EncodeAll(raw.Bytes(), out)
	binary.BigEndian.PutUint32(out[8:12], crc32.Checksum(out[frameHeader:], castagnoli))
	return out, nil
}

// decodeRecords reverses encodeRecords, refusing any frame that does not check out.
func decodeRecords[T any](b []byte, schema uint32) ([]T, error) {
	if len(b) < frameHeader || string(b[:3]) != frameMagic || b[3] != frameVersion ||
		binary.BigEndian.Uint32(b[4:8]) != schema ||
		binary.BigEndian.Uint32(b[8:12]) != crc32.Checksum(b[frameHeader:], castagnoli) {
		return nil, errFrame
	}
	_, dec := coders()
	raw, err := dec.DecodeAll(b[frameHeader:], nil)
	if err != nil {
		return nil, errFrame
	}
	var out []T
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&out); err != nil {
		return nil, errFrame
	}
	return out, nil
}
