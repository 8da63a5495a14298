package query

import (
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"

	"github.com/agentx-support/agentx-export-datasource/pkg/quote"
	"github.com/agentx-support/agentx-export-datasource/pkg/timegrid"
)

// MaxBuckets bounds the points of one series, as Prometheus bounds its queries:
// more would not fit on a screen and would cost memory in every panel.
const MaxBuckets = 11000

// roundBuckets are the sizes an empty bucket is rounded up to, so that derived
// buckets line up with clock time people read.
var roundBuckets = []time.Duration{
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour,
}

// WholeRange is the bucket that covers a query's whole range [from, to), stamped
// at from: what a stat panel needs to show one exact figure for the dashboard's
// range (a resolution rate, a median) rather than a mean of per-bucket figures.
// It is the one bucket not aligned to the epoch.
const WholeRange = "range"

// BucketSize returns the bucket of a time series over [from, to): the query's own,
// or a round size derived from Grafana's interval and max data points. A range that
// would need more than MaxBuckets buckets is refused with a bucket that works.
// With WholeRange it returns the range's length.
func (q *Query) BucketSize(from, to time.Time) (time.Duration, error) {
	if q.Bucket == WholeRange {
		if !to.After(from) {
			return 0, fmt.Errorf("bucket %s needs a time range that is not empty", WholeRange)
		}
		return to.Sub(from), nil
	}
	if q.Bucket != "" {
		size, err := ParseBucket(q.Bucket)
		if err != nil {
			return 0, err
		}
		if n := q.bucketCount(from, to, size); n > MaxBuckets {
			return 0, fmt.Errorf("bucket %s over this range needs %d buckets, more than %d; use a bucket of %s or more, or leave it empty",
				quote.Text(q.Bucket), n, MaxBuckets, gtime.FormatInterval(q.smallestBucket(from, to)))
		}
		return size, nil
	}
	want := q.Interval
	if q.MaxDataPoints > 0 {
		if per := to.Sub(from) / time.Duration(q.MaxDataPoints); per > want {
			want = per
		}
	}
	for _, b := range roundBuckets {
		if b >= want && q.bucketCount(from, to, b) <= MaxBuckets {
			return b, nil
		}
	}
	return 0, fmt.Errorf("the time range is too long for buckets of at most 7d (%d buckets at most); narrow it", MaxBuckets)
}

func (q *Query) smallestBucket(from, to time.Time) time.Duration {
	for _, b := range roundBuckets {
		if q.bucketCount(from, to, b) <= MaxBuckets {
			return b
		}
	}
	return roundBuckets[len(roundBuckets)-1]
}

// BucketCount is the number of epoch-aligned buckets of size that [from, to) touches.
func BucketCount(from, to time.Time, size time.Duration) int64 {
	return timegrid.Count(from, to, size)
}

// bucketCount is the number of the query's buckets of size over [from, to): on
// its time zone's clock when it names one.
func (q *Query) bucketCount(from, to time.Time, size time.Duration) int64 {
	return timegrid.ZonedCount(from, to, size, q.Location, MaxBuckets)
}
