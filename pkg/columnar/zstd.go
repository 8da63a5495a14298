package columnar

import (
	"sync"

	"github.com/klauspost/compress/zstd"
)

// zstd coders are safe for concurrent use and costly to create: one of each per
// process. Blocks are compressed once, when a page is read, and decompressed on
// every query that shows them, so the encoder may spend more to save bytes.
var (
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
)

// maxDecoded bounds what one zstd frame may expand to: far above any segment, far
// below what a forged frame could make a reader allocate.
const maxDecoded = 256 << 20

func coders() (*zstd.Encoder, *zstd.Decoder) {
	zstdOnce.Do(func() {
		zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression), zstd.WithEncoderConcurrency(1))
		zstdDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxDecoded))
	})
	return zstdEnc, zstdDec
}

// compress returns raw compressed, in a slice of its own size: a batch keeps its
// blocks for as long as it is cached.
func compress(raw []byte) []byte {
	enc, _ := coders()
	out := enc.EncodeAll(raw, make([]byte, 0, len(raw)/2+64))
	return append(make([]byte, 0, len(out)), out...)
}

func decompress(b []byte) ([]byte, error) {
	_, dec := coders()
	return dec.DecodeAll(b, nil)
}
