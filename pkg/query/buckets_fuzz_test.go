package query

import (
	"testing"
	"time"
)

// FuzzBucketSize checks that whatever bucket text and range arrive, a bucket is
// either refused or fits the contract: 1m to 7d, whole seconds, at most MaxBuckets.
func FuzzBucketSize(f *testing.F) {
	for _, s := range []string{"", "1m", "15m", "1h", "7d", "8d", "0s", "-1h", "1.5h", "1w", "1y", "9999999999d", "1ms", "abc"} {
		f.Add(s, int64(1795166696), int64(86400), int64(60), int64(1000))
	}
	f.Fuzz(func(t *testing.T, bucket string, from, span, intervalSec, maxPoints int64) {
		if span <= 0 || span > 10*365*86400 || from < 0 || from > 1e10 {
			return
		}
		q := Query{Bucket: bucket, Interval: time.Duration(intervalSec%86400) * time.Second, MaxDataPoints: maxPoints % 100000}
		start := time.Unix(from, 0)
		size, err := q.BucketSize(start, start.Add(time.Duration(span)*time.Second))
		if err != nil {
			return
		}
		if size < MinBucket || size > MaxBucket || size%time.Second != 0 {
			t.Fatalf("bucket %q gave %s", bucket, size)
		}
		if n := BucketCount(start, start.Add(time.Duration(span)*time.Second), size); n < 1 || n > MaxBuckets {
			t.Fatalf("bucket %q over %ds gave %d buckets", bucket, span, n)
		}
	})
}
