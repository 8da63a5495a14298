package sharedcache

import (
	"context"
	"strconv"
	"time"
)

// gcra is the rate limit every replica draws from: one request per ARGV[1]
// seconds, burst 1, on Redis's own clock, so every replica draws from one rate
// whatever its clock says. It is redis_rate's GCRA at burst 1 (same key, same
// state), as a script Redis runs when it is full (roomless.go): a refused
// rate limit would send each replica to its own share while the others may
// go on at the shared rate. A value it cannot read counts as no state, and is
// replaced. It returns how long to wait, in seconds, or "0".
var gcra = newRoomless(`
local t = redis.call('TIME')
local now = (t[1] - 1483228800) + t[2] / 1000000
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat and tat > now then
	return tostring(tat - now)
end
redis.call('SET', KEYS[1], tostring(now + interval), 'PX', math.ceil(interval * 1000))
return '0'`)

// Reserve implements exportapi.Pacer with a GCRA limiter kept in Redis.
func (s *Shared) Reserve(ctx context.Context, key string, requestsPerSecond float64) (time.Duration, error) {
	var wait time.Duration
	// Under redis_rate's "rate:" prefix, where earlier versions kept it.
	rateKey := "rate:" + keyPrefix + "rate:" + key
	interval := strconv.FormatFloat(1/requestsPerSecond, 'f', -1, 64)
	err := s.do(ctx, op{keys: []typedKey{{rateKey, "string"}}}, func(ctx context.Context) error {
		res, err := s.run(ctx, gcra, []string{rateKey}, interval).Text()
		if err != nil {
			return err
		}
		secs, err := strconv.ParseFloat(res, 64)
		if err != nil {
			return err
		}
		if secs > 0 {
			wait = max(time.Duration(secs*float64(time.Second)), time.Millisecond)
		}
		return nil
	})
	return wait, err
}
