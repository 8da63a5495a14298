package fetch

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"hash/crc32"
	"reflect"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// The records of a stored segment are gob, compressed with zstd, inside a
// frame that binds them to their lane and span (frame.go).

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

// encodeRecords frames a segment's fragments, as one list in no particular
// order, for the lane and span b.
func encodeRecords[T any](frags [][]T, schema uint32, b binding) ([]byte, error) {
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
	return frame(b, schema, enc.EncodeAll(raw.Bytes(), make([]byte, 0, raw.Len()/4)))
}

// decodeRecords reverses encodeRecords, refusing any frame that does not check
// out or that was written for another lane or span than want.
func decodeRecords[T any](data []byte, schema uint32, want binding) ([]T, error) {
	body, err := unframe(data, schema, want)
	if err != nil {
		return nil, err
	}
	_, dec := coders()
	raw, err := dec.DecodeAll(body, nil)
	if err != nil {
		return nil, errFrame
	}
	var out []T
	if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&out); err != nil {
		return nil, errFrame
	}
	return out, nil
}
