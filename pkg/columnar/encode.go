package columnar

import (
	"encoding/binary"
)

// A batch's bytes, the same in the disk and Redis tiers (inside the frame that
// binds them to a lane and a span, in pkg/fetch):
//
//	format version (1 byte) | kind (1 byte: conversations or messages) |
//	uvarint length | plain columns |
//	uvarint length | zstd(uvarint length of strings | strings | numbers) |
//	text columns (each: uvarint blocks, then each block: uvarint length | zstd block)
//
// The plain columns are what no compressor shrinks much: the record count, the
// times (as gaps) and hex ids (as bytes); left out of zstd, they cost a reader
// nothing to decompress. The text blocks are stored as they are held in memory:
// a batch read from a tier decompresses only its columns, never its free text.

// FormatVersion is the first byte of a batch's bytes. The decoder reads only
// its own version: a change of layout bumps it, and what an older plugin
// stored is then a miss.
const FormatVersion = 1

const (
	kindConversations = 1
	kindMessages      = 2
)

// Encode returns the batch's bytes.
func (b *Conversations) Encode() []byte {
	var p, w writer
	p.uv(uint64(b.Len()))
	p.sortedTimes(b.Start)
	p.optionalTimes(&b.LastAction, b.Start)
	p.ids(&b.IDs, &w)
	w.dict(&b.Locale)
	w.lists(&b.Tags)
	w.counts(&b.UserMessages)
	w.uv(uint64(len(b.Meta)))
	for i := range b.Meta {
		w.meta(&b.Meta[i])
	}
	w.keySets(&b.Keys)
	return appendText(seal(kindConversations, &p, &w), &b.metadata)
}

// DecodeConversations reads a batch Encode wrote. Anything else (another
// version, messages, damaged bytes) is an error, never a wrong batch.
func DecodeConversations(data []byte) (*Conversations, error) {
	p, r, rest, err := open(kindConversations, data)
	if err != nil {
		return nil, err
	}
	n := p.count()
	b := &Conversations{}
	b.Start = p.sortedTimes(n)
	b.LastAction = p.optionalTimes(b.Start)
	b.IDs = p.ids(n, r)
	if err := p.done(); err != nil {
		return nil, err
	}
	b.Locale = r.dict(n)
	b.Tags = r.lists(n)
	b.UserMessages = r.counts(n)
	b.Meta = make([]MetaColumn, r.count())
	b.metaIdx = make(map[string]int, len(b.Meta))
	for i := range b.Meta {
		b.Meta[i] = r.meta(n)
		if _, dup := b.metaIdx[b.Meta[i].Key]; dup {
			r.fail()
		}
		b.metaIdx[b.Meta[i].Key] = i
	}
	b.Keys = r.keySets(n, len(b.Meta))
	if err := r.done(); err != nil {
		return nil, err
	}
	t := texts(rest)
	b.metadata = t.text(n)
	if err := t.done(); err != nil {
		return nil, err
	}
	return b, nil
}

// Encode returns the batch's bytes.
func (b *Messages) Encode() []byte {
	var p, w writer
	p.uv(uint64(b.Len()))
	p.sortedTimes(b.Time)
	w.dict(&b.Type)
	w.dict(&b.ConversationID)
	w.dict(&b.UserActionType)
	out := seal(kindMessages, &p, &w)
	out = appendText(out, &b.ids)
	out = appendText(out, &b.userInput)
	return appendText(out, &b.botText)
}

// DecodeMessages reads a batch Encode wrote. Anything else (another version,
// conversations, damaged bytes) is an error, never a wrong batch.
func DecodeMessages(data []byte) (*Messages, error) {
	p, r, rest, err := open(kindMessages, data)
	if err != nil {
		return nil, err
	}
	n := p.count()
	b := &Messages{}
	b.Time = p.sortedTimes(n)
	if err := p.done(); err != nil {
		return nil, err
	}
	b.Type = r.dict(n)
	b.ConversationID = r.dict(n)
	b.UserActionType = r.dict(n)
	if err := r.done(); err != nil {
		return nil, err
	}
	t := texts(rest)
	b.ids, b.userInput, b.botText = t.text(n), t.text(n), t.text(n)
	if err := t.done(); err != nil {
		return nil, err
	}
	return b, nil
}

// seal writes the header, the plain columns and the compressed ones.
func seal(kind byte, p, w *writer) []byte {
	raw := binary.AppendUvarint(make([]byte, 0, 10+len(w.strs)+len(w.nums)), uint64(len(w.strs)))
	raw = append(append(raw, w.strs...), w.nums...)
	packed := compress(raw)
	out := append(make([]byte, 0, 22+len(p.nums)+len(packed)), FormatVersion, kind)
	out = binary.AppendUvarint(out, uint64(len(p.nums)))
	out = append(out, p.nums...)
	out = binary.AppendUvarint(out, uint64(len(packed)))
	return append(out, packed...)
}

// open checks the header and returns readers of the plain and of the
// decompressed columns, and the text columns' bytes.
func open(kind byte, data []byte) (plain, packed *reader, text []byte, err error) {
	if len(data) < 2 || data[0] != FormatVersion || data[1] != kind {
		return nil, nil, nil, errFormat
	}
	h := reader{nums: data[2:]}
	plain = &reader{nums: h.bytes()}
	z := h.bytes()
	if h.err != nil {
		return nil, nil, nil, errFormat
	}
	raw, err := decompress(z)
	if err != nil {
		return nil, nil, nil, errFormat
	}
	packed = &reader{nums: raw}
	sl := packed.uv()
	if packed.err != nil || sl > uint64(len(packed.nums)) {
		return nil, nil, nil, errFormat
	}
	// One allocation holds every string of the batch.
	packed.strs, packed.nums = string(packed.nums[:sl]), packed.nums[sl:]
	return plain, packed, h.nums, nil
}

// texts reads the text columns from a private copy, so a batch held in memory
// pins its blocks and not the buffer it was read from.
func texts(rest []byte) *reader {
	return &reader{nums: append([]byte(nil), rest...)}
}
