package columnar

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// The candidate the format was measured against (docs/fetch.md, "Segment
// format"): the same columns as Apache Arrow IPC, with zstd body compression
// and dictionary arrays (tags as a list of dictionary, metadata keys as
// dictionaries with nulls for absent values, the count with Arrow's validity
// bitmap), and the same zstd text blocks as a binary column of a second,
// uncompressed stream, so that free text stays compressed in memory as it does
// in the chosen format.

var alloc = memory.DefaultAllocator

func arrowStrings(s *Strings) arrow.ArrayData {
	offsets := make([]byte, 0, 4*len(s.offsets))
	for _, o := range s.offsets {
		offsets = binary.LittleEndian.AppendUint32(offsets, o)
	}
	return array.NewData(arrow.BinaryTypes.String, s.Len(), []*memory.Buffer{nil, memory.NewBufferBytes(offsets), memory.NewBufferBytes([]byte(s.all))}, nil, 0, 0)
}

func fromArrowStrings(a arrow.Array) Strings {
	sa := a.(*array.String)
	offs := sa.ValueOffsets()
	s := Strings{all: string(sa.ValueBytes()), offsets: make([]uint32, len(offs))}
	for i, o := range offs {
		s.offsets[i] = uint32(o - offs[0])
	}
	return s
}

var indexTypes = map[int]arrow.DataType{1: arrow.PrimitiveTypes.Uint8, 2: arrow.PrimitiveTypes.Uint16, 4: arrow.PrimitiveTypes.Uint32}

func dictType(width int) *arrow.DictionaryType {
	return &arrow.DictionaryType{IndexType: indexTypes[width], ValueType: arrow.BinaryTypes.String}
}

// arrowDict is a dictionary array; absent, when set, makes code 0 a null.
func arrowDict(values *Strings, codes Codes, absent bool) arrow.Array {
	var validity *memory.Buffer
	nulls := 0
	if absent {
		bits := make([]byte, (codes.Len()+7)/8)
		for i := range codes.Len() {
			if codes.At(i) != Absent {
				bits[i/8] |= 1 << (i % 8)
			} else {
				nulls++
			}
		}
		validity = memory.NewBufferBytes(bits)
	}
	idx := array.MakeFromData(array.NewData(indexTypes[codes.width], codes.Len(), []*memory.Buffer{validity, memory.NewBufferBytes(codes.b)}, nil, nulls, 0))
	dict := array.MakeFromData(arrowStrings(values))
	return array.NewDictionaryArray(dictType(codes.width), idx, dict)
}

func fromArrowDict(a arrow.Array) (Strings, Codes) {
	d := a.(*array.Dictionary)
	idx := d.Indices()
	width := idx.DataType().(arrow.FixedWidthDataType).BitWidth() / 8
	raw := idx.Data().Buffers()[1].Bytes()[idx.Data().Offset()*width:][:idx.Len()*width]
	return fromArrowStrings(d.Dictionary()), Codes{width: width, b: raw}
}

func arrowUint32s(vs []uint32, valid []uint64) arrow.Array {
	b := make([]byte, 0, 4*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	bits := make([]byte, 0, 8*len(valid))
	for _, w := range valid {
		bits = binary.LittleEndian.AppendUint64(bits, w)
	}
	var vb *memory.Buffer
	nulls := 0
	if valid != nil {
		vb = memory.NewBufferBytes(bits)
		c := Counts{valid: valid}
		nulls = len(vs) - c.ValidCount()
	}
	return array.MakeFromData(array.NewData(arrow.PrimitiveTypes.Uint32, len(vs), []*memory.Buffer{vb, memory.NewBufferBytes(b)}, nil, nulls, 0))
}

func widen(c Codes) []uint32 {
	out := make([]uint32, c.Len())
	for i := range out {
		out[i] = c.At(i)
	}
	return out
}

func arrowInt64s(vs []int64) arrow.Array {
	b := make([]byte, 0, 8*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	return array.MakeFromData(array.NewData(arrow.PrimitiveTypes.Int64, len(vs), []*memory.Buffer{nil, memory.NewBufferBytes(b)}, nil, 0, 0))
}

func arrowBlocks(t *textColumn) arrow.Array {
	bb := array.NewBinaryBuilder(alloc, arrow.BinaryTypes.Binary)
	for _, b := range t.blocks {
		bb.Append(b)
	}
	return bb.NewArray()
}

// writeStream writes one record batch as an IPC stream, length-prefixed.
func writeStream(out []byte, cols []arrow.Array, fields []arrow.Field, meta arrow.Metadata, n int, opts ...ipc.Option) []byte {
	schema := arrow.NewSchema(fields, &meta)
	rec := array.NewRecordBatch(schema, cols, int64(n))
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, append(opts, ipc.WithSchema(schema), ipc.WithAllocator(alloc))...)
	if err := w.Write(rec); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	out = binary.AppendUvarint(out, uint64(buf.Len()))
	return append(out, buf.Bytes()...)
}

// readStream reads one length-prefixed stream's record batch.
func readStream(data []byte) (arrow.RecordBatch, []byte, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 || n > uint64(len(data)-k) {
		return nil, nil, errFormat
	}
	r, err := ipc.NewReader(bytes.NewReader(data[k:k+int(n)]), ipc.WithAllocator(alloc))
	if err != nil {
		return nil, nil, err
	}
	defer r.Release()
	if !r.Next() {
		if r.Err() != nil && !errors.Is(r.Err(), io.EOF) {
			return nil, nil, r.Err()
		}
		return nil, nil, errFormat
	}
	rec := r.RecordBatch()
	rec.Retain()
	return rec, data[k+int(n):], nil
}

// Hex ids are fixed-size binary, as Arrow would hold them.
func idType(s *IDs) arrow.DataType {
	if s.width > 0 {
		return &arrow.FixedSizeBinaryType{ByteWidth: s.width}
	}
	return arrow.BinaryTypes.String
}

func arrowIDs(s *IDs) arrow.Array {
	if s.width == 0 {
		return array.MakeFromData(arrowStrings(&s.text))
	}
	return array.MakeFromData(array.NewData(idType(s), s.Len(), []*memory.Buffer{nil, memory.NewBufferBytes(s.packed)}, nil, 0, 0))
}

func fromArrowIDs(a arrow.Array) IDs {
	if f, ok := a.(*array.FixedSizeBinary); ok {
		w := f.DataType().(*arrow.FixedSizeBinaryType).ByteWidth
		return IDs{width: w, packed: f.Data().Buffers()[1].Bytes()[f.Data().Offset()*w:][:f.Len()*w]}
	}
	return IDs{text: fromArrowStrings(a)}
}

func arrowConversations(b *Conversations) []byte {
	n := b.Len()
	if len(b.LastAction.others) > 0 {
		panic("the Arrow candidate keeps no exceptions")
	}
	tagsDict := arrowDict(&b.Tags.Values, b.Tags.Codes, false)
	offsets := make([]byte, 0, 4*b.Tags.Offsets.Len())
	for i := range b.Tags.Offsets.Len() {
		offsets = binary.LittleEndian.AppendUint32(offsets, b.Tags.Offsets.At(i))
	}
	tags := array.NewListData(array.NewData(arrow.ListOf(tagsDict.DataType()), n, []*memory.Buffer{nil, memory.NewBufferBytes(offsets)}, []arrow.ArrayData{tagsDict.Data()}, 0, 0))
	fields := []arrow.Field{
		{Name: "start", Type: arrow.PrimitiveTypes.Int64},
		{Name: "lastAction", Type: arrow.PrimitiveTypes.Int64},
		{Name: "id", Type: idType(&b.IDs)},
		{Name: "locale", Type: dictType(b.Locale.Codes.width)},
		{Name: "tags", Type: tags.DataType()},
		{Name: "userMessageCount", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "keys", Type: indexTypes[b.Keys.Codes.width]},
	}
	cols := []arrow.Array{arrowInt64s(b.Start), arrowInt64s(b.LastAction.Nanos), arrowIDs(&b.IDs),
		arrowDict(&b.Locale.Values, b.Locale.Codes, false), tags, arrowUint32s(widen(b.UserMessages.values), b.UserMessages.valid),
		array.MakeFromData(array.NewData(indexTypes[b.Keys.Codes.width], n, []*memory.Buffer{nil, memory.NewBufferBytes(b.Keys.Codes.b)}, nil, 0, 0))}
	for i := range b.Meta {
		m := &b.Meta[i]
		codes := m.Codes
		if m.sparse {
			dense := make([]uint32, n)
			for j, r := range m.Rows {
				dense[r] = m.Codes.At(j)
			}
			codes = narrow(dense, m.Values.Len())
		}
		fields = append(fields, arrow.Field{Name: "metadata." + m.Key, Type: dictType(codes.width), Nullable: true})
		cols = append(cols, arrowDict(&m.Values, codes, true))
	}
	sets, _ := json.Marshal(b.Keys.Sets)
	out := writeStream(nil, cols, fields, arrow.NewMetadata([]string{"keySets"}, []string{string(sets)}), n, ipc.WithZstd())
	return writeStream(out, []arrow.Array{arrowBlocks(&b.metadata)}, []arrow.Field{{Name: "metadataBlocks", Type: arrow.BinaryTypes.Binary}}, arrow.Metadata{}, len(b.metadata.blocks))
}

func fromArrowConversations(data []byte) (*Conversations, error) {
	rec, rest, err := readStream(data)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	n := int(rec.NumRows())
	b := &Conversations{metaIdx: map[string]int{}}
	b.Start = rec.Column(0).(*array.Int64).Int64Values()
	b.LastAction = OptionalTimes{Nanos: rec.Column(1).(*array.Int64).Int64Values()}
	b.IDs = fromArrowIDs(rec.Column(2))
	b.Locale.Values, b.Locale.Codes = fromArrowDict(rec.Column(3))
	tags := rec.Column(4).(*array.List)
	offs := tags.Offsets()
	offsets := make([]uint32, len(offs))
	for i, o := range offs {
		offsets[i] = uint32(o)
	}
	b.Tags.Offsets = narrowAll(offsets)
	b.Tags.Values, b.Tags.Codes = fromArrowDict(tags.ListValues())
	counts := rec.Column(5).(*array.Uint32)
	// Arrow holds counts 4 bytes wide; the columns, as narrow as they fit.
	b.UserMessages = Counts{values: narrowAll(counts.Uint32Values()), valid: make([]uint64, (n+63)/64)}
	for i := range n {
		if counts.IsValid(i) {
			b.UserMessages.setValid(i)
		}
	}
	keys := rec.Column(6)
	width := keys.DataType().(arrow.FixedWidthDataType).BitWidth() / 8
	b.Keys.Codes = Codes{width: width, b: keys.Data().Buffers()[1].Bytes()[:n*width]}
	sets, _ := rec.Schema().Metadata().GetValue("keySets")
	if err := json.Unmarshal([]byte(sets), &b.Keys.Sets); err != nil {
		return nil, err
	}
	for i := 7; i < int(rec.NumCols()); i++ {
		m := MetaColumn{Key: rec.Schema().Field(i).Name[len("metadata."):]}
		m.Values, m.Codes = fromArrowDict(rec.Column(i))
		b.metaIdx[m.Key] = len(b.Meta)
		b.Meta = append(b.Meta, m)
	}
	blocks, _, err := readStream(rest)
	if err != nil {
		return nil, err
	}
	defer blocks.Release()
	b.metadata = textColumn{n: n}
	col := blocks.Column(0).(*array.Binary)
	for i := range col.Len() {
		b.metadata.blocks = append(b.metadata.blocks, col.Value(i))
	}
	return b, nil
}

func arrowMessages(b *Messages) []byte {
	n := b.Len()
	fields := []arrow.Field{
		{Name: "time", Type: arrow.PrimitiveTypes.Int64},
		{Name: "type", Type: dictType(b.Type.Codes.width)},
		{Name: "conversationId", Type: dictType(b.ConversationID.Codes.width)},
		{Name: "userActionType", Type: dictType(b.UserActionType.Codes.width)},
	}
	cols := []arrow.Array{arrowInt64s(b.Time), arrowDict(&b.Type.Values, b.Type.Codes, false),
		arrowDict(&b.ConversationID.Values, b.ConversationID.Codes, false), arrowDict(&b.UserActionType.Values, b.UserActionType.Codes, false)}
	out := writeStream(nil, cols, fields, arrow.Metadata{}, n, ipc.WithZstd())
	return writeStream(out, []arrow.Array{arrowBlocks(&b.ids), arrowBlocks(&b.userInput), arrowBlocks(&b.botText)},
		[]arrow.Field{{Name: "ids", Type: arrow.BinaryTypes.Binary}, {Name: "userInput", Type: arrow.BinaryTypes.Binary}, {Name: "botText", Type: arrow.BinaryTypes.Binary}},
		arrow.Metadata{}, len(b.ids.blocks))
}

func fromArrowMessages(data []byte) (*Messages, error) {
	rec, rest, err := readStream(data)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	n := int(rec.NumRows())
	b := &Messages{Time: rec.Column(0).(*array.Int64).Int64Values()}
	b.Type.Values, b.Type.Codes = fromArrowDict(rec.Column(1))
	b.ConversationID.Values, b.ConversationID.Codes = fromArrowDict(rec.Column(2))
	b.UserActionType.Values, b.UserActionType.Codes = fromArrowDict(rec.Column(3))
	blocks, _, err := readStream(rest)
	if err != nil {
		return nil, err
	}
	defer blocks.Release()
	text := func(i int) textColumn {
		t := textColumn{n: n}
		col := blocks.Column(i).(*array.Binary)
		for j := range col.Len() {
			t.blocks = append(t.blocks, col.Value(j))
		}
		return t
	}
	b.ids, b.userInput, b.botText = text(0), text(1), text(2)
	return b, nil
}

// BenchmarkArrowCandidate measures the Arrow candidate on the same records and
// batches as BenchmarkConversations and BenchmarkMessages, after checking that
// it gives back every record.
func BenchmarkArrowCandidate(b *testing.B) {
	sim := simulatorRecords(b)
	span := time.Hour
	convParts := bySpan(sim.conversations, span, func(c *exportapi.Conversation) time.Time { return c.StartTime })
	msgParts := bySpan(sim.messages, span, func(m *exportapi.Message) time.Time { return m.Time })
	convs := buildConversationBatches(b, convParts)
	msgs := buildMessageBatches(b, msgParts)
	checkArrowRoundTrip(b, convs, msgs)
	nc, nm := len(sim.conversations), len(sim.messages)
	sim, convParts, msgParts = simRecords{}, nil, nil //nolint:ineffassign // drops the records before the decode is measured, as in BenchmarkConversations
	name := fmt.Sprintf("span=%s", span)
	arrowKind(b, name+"/conversations", nc, len(convs),
		func(i int) []byte { return arrowConversations(convs[i]) },
		func(data []byte) (any, error) { return fromArrowConversations(data) })
	arrowKind(b, name+"/messages", nm, len(msgs),
		func(i int) []byte { return arrowMessages(msgs[i]) },
		func(data []byte) (any, error) { return fromArrowMessages(data) })
}

func arrowKind(b *testing.B, name string, records, batches int, encode func(int) []byte, decode func([]byte) (any, error)) {
	encoded := make([][]byte, batches)
	disk := 0
	for i := range encoded {
		encoded[i] = encode(i)
		disk += len(encoded[i])
	}
	decodeAll := func() []any {
		out := make([]any, len(encoded))
		for i, e := range encoded {
			var err error
			if out[i], err = decode(e); err != nil {
				b.Fatal(err)
			}
		}
		return out
	}
	_, heap := heapPerRecord(records, decodeAll)
	b.Run(name+"/encode", func(b *testing.B) {
		cpu := startCPU(b)
		for b.Loop() {
			for i := range batches {
				encode(i)
			}
			cpu.records += records
		}
		cpu.report("records/CPU-s")
		b.ReportMetric(float64(disk)/float64(records), "disk-B/record")
	})
	b.Run(name+"/decode", func(b *testing.B) {
		cpu := startCPU(b)
		for b.Loop() {
			decodeAll()
			cpu.records += records
		}
		cpu.report("records/CPU-s")
		b.ReportMetric(heap, "heap-B/record")
	})
}

func checkArrowRoundTrip(b *testing.B, convs []*Conversations, msgs []*Messages) {
	for _, c := range convs[:3] {
		back, err := fromArrowConversations(arrowConversations(c))
		if err != nil {
			b.Fatal(err)
		}
		want, _ := c.Records()
		got, err := back.Records()
		if err != nil {
			b.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			b.Fatalf("Arrow conversations differ:\n%s", diff)
		}
	}
	for _, m := range msgs[:3] {
		back, err := fromArrowMessages(arrowMessages(m))
		if err != nil {
			b.Fatal(err)
		}
		want, _ := m.Records()
		got, err := back.Records()
		if err != nil {
			b.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			b.Fatalf("Arrow messages differ:\n%s", diff)
		}
	}
}
