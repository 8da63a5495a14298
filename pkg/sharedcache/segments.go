package sharedcache

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
)

// finalRetention bounds how long Redis keeps a final segment nobody asked to
// refresh; Redis's own maxmemory policy (allkeys-lru) is the budget before that.
const finalRetention = 30 * 24 * time.Hour

// A lane's segments are an index and one value each:
//
//	agentx-export:segs:<lane>             sorted set, member "<fromNs>:<toNs>", score: to in seconds
//	agentx-export:seg:<lane>:<from>:<to>  expires (8 bytes, Unix ns, 0: final) | framed records
func indexKey(lane string) string { return keyPrefix + "segs:" + lane }
func valueKey(lane, member string) string {
	return keyPrefix + "seg:" + lane + ":" + member
}

func member(from, to time.Time) string {
	return strconv.FormatInt(from.UnixNano(), 10) + ":" + strconv.FormatInt(to.UnixNano(), 10)
}

func parseMember(m string) (from, to time.Time, ok bool) {
	a, b, found := strings.Cut(m, ":")
	f, err1 := strconv.ParseInt(a, 10, 64)
	t, err2 := strconv.ParseInt(b, 10, 64)
	if !found || err1 != nil || err2 != nil {
		return time.Time{}, time.Time{}, false
	}
	return time.Unix(0, f).UTC(), time.Unix(0, t).UTC(), true
}

func score(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// Name says what the tier is, for notices.
func (s *Shared) Name() string { return "the shared Redis cache" }

// maxLoad bounds the segments one Load reads; a range holding more reads the rest from below.
const maxLoad = 2000

// Load returns the segments of lane that overlap [from, to).
func (s *Shared) Load(ctx context.Context, lane string, from, to, now time.Time) ([]fetch.Stored, error) {
	var out []fetch.Stored
	err := s.do(ctx, op{keys: []typedKey{{indexKey(lane), "zset"}}, segments: true}, func(ctx context.Context) error {
		members, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: indexKey(lane), ByScore: true,
			Start: score(from), Stop: "+inf", Count: maxLoad}).Result()
		if err != nil {
			return err
		}
		var keys, names []string
		for _, m := range members {
			f, t, ok := parseMember(m)
			if !ok || !t.After(from) {
				continue
			}
			if !f.Before(to) {
				break
			}
			keys, names = append(keys, valueKey(lane, m)), append(names, m)
		}
		if len(keys) == 0 {
			return nil
		}
		vals, err := s.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return err
		}
		var gone []any
		for i, v := range vals {
			str, ok := v.(string)
			if !ok || len(str) < 8 {
				gone = append(gone, names[i])
				continue
			}
			f, t, _ := parseMember(names[i])
			st := fetch.Stored{From: f, To: t, Data: []byte(str[8:])}
			if e := int64(binary.BigEndian.Uint64([]byte(str[:8]))); e != 0 {
				st.Expires = time.Unix(0, e).UTC()
			}
			if !st.Expires.IsZero() && !now.Before(st.Expires) {
				continue
			}
			out = append(out, st)
		}
		if len(gone) > 0 {
			// Values Redis evicted or expired leave their index entries behind.
			return s.rdb.ZRem(ctx, indexKey(lane), gone...).Err()
		}
		return nil
	})
	return out, err
}

// Forget drops the segment st of lane if Redis still holds it as loaded: a
// value that did not check out, which would otherwise be found again.
func (s *Shared) Forget(ctx context.Context, lane string, st fetch.Stored) error {
	m := member(st.From, st.To)
	key := valueKey(lane, m)
	return s.do(ctx, op{keys: []typedKey{{indexKey(lane), "zset"}, {key, "string"}}, segments: true}, func(ctx context.Context) error {
		return s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			v, err := tx.Get(ctx, key).Bytes()
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			if err == nil && (len(v) < 8 || !bytes.Equal(v[8:], st.Data)) {
				return nil // replaced meanwhile
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.ZRem(ctx, indexKey(lane), m)
				p.Del(ctx, key)
				return nil
			})
			return err
		}, key)
	})
}

// Save stores segs, replacing the segments of lane they overlap.
func (s *Shared) Save(ctx context.Context, lane string, segs []fetch.Stored, now time.Time) error {
	return s.do(ctx, op{keys: []typedKey{{indexKey(lane), "zset"}}, segments: true}, func(ctx context.Context) error {
		var doomed []string
		for _, sg := range segs {
			members, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: indexKey(lane), ByScore: true,
				Start: score(sg.From), Stop: "+inf", Count: maxLoad}).Result()
			if err != nil {
				return err
			}
			for _, m := range members {
				f, t, ok := parseMember(m)
				if !ok {
					continue
				}
				if !f.Before(sg.To) {
					break
				}
				if t.After(sg.From) {
					doomed = append(doomed, m)
				}
			}
		}
		_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			for _, m := range doomed {
				p.ZRem(ctx, indexKey(lane), m)
				p.Del(ctx, valueKey(lane, m))
			}
			for _, sg := range segs {
				ttl := finalRetention
				var exp uint64
				if !sg.Expires.IsZero() {
					exp = uint64(sg.Expires.UnixNano())
					ttl = sg.Expires.Sub(now)
					if ttl <= 0 {
						continue
					}
				}
				val := make([]byte, 8+len(sg.Data))
				binary.BigEndian.PutUint64(val, exp)
				copy(val[8:], sg.Data)
				m := member(sg.From, sg.To)
				p.Set(ctx, valueKey(lane, m), val, ttl)
				p.ZAdd(ctx, indexKey(lane), redis.Z{Score: float64(sg.To.Unix()), Member: m})
			}
			p.Expire(ctx, indexKey(lane), finalRetention)
			return nil
		})
		return err
	})
}
