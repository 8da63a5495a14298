package columnar

import "encoding/hex"

// Ids like the API's are lowercase hex: random, so no compressor shrinks them,
// but as bytes they take half the room. A batch whose ids are all lowercase hex
// of one even length stores them as bytes; any other batch stores them as text.

// hexWidth is the byte length of every id of s when each is lowercase hex of
// the same even length, else 0.
func hexWidth(s *Strings) int {
	if s.Len() == 0 {
		return 0
	}
	width := len(s.At(0))
	if width == 0 || width%2 != 0 {
		return 0
	}
	for i := range s.Len() {
		id := s.At(i)
		if len(id) != width {
			return 0
		}
		for j := range len(id) {
			if c := id[j]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return 0
			}
		}
	}
	return width / 2
}

// hexIDs writes ids hexWidth accepted, as bytes.
func (w *writer) hexIDs(s *Strings) {
	for i := range s.Len() {
		// hexWidth checked every byte: decoding cannot fail.
		w.nums, _ = hex.AppendDecode(w.nums, []byte(s.At(i)))
	}
}

// hexIDs reads n ids of width bytes each back into their text.
func (r *reader) hexIDs(n, width int) Strings {
	if uint64(n)*uint64(width) > uint64(len(r.nums)) {
		r.fail()
		return Strings{offsets: make([]uint32, n+1)}
	}
	raw := r.nums[:n*width]
	r.nums = r.nums[n*width:]
	s := Strings{all: hex.EncodeToString(raw), offsets: make([]uint32, n+1)}
	for i := range n {
		s.offsets[i+1] = uint32((i + 1) * 2 * width)
	}
	return s
}
