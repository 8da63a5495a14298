package columnar

import (
	"encoding/binary"
	"errors"
)

// errFormat marks bytes that are not a batch of this format version; a caller
// treats it as a miss.
var errFormat = errors.New("columnar: not a valid batch of this format version")

// writer lays out a batch's columns as two streams: every string's bytes back to
// back, and the numbers (lengths, codes, deltas) as varints. Apart, the decoder
// makes all of a batch's strings from one allocation.
type writer struct {
	strs []byte
	nums []byte
}

func (w *writer) uv(v uint64) { w.nums = binary.AppendUvarint(w.nums, v) }

func (w *writer) sv(v int64) { w.nums = binary.AppendVarint(w.nums, v) }

func (w *writer) str(s string) {
	w.uv(uint64(len(s)))
	w.strs = append(w.strs, s...)
}

// reader reads what writer wrote, checking every length against what is left;
// the first fault sticks and every later read returns zero values.
type reader struct {
	strs string
	nums []byte
	err  error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errFormat
	}
	r.nums = nil
}

func (r *reader) uv() uint64 {
	if len(r.nums) > 0 && r.nums[0] < 0x80 {
		// Most numbers (lengths, counts, small gaps) take one byte.
		v := r.nums[0]
		r.nums = r.nums[1:]
		return uint64(v)
	}
	v, n := binary.Uvarint(r.nums)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.nums = r.nums[n:]
	return v
}

func (r *reader) sv() int64 {
	v, n := binary.Varint(r.nums)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.nums = r.nums[n:]
	return v
}

// count reads a number of items that each take at least one more byte, so a
// forged count cannot make the reader allocate more than the input holds.
func (r *reader) count() int {
	v := r.uv()
	if v > uint64(len(r.nums)) {
		r.fail()
		return 0
	}
	return int(v)
}

// below reads a value that must be less than limit (a code, an index).
func (r *reader) below(limit int) uint32 {
	v := r.uv()
	if v >= uint64(limit) {
		r.fail()
		return 0
	}
	return uint32(v)
}

func (r *reader) str() string {
	v := r.uv()
	if v > uint64(len(r.strs)) {
		r.fail()
		return ""
	}
	s := r.strs[:v]
	r.strs = r.strs[v:]
	return s
}

// bytes reads a length-prefixed run of the numbers stream (a compressed block).
func (r *reader) bytes() []byte {
	v := r.uv()
	if v > uint64(len(r.nums)) {
		r.fail()
		return nil
	}
	b := r.nums[:v:v]
	r.nums = r.nums[v:]
	return b
}

// done checks that every byte was read.
func (r *reader) done() error {
	if r.err == nil && (len(r.nums) != 0 || len(r.strs) != 0) {
		r.err = errFormat
	}
	return r.err
}
