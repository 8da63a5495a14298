// Package columnar holds a segment's records as columns: built once from the
// decoded records, queried in place by aggregations, and serialised to the bytes
// the disk and Redis tiers store (a pure records layer: the lane, the span and the
// checksum are the frame's, in pkg/fetch).
//
// Times are Unix nanoseconds, sorted within a batch; tags, locales, message types,
// conversation ids of messages and every top-level metadata key's text are
// dictionary codes, so a query groups by a code rather than by a string and never
// parses metadata JSON; counts are small integers with a validity bit. Free text
// (metadata JSON as sent, user input, bot text, message ids) sits in zstd blocks
// that only the queries that show it decode. A batch rebuilds any record exactly.
package columnar
