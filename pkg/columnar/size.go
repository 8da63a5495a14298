package columnar

import "unsafe"

// Size is the memory a batch holds, for a cache's budget: every column's bytes
// and the headers that hold them, plus allocSlack for the allocator's rounding
// up, so that it errs on the heavy side (the benchmark reports it beside the
// heap it measures).
func (b *Conversations) Size() int {
	n := int(unsafe.Sizeof(*b)) + 8*cap(b.Start) + b.LastAction.size() + b.IDs.size() +
		b.Locale.size() + b.Tags.Offsets.size() + b.Tags.size() + b.UserMessages.size() +
		b.Keys.size() + b.metadata.size()
	for i := range b.Meta {
		n += b.Meta[i].size()
	}
	// The key index: a map entry and a bucket's share per key.
	n += len(b.metaIdx) * (int(unsafe.Sizeof("")) + 16)
	return n + n/allocSlack
}

// allocSlack: Go rounds each allocation up to its size class, by up to 1/8 and
// by 1/16 or less on average over a batch's columns.
const allocSlack = 16

// Size is the memory a batch holds, for a cache's budget.
func (b *Messages) Size() int {
	n := int(unsafe.Sizeof(*b)) + 8*cap(b.Time) + b.Type.size() + b.ConversationID.size() +
		b.UserActionType.size() + b.ids.size() + b.userInput.size() + b.botText.size()
	return n + n/allocSlack
}

func (s *Strings) size() int { return len(s.all) + 4*cap(s.offsets) }

func (c Codes) size() int { return cap(c.b) }

func (d *Dict) size() int { return d.Values.size() + d.Codes.size() }

func (o *OptionalTimes) size() int {
	return 8*cap(o.Nanos) + cap(o.others)*int(unsafe.Sizeof(timeException{}))
}

func (s *IDs) size() int { return cap(s.packed) + s.text.size() }

func (c *Counts) size() int { return c.values.size() + 8*cap(c.valid) }

func (m *MetaColumn) size() int {
	return int(unsafe.Sizeof(*m)) + len(m.Key) + m.Values.size() + m.Codes.size() + 4*cap(m.Rows)
}

func (k *KeySets) size() int {
	n := k.Codes.size() + 24*cap(k.Sets)
	for _, s := range k.Sets {
		n += 4 * cap(s)
	}
	return n
}
