package sharedcache

import (
	"context"
	mathrand "math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// A lane's leases are one hash:
//
//	agentx-export:lease:<lane>  field "<fromNs>:<toNs>:<process>:<token>", value: expiry in Unix ms
//
// An export holds a lease on the time it reads and renews it while it runs; a
// replica that finds the time leased by another process waits for the
// segments to land, and takes the time over once the lease lapses.
func leaseKey(lane string) string { return keyPrefix + "lease:" + lane }

// claimTimeout bounds a claim with its retries.
const claimTimeout = 3 * time.Second

// maxClaimTries bounds the optimistic retries when replicas claim at once;
// claims of one process are taken one at a time, so only replicas compete.
const maxClaimTries = 20

// maxClockSkew is how far another replica's clock may run ahead of this one's
// before its leases are taken for implausible.
const maxClockSkew = 5 * time.Second

type leaseField struct {
	span    fetch.Span
	process string
	token   string
	expiry  time.Time
}

func parseLease(field, value string) (leaseField, bool) {
	parts := strings.Split(field, ":")
	if len(parts) != 4 {
		return leaseField{}, false
	}
	f, err1 := strconv.ParseInt(parts[0], 10, 64)
	t, err2 := strconv.ParseInt(parts[1], 10, 64)
	ms, err3 := strconv.ParseInt(value, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return leaseField{}, false
	}
	return leaseField{span: fetch.Span{From: time.Unix(0, f).UTC(), To: time.Unix(0, t).UTC()}, process: parts[2], token: parts[3], expiry: time.UnixMilli(ms)}, true
}

func (s *Shared) fieldOf(sp fetch.Span, token string) string {
	return strconv.FormatInt(sp.From.UnixNano(), 10) + ":" + strconv.FormatInt(sp.To.UnixNano(), 10) + ":" + s.process + ":" + token
}

// writeLeases replaces the lease hash KEYS[1] if it still holds the ARGV[2]
// field and value pairs that follow (an optimistic transaction: WATCH and
// MULTI cannot run in a full Redis, which refuses whatever a MULTI queues),
// dropping the fields counted next and setting the pairs after them, and
// keeps the hash ARGV[1] ms. It returns 1 once written, 0 when the hash
// changed meanwhile. It runs in a full Redis (roomless.go), for a few fields.
var writeLeases = newRoomless(`
local seen = tonumber(ARGV[2])
if redis.call('HLEN', KEYS[1]) ~= seen then
	return 0
end
for i = 3, 2 + 2 * seen, 2 do
	if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then
		return 0
	end
end
local at = 3 + 2 * seen
local drop = tonumber(ARGV[at])
if drop > 0 then
	redis.call('HDEL', KEYS[1], unpack(ARGV, at + 1, at + drop))
end
for i = at + 1 + drop, #ARGV, 2 do
	redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`)

// Claim reads the live leases other processes hold on lane, lets decide pick
// the spans to take, and records them for token with the given time to live,
// replacing what token held before, all in one optimistic transaction.
func (s *Shared) Claim(ctx context.Context, lane, token string, ttl time.Duration, decide func(others []fetch.Span) []fetch.Span) ([]fetch.Span, error) {
	var taken []fetch.Span
	unlock := s.lockLane(lane)
	defer unlock()
	key := leaseKey(lane)
	err := s.doWithin(ctx, max(claimTimeout, s.opTimeout), op{keys: []typedKey{{key, "hash"}}}, func(ctx context.Context) error {
		for try := range maxClaimTries {
			if try > 0 {
				// Another replica won the race: let it finish before looking again.
				time.Sleep(time.Duration(1+mathrand.IntN(10*try)) * time.Millisecond)
			}
			all, err := s.rdb.HGetAll(ctx, key).Result()
			if err != nil {
				return err
			}
			now := time.Now()
			var others []fetch.Span
			// The write goes through only if the hash is still what was read.
			args := []any{(4 * ttl).Milliseconds(), len(all)}
			var drop []any
			for field, value := range all {
				args = append(args, field, value)
				l, ok := parseLease(field, value)
				switch {
				// A lease that expires further ahead than any holder sets
				// one (a planted field, or a holder's clock far ahead) would
				// block the time for good: it counts as lapsed.
				case !ok || now.After(l.expiry) || l.token == token || l.expiry.After(now.Add(ttl+maxClockSkew)):
					drop = append(drop, field)
				case l.process != s.process:
					others = append(others, l.span)
				}
			}
			taken = decide(others)
			args = append(append(args, len(drop)), drop...)
			expiry := strconv.FormatInt(now.Add(ttl).UnixMilli(), 10)
			for _, sp := range taken {
				args = append(args, s.fieldOf(sp, token), expiry)
			}
			written, err := s.run(ctx, writeLeases, []string{key}, args...).Int()
			if err != nil || written == 1 {
				return err
			}
		}
		return redis.TxFailedErr
	})
	return taken, err
}

// lockLane serialises this process's claims on one lane.
func (s *Shared) lockLane(lane string) func() {
	s.mu.Lock()
	if s.claiming == nil {
		s.claiming = map[string]*sync.Mutex{}
	}
	m := s.claiming[lane]
	if m == nil {
		m = &sync.Mutex{}
		s.claiming[lane] = m
	}
	s.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// Release gives up every lease token holds on lane.
func (s *Shared) Release(ctx context.Context, lane, token string) error {
	return s.do(ctx, op{keys: []typedKey{{leaseKey(lane), "hash"}}}, func(ctx context.Context) error {
		all, err := s.rdb.HKeys(ctx, leaseKey(lane)).Result()
		if err != nil {
			return err
		}
		var mine []string
		for _, f := range all {
			if strings.HasSuffix(f, ":"+s.process+":"+token) {
				mine = append(mine, f)
			}
		}
		if len(mine) == 0 {
			return nil
		}
		return s.rdb.HDel(ctx, leaseKey(lane), mine...).Err()
	})
}
