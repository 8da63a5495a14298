package sharedcache

import (
	"context"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// Reserve implements exportapi.Pacer with a GCRA limiter kept in Redis, on
// Redis's own clock, so every replica draws from one rate whatever its clock says.
func (s *Shared) Reserve(ctx context.Context, key string, requestsPerSecond float64) (time.Duration, error) {
	limit := redis_rate.Limit{Rate: 1, Burst: 1, Period: time.Duration(float64(time.Second) / requestsPerSecond)}
	var wait time.Duration
	rateKey := keyPrefix + "rate:" + key
	// redis_rate stores the state under its own "rate:" prefix.
	err := s.do(ctx, op{keys: []typedKey{{"rate:" + rateKey, "string"}}}, func(ctx context.Context) error {
		res, err := redis_rate.NewLimiter(s.rdb).Allow(ctx, rateKey, limit)
		if err != nil {
			return err
		}
		if res.Allowed == 0 {
			wait = max(res.RetryAfter, time.Millisecond)
		}
		return nil
	})
	return wait, err
}
