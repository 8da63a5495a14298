package fetch

import (
	"context"
	"fmt"
)

// encoded is a segment's records as a tier keeps them, checked when found.
type encoded struct {
	data    []byte
	schema  uint32
	binding binding
	// Where it came from, to forget it should it fail to decode.
	tier   Tier
	lane   string
	stored Stored
}

// consume hands a segment the query planned to take to the query. A memory
// segment's records go as they are; a tier segment is decoded now, handed over
// and let go, so that a query over a range far larger than memory holds one
// decoded segment at a time, not the whole range. The decoded records are
// offered to memory, which keeps them only where it has room (see Cache.offer).
func consume[T any](ctx context.Context, s *Source, ep endpoint[T], k laneKey, sg *segment, take func([]T)) error {
	if sg.enc == nil {
		for _, frag := range sg.records.([][]T) {
			take(frag)
		}
		return nil
	}
	enc := sg.enc
	// Other parts of the same stored value may still need it; this part does not.
	sg.enc = nil
	recs, err := decodeRecords[T](enc.data, enc.schema, enc.binding)
	if err != nil {
		// The frame checked out when it was found, so this is not damage a
		// read from the API could have avoided silently: the query fails rather
		// than count without the time, and the value is dropped for the next.
		tierErrors.WithLabelValues(tierLabel(enc.tier), "read").Inc()
		forget(ctx, enc.tier, enc.lane, enc.stored)
		return fmt.Errorf("%s gave records it could not decode (%w); try again", enc.tier.Name(), err)
	}
	in := keep(recs, func(r *T) bool { return sg.span.contains(ep.when(r)) })
	take(in)
	// Live segments (shared by a replica for the reuse time) stay out of the
	// memory cache, which holds settled time only.
	if s.cfg.Cache == nil || sg.span.to.After(chunkFloor(s.cfg.Now().Add(-s.cfg.Live))) {
		return nil
	}
	size := int64(segmentOverhead)
	for i := range in {
		size += ep.size(&in[i])
	}
	s.cfg.Cache.offer(k, &segment{span: sg.span, records: [][]T{in}, size: size, expires: sg.expires})
	return nil
}
