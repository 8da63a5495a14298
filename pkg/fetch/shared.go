package fetch

import (
	"encoding/binary"
	"sync"
)

// Concurrent queries over the same stored range share one decoded copy of each
// segment: a decode is filed under what it was decoded from, weakly, so a query
// that loads a value another query holds decoded (or the memory cache keeps)
// takes that batch instead of a second copy, and a batch nobody holds any more
// is collected as usual. A weak pointer rather than a count of holders: the
// queries, the memory cache and the offers to it hold batches as plain
// references, with no release to forget or to call twice, and a batch lives
// exactly as long as one of them uses it. Two queries that ask at once wait for
// one decode.

// decodedKey names a stored value by its binding and its checksum, whichever
// tier it came from: equal keys are equal bytes, so equal batches.
type decodedKey struct {
	lane              string
	from, to, expires uint64
	length            int
	crc               uint32
}

type decodedEntry struct {
	ready chan struct{}
	get   func() batch // set before ready is closed, on success
	err   error
}

var decodes = struct {
	mu sync.Mutex
	m  map[decodedKey]*decodedEntry
}{m: map[decodedKey]*decodedEntry{}}

// sharedDecode checks st's frame (see unframe) and decodes its batch, or
// returns the batch a decode of the same value made and someone still holds.
// Anything that does not check out is errFrame or errBinding.
func sharedDecode[T any](cols columns[T], st Stored, lane string, schema uint32) (batch, error) {
	// The value must check out before its checksum may name it: a damaged one
	// is a miss, and dropped, even while a sound copy is held decoded.
	body, err := unframe(st.Data, schema, bindingOf(lane, st))
	if err != nil {
		return nil, err
	}
	key := decodedKey{lane: lane, from: unixNanos(st.From), to: unixNanos(st.To), expires: unixNanos(st.Expires),
		length: len(st.Data), crc: binary.BigEndian.Uint32(st.Data[8:12])}
	forgetEntry := func(e *decodedEntry) {
		decodes.mu.Lock()
		if decodes.m[key] == e {
			delete(decodes.m, key)
		}
		decodes.mu.Unlock()
	}
	for {
		decodes.mu.Lock()
		e := decodes.m[key]
		if e == nil {
			break
		}
		decodes.mu.Unlock()
		<-e.ready
		if e.err != nil {
			return nil, e.err
		}
		if b := e.get(); b != nil {
			return b, nil
		}
		forgetEntry(e) // collected: decode it again
	}
	e := &decodedEntry{ready: make(chan struct{})}
	decodes.m[key] = e
	decodes.mu.Unlock()
	b, err := cols.decode(body)
	if err != nil {
		e.err = errFrame
		forgetEntry(e)
		close(e.ready)
		return nil, errFrame
	}
	e.get = cols.weakly(b, func() { forgetEntry(e) })
	close(e.ready)
	return b, nil
}
