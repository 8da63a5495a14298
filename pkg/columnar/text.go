package columnar

import (
	"encoding/binary"
	"errors"
)

// blockRecords is how many records' text one block holds: a table of the newest
// rows decompresses one or two blocks, not the segment's.
const blockRecords = 512

// errBlock marks a text block that does not decode; the batch it belongs to is
// damaged and must be read again.
var errBlock = errors.New("columnar: damaged text block")

// textColumn is one free-text field in zstd blocks of blockRecords records. A
// block is the records' lengths (uvarint, length+1; 0 for an absent value) then
// their bytes, compressed.
type textColumn struct {
	n      int
	blocks [][]byte
}

// buildText compresses n values given by at (present false: the value is absent, as nil metadata).
func buildText(n int, at func(i int) (string, bool)) textColumn {
	t := textColumn{n: n}
	var raw, body []byte
	for from := 0; from < n; from += blockRecords {
		raw, body = raw[:0], body[:0]
		for i := from; i < min(n, from+blockRecords); i++ {
			s, ok := at(i)
			if !ok {
				raw = binary.AppendUvarint(raw, 0)
				continue
			}
			raw = binary.AppendUvarint(raw, uint64(len(s))+1)
			body = append(body, s...)
		}
		t.blocks = append(t.blocks, compress(append(raw, body...)))
	}
	return t
}

// block decodes block b: each record's text, and whether it is present.
func (t *textColumn) block(b int) (texts []string, present []bool, err error) {
	if b < 0 || b >= len(t.blocks) {
		return nil, nil, errBlock
	}
	raw, err := decompress(t.blocks[b])
	if err != nil {
		return nil, nil, errBlock
	}
	count := min(blockRecords, t.n-b*blockRecords)
	lens := make([]uint64, count)
	at := 0
	total := uint64(0)
	for i := range lens {
		v, k := binary.Uvarint(raw[at:])
		if k <= 0 || v > uint64(len(raw))+1 {
			return nil, nil, errBlock
		}
		lens[i], at = v, at+k
		if v > 0 {
			total += v - 1
		}
	}
	if total != uint64(len(raw)-at) {
		return nil, nil, errBlock
	}
	all := string(raw[at:])
	texts, present = make([]string, count), make([]bool, count)
	pos := 0
	for i, l := range lens {
		if l == 0 {
			continue
		}
		texts[i], present[i] = all[pos:pos+int(l-1)], true
		pos += int(l - 1)
	}
	return texts, present, nil
}

// at decodes record i's text: for one record; a table reads whole blocks.
func (t *textColumn) at(i int) (string, bool, error) {
	texts, present, err := t.block(i / blockRecords)
	if err != nil {
		return "", false, err
	}
	return texts[i%blockRecords], present[i%blockRecords], nil
}

func (t *textColumn) size() int {
	n := 24 * len(t.blocks)
	for _, b := range t.blocks {
		n += cap(b)
	}
	return n
}
