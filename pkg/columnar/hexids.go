package columnar

import "encoding/hex"

// IDs are a batch's conversation ids. Ids like the API's are lowercase hex:
// random, so no compressor shrinks them, but as bytes they take half the room.
// A batch whose ids are all lowercase hex of one even length keeps them as
// bytes, in memory and on disk; any other batch keeps them as text.
type IDs struct {
	width  int // bytes per id when packed; 0: text
	packed []byte
	text   Strings
}

func buildIDs(n int, at func(i int) string) IDs {
	text := buildStrings(n, at)
	width := hexWidth(&text)
	if width == 0 {
		return IDs{text: text}
	}
	ids := IDs{width: width, packed: make([]byte, 0, n*width)}
	for i := range n {
		// hexWidth checked every byte: decoding cannot fail.
		ids.packed, _ = hex.AppendDecode(ids.packed, []byte(text.At(i)))
	}
	return ids
}

// Len is the number of ids.
func (s *IDs) Len() int {
	if s.width == 0 {
		return s.text.Len()
	}
	return len(s.packed) / s.width
}

// At is id i. A packed id is made into text, so a loop over many (a join's
// index) uses Append.
func (s *IDs) At(i int) string {
	if s.width == 0 {
		return s.text.At(i)
	}
	return hex.EncodeToString(s.packed[i*s.width : (i+1)*s.width])
}

// Append appends id i's text to dst.
func (s *IDs) Append(dst []byte, i int) []byte {
	if s.width == 0 {
		return append(dst, s.text.At(i)...)
	}
	return hex.AppendEncode(dst, s.packed[i*s.width:(i+1)*s.width])
}

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

// ids writes the width to the plain stream, then packed ids there too or text ids to the compressed one.
func (p *writer) ids(s *IDs, w *writer) {
	p.uv(uint64(s.width))
	if s.width > 0 {
		p.nums = append(p.nums, s.packed...)
		return
	}
	w.strings(&s.text)
}

// ids reads n ids that writer.ids wrote.
func (p *reader) ids(n int, r *reader) IDs {
	s := IDs{width: int(p.uv())}
	if s.width == 0 {
		if s.text = r.stringsCol(); s.text.Len() != n {
			r.fail()
		}
		return s
	}
	if n == 0 || s.width < 0 || s.width > len(p.nums) || uint64(n)*uint64(s.width) > uint64(len(p.nums)) {
		p.fail()
		return IDs{text: Strings{offsets: make([]uint32, n+1)}}
	}
	s.packed = append([]byte(nil), p.nums[:n*s.width]...)
	p.nums = p.nums[n*s.width:]
	return s
}
