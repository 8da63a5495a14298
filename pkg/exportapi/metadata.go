package exportapi

import (
	"bytes"
	"encoding/json"

	jsoniter "github.com/json-iterator/go"
)

// MetadataText returns the text of one top-level metadata key: a string as it is,
// any other value as compact JSON ("true", "42", `{"tier":"pro"}`). ok is false when
// the key is missing or null, or the metadata is not an object.
func (c *Conversation) MetadataText(key string) (text string, ok bool) {
	if len(c.Metadata) == 0 {
		return "", false
	}
	it := jsoniter.ConfigDefault.BorrowIterator(c.Metadata)
	defer jsoniter.ConfigDefault.ReturnIterator(it)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return "", false
	}
	it.ReadObjectCB(func(it *jsoniter.Iterator, k string) bool {
		if k != key {
			it.Skip()
			return it.Error == nil
		}
		switch it.WhatIsNext() {
		case jsoniter.NilValue:
			it.ReadNil()
		case jsoniter.StringValue:
			text, ok = it.ReadString(), true
		default:
			raw := it.SkipAndReturnBytes()
			var buf bytes.Buffer
			if json.Compact(&buf, raw) == nil {
				text, ok = buf.String(), true
			}
		}
		return false
	})
	return text, ok
}

// MetadataKeys returns the top-level keys of the metadata object, in record order.
func (c *Conversation) MetadataKeys() []string {
	if len(c.Metadata) == 0 {
		return nil
	}
	it := jsoniter.ConfigDefault.BorrowIterator(c.Metadata)
	defer jsoniter.ConfigDefault.ReturnIterator(it)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return nil
	}
	var keys []string
	it.ReadObjectCB(func(it *jsoniter.Iterator, k string) bool {
		keys = append(keys, k)
		it.Skip()
		return it.Error == nil
	})
	return keys
}
