package fetch

import (
	"bytes"
	"encoding/gob"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// The encoding stored segments had before they were columns: gob records,
// compressed with zstd, inside the same frame. Kept to write stores as an
// older plugin did, which the current one must read as a miss.

var (
	oldZstdOnce sync.Once
	oldZstdEnc  *zstd.Encoder
	oldZstdDec  *zstd.Decoder
)

func oldCoders() (*zstd.Encoder, *zstd.Decoder) {
	oldZstdOnce.Do(func() {
		oldZstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
		oldZstdDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
	})
	return oldZstdEnc, oldZstdDec
}

// encodeRecords frames a segment's fragments, as one list in no particular
// order, for the lane and span b, as gob.
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
	enc, _ := oldCoders()
	return frame(b, schema, enc.EncodeAll(raw.Bytes(), make([]byte, 0, raw.Len()/4)))
}

// decodeRecords reverses encodeRecords.
func decodeRecords[T any](data []byte, schema uint32, want binding) ([]T, error) {
	body, err := unframe(data, schema, want)
	if err != nil {
		return nil, err
	}
	_, dec := oldCoders()
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
