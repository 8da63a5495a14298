package columnar

import (
	"math"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Messages is a batch of message records as columns, sorted by time (records
// of the same instant keep their order).
type Messages struct {
	// Time is each record's time in Unix nanoseconds, ascending.
	Time []int64
	Type Dict
	// ConversationID is coded: the join groups a message by its conversation.
	ConversationID Dict
	UserActionType Dict
	// ids, user input and bot text are shown only by tables and transcripts.
	ids, userInput, botText textColumn
}

// BuildMessages builds the columns of recs. It fails, rather than keep an
// inexact value, on a time outside the range of Unix nanoseconds.
func BuildMessages(recs []exportapi.Message) (*Messages, error) {
	n := len(recs)
	if n > math.MaxInt32 {
		return nil, errTooLarge
	}
	order := timeOrder(n, func(i int) time.Time { return recs[i].Time })
	rec := func(i int) *exportapi.Message { return &recs[order[i]] }

	b := &Messages{Time: make([]int64, n)}
	types, convs, actions := newDictBuilder(), newDictBuilder(), newDictBuilder()
	textBytes := 0 // a bound on the dictionaries' bytes
	for i := range n {
		m := rec(i)
		v, err := nanos(m.Time)
		if err != nil {
			return nil, err
		}
		b.Time[i] = v
		if textBytes += len(m.Type) + len(m.ConversationID) + len(m.UserActionType); textBytes > maxBatchBytes {
			return nil, errTooLarge
		}
		types.add(m.Type)
		convs.add(m.ConversationID)
		actions.add(m.UserActionType)
	}
	b.Type, b.ConversationID, b.UserActionType = types.dict(), convs.dict(), actions.dict()
	b.ids = buildText(n, func(i int) (string, bool) { return rec(i).ID, true })
	b.userInput = buildText(n, func(i int) (string, bool) { return rec(i).UserInput, true })
	b.botText = buildText(n, func(i int) (string, bool) { return rec(i).BotText, true })
	return b, nil
}

// Len is the number of records.
func (b *Messages) Len() int { return len(b.Time) }

// Message rebuilds record i. It decompresses the record's text blocks: a table
// or a transcript of many rows uses Records or AppendRecords.
func (b *Messages) Message(i int) (exportapi.Message, error) {
	out, err := b.AppendRecords(nil, i, i+1)
	if err != nil {
		return exportapi.Message{}, err
	}
	return out[0], nil
}

// Records rebuilds every record, in the batch's order.
func (b *Messages) Records() ([]exportapi.Message, error) {
	return b.AppendRecords(make([]exportapi.Message, 0, b.Len()), 0, b.Len())
}

// AppendRecords appends records [from, to) to dst, decompressing each block they touch once.
func (b *Messages) AppendRecords(dst []exportapi.Message, from, to int) ([]exportapi.Message, error) {
	return b.appendEach(dst, to-from, func(k int) int { return from + k })
}

// AppendRows appends the records at rows to dst, in rows' order. A block is
// decompressed once for each stretch of rows inside it: once, when rows ascend,
// as a filtered scan selects them (a block a run at a time would decompress it
// once for every gap the filter leaves).
func (b *Messages) AppendRows(dst []exportapi.Message, rows []int32) ([]exportapi.Message, error) {
	return b.appendEach(dst, len(rows), func(k int) int { return int(rows[k]) })
}

// appendEach appends records row(0) … row(n-1), decompressing a block once for
// each stretch of them inside it.
func (b *Messages) appendEach(dst []exportapi.Message, n int, row func(k int) int) ([]exportapi.Message, error) {
	for k := 0; k < n; {
		blk := row(k) / blockRecords
		t, err := b.texts(blk)
		if err != nil {
			return dst, err
		}
		for ; k < n && row(k)/blockRecords == blk; k++ {
			dst = append(dst, b.rebuild(row(k), &t))
		}
	}
	return dst, nil
}

// messageTexts is one block's decompressed text columns.
type messageTexts struct{ ids, inputs, bots []string }

func (b *Messages) texts(blk int) (t messageTexts, err error) {
	if t.ids, _, err = b.ids.block(blk); err != nil {
		return t, err
	}
	if t.inputs, _, err = b.userInput.block(blk); err != nil {
		return t, err
	}
	t.bots, _, err = b.botText.block(blk)
	return t, err
}

// rebuild is record i, its texts from t, the decompressed block that holds it.
func (b *Messages) rebuild(i int, t *messageTexts) exportapi.Message {
	j := i % blockRecords
	return exportapi.Message{
		ID:             t.ids[j],
		Time:           fromNanos(b.Time[i]),
		Type:           b.Type.At(i),
		ConversationID: b.ConversationID.At(i),
		UserInput:      t.inputs[j],
		UserActionType: b.UserActionType.At(i),
		BotText:        t.bots[j],
	}
}
