package sharedcache

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The rate limit and the leases are what keeps the replicas from sending a
// 429 or reading the same time twice, and they take a few hundred bytes in
// all (one key per limiter, one field per export under way). A Redis at its
// maxmemory with noeviction refuses every write, and at 1 MB redis-server
// 7.0's own 0.95 MB leaves no segment whose deletion could make room; under
// load its used memory also swings by a client's buffers from one call to
// the next, so that calls fail one replica at a time. So these writes run as
// scripts flagged allow-oom (Redis 7.0 and later): Redis runs them whatever
// its memory, and the segments, which are the bulk, stay subject to it.
// Redis before 7.0 cannot compile the flag line; there the same script runs
// without it, as the plain writes did.

// roomless is a script Redis runs even when it is out of memory.
type roomless struct {
	flagged, plain *redis.Script
}

const allowOOM = "#!lua flags=allow-oom\n"

func newRoomless(body string) roomless {
	return roomless{flagged: redis.NewScript(allowOOM + body), plain: redis.NewScript(body)}
}

// script is the version this Redis can run.
func (s *Shared) script(r roomless) *redis.Script {
	if s.noFlags.Load() {
		return r.plain
	}
	return r.flagged
}

// noteFlagless reports whether err says Redis could not read the flag line
// (a Redis before 7.0), and remembers it for the next calls.
func (s *Shared) noteFlagless(err error) bool {
	if err == nil || !strings.Contains(err.Error(), "Error compiling script") || s.noFlags.Load() {
		return false
	}
	s.noFlags.Store(true)
	return true
}

// run runs r, once more without the flag on a Redis that cannot read it.
func (s *Shared) run(ctx context.Context, r roomless, keys []string, args ...any) *redis.Cmd {
	cmd := s.script(r).Run(ctx, s.rdb, keys, args...)
	if s.noteFlagless(cmd.Err()) {
		cmd = r.plain.Run(ctx, s.rdb, keys, args...)
	}
	return cmd
}
