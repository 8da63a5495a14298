package fetch

import (
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/timegrid"
)

// ChunkSize is the cache's unit of time. Requests are not made per chunk: a run of
// missing chunks is read as one export, so the chunk size costs no extra pages.
// Fifteen minutes keeps the re-read live tail short.
const ChunkSize = 15 * time.Minute

func chunkFloor(t time.Time) time.Time { return timegrid.Floor(t, ChunkSize) }

// chunkAt is the chunk that starts at start (Unix nanoseconds).
func chunkAt(start int64) interval {
	from := time.Unix(0, start).UTC()
	return interval{from: from, to: from.Add(ChunkSize)}
}

func chunkCeil(t time.Time) time.Time { return timegrid.Ceil(t, ChunkSize) }

// maxInstant is later than any record.
var maxInstant = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
