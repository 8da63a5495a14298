package fetch

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/internal/opaque"
)

// Tier is a store of settled segments below the memory cache, encoded: the disk
// of this Grafana (history survives a restart) or a Redis every replica shares.
// A tier's trouble never fails a query: a read that cannot use it reads the API.
type Tier interface {
	// Name says what the tier is, in words for a notice ("the disk cache").
	Name() string
	// Load returns the unexpired segments of lane that overlap [from, to), in
	// any order; they may overlap each other.
	Load(ctx context.Context, lane string, from, to, now time.Time) ([]Stored, error)
	// Save keeps segs for lane, replacing what they overlap; now is the clock
	// that Expires is on.
	Save(ctx context.Context, lane string, segs []Stored, now time.Time) error
}

// Lister is a tier that can say which segments it holds without loading their
// records (the disk): a query plans with the spans and loads each segment only
// when it consumes it, so a range far larger than memory streams through.
type Lister interface {
	// Spans is Load with every Stored's Data nil.
	Spans(ctx context.Context, lane string, from, to, now time.Time) ([]Stored, error)
}

// Forgetter is a tier that can drop a value that did not check out, so that
// later reads do not find it again (a value filed under a span or lane it does
// not belong to may overlap time that is stored whole, where nothing rewrites it).
type Forgetter interface {
	// Forget drops st from lane if the tier still holds it as it was loaded.
	Forget(ctx context.Context, lane string, st Stored) error
}

// Stored is one segment as a tier keeps it.
type Stored struct {
	From, To time.Time
	// Expires is when it must be read again; the zero time: final, never.
	Expires time.Time
	// Data is the framed records (see codec.go).
	Data []byte
}

// laneID names a timeline in a tier without revealing it: the scope (server and
// key), bot and conversation go with the record schema through an HMAC keyed by
// the API key, so a stored file or a Redis key says nothing of whose records
// they are, even to someone who guesses a bot's name, and records of an older
// shape are simply never found.
func (s *Source) laneID(k laneKey, schema uint32) string {
	return opaque.Name(s.cfg.APIKey, "lane", k.scope, k.bot, k.endpoint, k.conversationID, strconv.FormatUint(uint64(schema), 16))
}

func schemaFor[T any]() uint32 {
	return schemaOf(reflect.TypeFor[T]())
}

// fromTiers finds, tier by tier, the settled time of zone that the memory cache
// does not hold (gaps). It does not decode what it finds: a segment is loaded
// (from a Lister) and decoded only when the query consumes it (see consume), so
// that a range far larger than memory streams through the query a segment at a
// time. It returns the segments found,
// disjoint and inside gaps, and a warning per tier that failed.
func fromTiers[T any](ctx context.Context, s *Source, ep endpoint[T], k laneKey, gaps []interval, now time.Time) ([]*segment, []string) {
	var found []*segment
	var warnings []string
	schema := payloadSchema[T]()
	lane := s.laneID(k, schemaFor[T]())
	// A flight of this process writes its chunks as it reads them, and holds
	// them until it ends (or gives them up, the tier having them): what it
	// holds, taken from a tier as well, would be in memory twice.
	gaps = subtractAll(gaps, reading[T](s.cfg.Flights, k))
	for _, t := range s.cfg.Tiers {
		if len(gaps) == 0 {
			break
		}
		for _, g := range slices.Clone(gaps) {
			stored, err := listOrLoad(ctx, t, lane, g, now)
			if err != nil {
				tierErrors.WithLabelValues(tierLabel(t), "read").Inc()
				warnings = addWarnings(warnings, tierWarning(t, "read", err))
				break
			}
			for _, st := range stored {
				if !st.Expires.IsZero() && !now.Before(st.Expires) {
					continue
				}
				// Only the part still missing: another tier's segment, or an
				// overlapping one of the same tier, may already hold the rest.
				parts := overlaps(gaps, interval{from: st.From, to: st.To})
				if len(parts) == 0 {
					continue
				}
				// A value that does not check out is a miss, read from the
				// API and written again.
				st, err := checkFound(ctx, t, st, schema, lane, now)
				if err != nil {
					tierErrors.WithLabelValues(tierLabel(t), "read").Inc()
					warnings = addWarnings(warnings, tierWarning(t, "read", err))
					forget(ctx, t, lane, st)
					continue
				}
				enc := &encoded{tier: t, lane: lane, schema: schema, stored: st}
				expires := st.Expires
				if expires.IsZero() {
					expires = maxInstant
				}
				for _, part := range parts {
					found = append(found, &segment{span: part, enc: enc, expires: expires})
					gaps = subtract(gaps, part)
				}
			}
		}
	}
	return found, warnings
}

// checkFound checks a stored value as far as it can before it is consumed: all
// of it when it came with its records. A listed one (without them) whose span is
// not whole chunks, as every settled segment's is, is loaded and checked now:
// taken on trust it would hide a genuine neighbour, whose time, planned again
// when the value failed to decode, would reach past the span into time counted
// already. It returns st, with its records if they were loaded.
func checkFound(ctx context.Context, t Tier, st Stored, schema uint32, lane string, now time.Time) (Stored, error) {
	if st.Data == nil {
		if chunkFloor(st.From).Equal(st.From) && chunkFloor(st.To).Equal(st.To) {
			return st, nil
		}
		var err error
		if st, err = loadStored(ctx, t, lane, st, now); err != nil {
			return st, err
		}
	}
	_, err := unframe(st.Data, schema, bindingOf(lane, st))
	return st, err
}

// listOrLoad asks a tier what it holds of g: only the spans where it can tell
// them without the records.
func listOrLoad(ctx context.Context, t Tier, lane string, g interval, now time.Time) ([]Stored, error) {
	tctx, span := tracer.Start(ctx, "fetch.tier_load")
	defer span.End()
	if l, ok := t.(Lister); ok {
		return l.Spans(tctx, lane, g.from, g.to, now)
	}
	return t.Load(tctx, lane, g.from, g.to, now)
}

// toTiers writes segments an export has just read to tiers, under lane.
func toTiers[T any](ctx context.Context, tiers []Tier, lane string, segs []*segment, now time.Time) []string {
	if len(tiers) == 0 || len(segs) == 0 {
		return nil
	}
	schema := payloadSchema[T]()
	stored := make([]Stored, 0, len(segs))
	for _, sg := range segs {
		st := Stored{From: sg.span.from, To: sg.span.to}
		if !sg.expires.Equal(maxInstant) {
			st.Expires = sg.expires
		}
		data, err := encodeBatch(sg.batch, schema, bindingOf(lane, st))
		if err != nil {
			return []string{"the records could not be encoded for the cache: " + err.Error()}
		}
		st.Data = data
		stored = append(stored, st)
	}
	var warnings []string
	for _, t := range tiers {
		if err := t.Save(ctx, lane, stored, now); err != nil {
			tierErrors.WithLabelValues(tierLabel(t), "write").Inc()
			warnings = append(warnings, tierWarning(t, "write", err))
		}
	}
	return warnings
}

// forget drops a value that did not check out from a tier that can.
func forget(ctx context.Context, t Tier, lane string, st Stored) {
	f, ok := t.(Forgetter)
	if !ok {
		return
	}
	if err := f.Forget(ctx, lane, st); err != nil {
		// Not a query's trouble: the value stays a miss until it is replaced.
		tierErrors.WithLabelValues(tierLabel(t), "write").Inc()
	}
}

func tierWarning(t Tier, op string, err error) string {
	if op == "write" {
		return t.Name() + " could not keep what was read (" + err.Error() + "); it will be read from the API again"
	}
	return t.Name() + " could not be read (" + err.Error() + "); the API answered instead"
}
