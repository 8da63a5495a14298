package sharedcache

import (
	"context"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Not every error of Redis is an outage. A key of ours holding another type
// (WRONGTYPE: overwritten by someone else), or a value the rate limit's script
// cannot read, is a data problem: the key is deleted and the call made again. A full Redis (OOM under a noeviction
// policy) is a lack of room: leases and the rate limit are written whatever
// Redis's memory (roomless.go); the oldest segments make room for newer ones,
// and a segment that still does not fit is not kept. Redis stays in use. A call the caller gave up on says nothing
// of Redis either.

// op names what a call touches, for those repairs.
type op struct {
	keys     []typedKey // keys whose type the call expects
	segments bool       // segment data: losing it costs a re-read, never a 429
}

// typedKey is a key and the type Redis's TYPE names for what it must hold.
type typedKey struct{ name, kind string }

// deleteIfWrongType deletes a key only while it holds another type: replicas
// that meet the same planted key at once must not delete what one of them
// has just written in its place.
var deleteIfWrongType = redis.NewScript(`
if redis.call('TYPE', KEYS[1]).ok ~= ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0`)

func isWrongType(err error) bool {
	return err != nil && strings.Contains(err.Error(), "WRONGTYPE")
}

// isOutOfMemory also takes EXECABORT for it: the plugin queues nothing else a
// transaction could be refused for than a write a full Redis refuses.
func isOutOfMemory(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "OOM command not allowed") || strings.Contains(err.Error(), "EXECABORT"))
}

// repair fixes what err says is wrong, if it can; it reports whether the call
// is worth making again.
func (s *Shared) repair(ctx context.Context, o op, err error) bool {
	switch {
	case isWrongType(err) && len(o.keys) > 0:
		for _, k := range o.keys {
			n, err := deleteIfWrongType.Run(ctx, s.rdb, []string{k.name}, k.kind).Int()
			if err != nil {
				return false
			}
			if n > 0 {
				s.logger.Warn("a key of the shared cache held another type of value; it was deleted", "redis", s.addr)
			}
		}
		return true
	case isScriptError(err) && len(o.keys) > 0:
		// The rate limit's script choked on what its key holds: a value
		// of the right type that is not ours. The state is one request's worth.
		if s.rdb.Del(ctx, o.keys[0].name).Err() == nil {
			s.logger.Warn("a key of the shared rate limit held a value it could not read; it was deleted", "redis", s.addr)
			return true
		}
	case isOutOfMemory(err):
		return s.makeRoom(ctx) > 0
	}
	return false
}

// isScriptError is an error the rate limit's script raised itself; a script's
// OOM or WRONGTYPE names the script too, and is none.
func isScriptError(err error) bool {
	return err != nil && strings.Contains(err.Error(), "user_script") && !isOutOfMemory(err) && !isWrongType(err)
}

// roomBatch is how many of the oldest segments of each lane one repair frees.
const roomBatch = 32

// maxRepairs bounds the repairs, and so the tries, of one call.
const maxRepairs = 3

// maxRoomLanes bounds the lanes one call looks through for segments to free.
const maxRoomLanes = 64

// makeRoom deletes the oldest segments (by end time) of the lanes it finds and
// returns how many it deleted. Deletions are allowed in a full Redis.
func (s *Shared) makeRoom(ctx context.Context) int {
	freed := 0
	var cursor uint64
	seen := 0
	for {
		indexes, next, err := s.rdb.Scan(ctx, cursor, keyPrefix+"segs:*", 100).Result()
		if err != nil {
			return freed
		}
		for _, idx := range indexes {
			if seen++; seen > maxRoomLanes {
				return freed
			}
			lane := strings.TrimPrefix(idx, keyPrefix+"segs:")
			members, err := s.rdb.ZRange(ctx, idx, 0, roomBatch-1).Result()
			if err != nil || len(members) == 0 {
				continue
			}
			keys := make([]string, len(members))
			gone := make([]any, len(members))
			for i, m := range members {
				keys[i], gone[i] = valueKey(lane, m), m
			}
			if s.rdb.Del(ctx, keys...).Err() == nil && s.rdb.ZRem(ctx, idx, gone...).Err() == nil {
				freed += len(members)
			}
		}
		if cursor = next; cursor == 0 {
			return freed
		}
	}
}

// outage reports whether err, from a call on ctx, says Redis cannot be used.
func outage(ctx context.Context, o op, err error) bool {
	switch {
	case err == nil, errors.Is(err, redis.Nil), errors.Is(err, redis.TxFailedErr):
		return false
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return false // the caller went away
	case isWrongType(err), isScriptError(err):
		return false
	case isOutOfMemory(err) && o.segments:
		return false
	}
	return true
}
