package columnar

import (
	"bytes"
	"encoding/json"

	jsoniter "github.com/json-iterator/go"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// metaValue is one key's text as exportapi.(*Conversation).MetadataText gives it.
type metaValue struct {
	key  string
	text string
	ok   bool
}

// parseMetadata reads a conversation's metadata once: its keys as MetadataKeys
// lists them, and each distinct key's text as MetadataText gives it. One pass
// serves well-formed JSON; anything the pass finds wrong is left to those two
// functions themselves, key by key, so malformed metadata groups exactly as the
// struct path groups it.
//
// It refills keys and values from empty, reusing their arrays: a batch's build
// passes the last record's, as growing fresh ones key by key was a third of the
// parse.
func parseMetadata(c *exportapi.Conversation, keys []string, values []metaValue) ([]string, []metaValue) {
	keys, values = keys[:0], values[:0]
	if len(c.Metadata) == 0 {
		return keys, values
	}
	it := jsoniter.ConfigDefault.BorrowIterator(c.Metadata)
	defer jsoniter.ConfigDefault.ReturnIterator(it)
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return keys, values
	}
	var seen keySeen
	var buf bytes.Buffer // one for the record's compacted values
	it.ReadObjectCB(func(it *jsoniter.Iterator, k string) bool {
		keys = append(keys, k)
		if seen.has(values, k) {
			// MetadataText stops at a key's first occurrence.
			it.Skip()
			return it.Error == nil
		}
		v := metaValue{key: k}
		switch it.WhatIsNext() {
		case jsoniter.NilValue:
			it.ReadNil()
		case jsoniter.StringValue:
			v.text, v.ok = it.ReadString(), true
		default:
			raw := it.SkipAndReturnBytes()
			buf.Reset()
			if it.Error == nil && json.Compact(&buf, raw) == nil {
				v.text, v.ok = buf.String(), true
			}
		}
		values = seen.add(values, v)
		return it.Error == nil
	})
	if it.Error == nil {
		return keys, values
	}
	keys = c.MetadataKeys()
	values, seen = values[:0], keySeen{}
	for _, k := range keys {
		if !seen.has(values, k) {
			text, ok := c.MetadataText(k)
			values = seen.add(values, metaValue{key: k, text: text, ok: ok})
		}
	}
	return keys, values
}

// keySeen tells whether a key was met before: a scan over the few keys of a
// usual record, a map once a record has many, so hostile metadata with
// thousands of keys costs linear time.
type keySeen struct{ index map[string]struct{} }

const keyScanLimit = 16

func (s *keySeen) has(values []metaValue, k string) bool {
	if s.index != nil {
		_, ok := s.index[k]
		return ok
	}
	for _, v := range values {
		if v.key == k {
			return true
		}
	}
	return false
}

func (s *keySeen) add(values []metaValue, v metaValue) []metaValue {
	values = append(values, v)
	switch {
	case s.index != nil:
		s.index[v.key] = struct{}{}
	case len(values) > keyScanLimit:
		s.index = make(map[string]struct{}, 2*len(values))
		for _, v := range values {
			s.index[v.key] = struct{}{}
		}
	}
	return values
}
