package columnar

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func sampleBytes(t testing.TB) (conversations, messages []byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	c, err := BuildConversations(randConversations(rng, 40))
	if err != nil {
		t.Fatal(err)
	}
	m, err := BuildMessages(randMessages(rng, 40))
	if err != nil {
		t.Fatal(err)
	}
	return c.Encode(), m.Encode()
}

func TestEncodingIsDeterministic(t *testing.T) {
	c1, m1 := sampleBytes(t)
	c2, m2 := sampleBytes(t)
	if !bytes.Equal(c1, c2) || !bytes.Equal(m1, m2) {
		t.Fatal("the same records encoded to different bytes")
	}
}

func TestAnotherVersionOrKindIsAnError(t *testing.T) {
	conv, msgs := sampleBytes(t)
	for name, data := range map[string][]byte{
		"next version":  append([]byte{FormatVersion + 1}, conv[1:]...),
		"version 0":     append([]byte{0}, conv[1:]...),
		"messages kind": msgs,
		"empty":         nil,
		"header only":   conv[:2],
		"truncated":     conv[:len(conv)-1],
		"extra byte":    append(bytes.Clone(conv), 0),
	} {
		if _, err := DecodeConversations(data); err == nil {
			t.Errorf("%s: decoded as conversations", name)
		}
	}
	for name, data := range map[string][]byte{
		"next version":       append([]byte{FormatVersion + 1}, msgs[1:]...),
		"conversations kind": conv,
		"truncated":          msgs[:len(msgs)-1],
	} {
		if _, err := DecodeMessages(data); err == nil {
			t.Errorf("%s: decoded as messages", name)
		}
	}
}

// FuzzDecode feeds arbitrary bytes (seeded with real batches and their
// truncations) to both decoders: an error is fine, a panic or a batch whose
// accessors fault is not.
func FuzzDecode(f *testing.F) {
	conv, msgs := sampleBytes(f)
	for _, seed := range [][]byte{conv, msgs, conv[:len(conv)/2], msgs[:20], {FormatVersion, kindConversations, 0}, {FormatVersion, kindMessages}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if b, err := DecodeConversations(data); err == nil {
			_, _ = b.Records()
			for i := range b.Len() {
				_ = b.MetadataKeys(i)
				for j := range b.Meta {
					_, _ = b.Meta[j].Text(i)
				}
			}
		}
		if b, err := DecodeMessages(data); err == nil {
			_, _ = b.Records()
		}
	})
}

// split returns a batch's plain columns, its columns before compression and its text columns.
func split(t testing.TB, data []byte) (plain, raw, text []byte) {
	h := reader{nums: data[2:]}
	plain = h.bytes()
	raw, err := decompress(h.bytes())
	if err != nil || h.err != nil {
		t.Fatal("cannot split a batch")
	}
	return plain, raw, h.nums
}

// FuzzDecodeColumns mutates the columns behind the compression, where the
// decoder's own checks stand alone.
func FuzzDecodeColumns(f *testing.F) {
	conv, msgs := sampleBytes(f)
	for _, data := range [][]byte{conv, msgs} {
		plain, raw, text := split(f, data)
		f.Add(data[1], plain, raw, text)
	}
	f.Fuzz(func(t *testing.T, kind byte, plain, raw, text []byte) {
		packed := compress(raw)
		data := binary.AppendUvarint([]byte{FormatVersion, kind}, uint64(len(plain)))
		data = append(data, plain...)
		data = binary.AppendUvarint(data, uint64(len(packed)))
		data = append(append(data, packed...), text...)
		if b, err := DecodeConversations(data); err == nil {
			_, _ = b.Records()
			for i := range b.Len() {
				_ = b.MetadataKeys(i)
				_ = b.LastAction.At(i)
				for j := range b.Meta {
					_, _ = b.Meta[j].Text(i)
				}
			}
		}
		if b, err := DecodeMessages(data); err == nil {
			_, _ = b.Records()
		}
	})
}
