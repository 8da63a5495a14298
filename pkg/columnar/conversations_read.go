package columnar

import (
	"encoding/json"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Len is the number of records.
func (b *Conversations) Len() int { return len(b.Start) }

// Metadata is the column of a top-level metadata key, or nil when no record of
// the batch has the key (every record then reads as Absent).
func (b *Conversations) Metadata(key string) *MetaColumn {
	if i, ok := b.metaIdx[key]; ok {
		return &b.Meta[i]
	}
	return nil
}

// MetadataKeys is record i's metadata keys, as exportapi.(*Conversation).MetadataKeys gives them.
func (b *Conversations) MetadataKeys(i int) []string {
	set := b.Keys.Sets[b.Keys.Codes.At(i)]
	if len(set) == 0 {
		return nil
	}
	keys := make([]string, len(set))
	for j, ci := range set {
		keys[j] = b.Meta[ci].Key
	}
	return keys
}

// Conversation rebuilds record i. It decompresses the record's metadata block:
// a table of many rows uses Records or AppendRecords.
func (b *Conversations) Conversation(i int) (exportapi.Conversation, error) {
	meta, present, err := b.metadata.at(i)
	if err != nil {
		return exportapi.Conversation{}, err
	}
	return b.rebuild(i, meta, present), nil
}

// Records rebuilds every record, in the batch's order.
func (b *Conversations) Records() ([]exportapi.Conversation, error) {
	return b.AppendRecords(make([]exportapi.Conversation, 0, b.Len()), 0, b.Len())
}

// AppendRecords appends records [from, to) to dst, decompressing each block they touch once.
func (b *Conversations) AppendRecords(dst []exportapi.Conversation, from, to int) ([]exportapi.Conversation, error) {
	return b.appendEach(dst, to-from, func(k int) int { return from + k })
}

// AppendRows appends the records at rows to dst, in rows' order, decompressing a
// metadata block once for each stretch of rows inside it (once, when rows ascend).
func (b *Conversations) AppendRows(dst []exportapi.Conversation, rows []int32) ([]exportapi.Conversation, error) {
	return b.appendEach(dst, len(rows), func(k int) int { return int(rows[k]) })
}

// appendEach appends records row(0) … row(n-1), decompressing a metadata block
// once for each stretch of them inside it.
func (b *Conversations) appendEach(dst []exportapi.Conversation, n int, row func(k int) int) ([]exportapi.Conversation, error) {
	for k := 0; k < n; {
		blk := row(k) / blockRecords
		texts, present, err := b.metadata.block(blk)
		if err != nil {
			return dst, err
		}
		for ; k < n && row(k)/blockRecords == blk; k++ {
			i := row(k)
			dst = append(dst, b.rebuild(i, texts[i%blockRecords], present[i%blockRecords]))
		}
	}
	return dst, nil
}

func (b *Conversations) rebuild(i int, meta string, present bool) exportapi.Conversation {
	c := exportapi.Conversation{
		ID:           b.IDs.At(i),
		StartTime:    fromNanos(b.Start[i]),
		LastActionAt: b.LastAction.At(i),
		Locale:       b.Locale.At(i),
	}
	if codes := b.Tags.Of(i); codes.Len() > 0 {
		c.Tags = make([]string, codes.Len())
		for j := range c.Tags {
			c.Tags[j] = b.Tags.Values.At(int(codes.At(j)))
		}
	}
	c.UserMessageCount, c.HasUserMessages = b.UserMessages.At(i)
	if present {
		c.Metadata = json.RawMessage(meta)
	}
	return c
}
