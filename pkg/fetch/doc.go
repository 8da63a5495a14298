// Package fetch decides what to read from the Export API for a query's time range
// and shares it: between the queries of a request, between panels, dashboards and
// alert rules running at once, and, for settled time, between one refresh and the
// next through a cache of epoch-aligned chunks. Filters and grouping happen after
// it, in the caller, so they never cost another export.
//
// read (read.go) takes a query through the steps of docs/fetch.md, "A read's
// life"; each idea it uses has a file of its own:
//
//   - source.go: the package's face: Config, Source, Request, Stats, and the four
//     ways to read (records or columns, conversations or messages).
//   - endpoint.go: what a read needs to know of one record type.
//   - plan.go, planning: which time memory and the tiers already hold
//     (storedFor, outside every lock), then, under the registry's lock, what
//     comes from segments, from flights under way and from one new flight
//     (makePlan); settledZone is the part of a window that is cached.
//   - flight.go: the registry of flights per lane (Flights), the flight and its
//     subscribers. flightlife.go is a flight's life: startFlight prepares the
//     export, finishFlight turns what it read into segments for memory, and
//     persist hands them to the tiers before any query answers.
//   - legs.go runs a flight's legs and cuts one that falls behind; legsizing.go
//     decides how many legs a read starts with (streams, from latency and
//     density) and where its spans are cut (split).
//   - retain.go: what a flight keeps of what it read, within the memory budget;
//     chunkwriter.go writes its whole settled chunks to the tiers while it reads.
//   - consumer.go: one query's side of a read (the consumer) and the held
//     segments it streams, loaded and decoded one at a time.
//   - cache.go: the memory cache of segments; tier.go, the tiers below it (disk,
//     Redis); frame.go, codec.go, batch.go and shared.go, a segment's bytes, its
//     columns and the decodes queries share.
//   - lease.go and replicas.go: with Redis, leases between replicas and waiting
//     on another replica's export.
//   - partial.go: answering at Request.AnswerBy with the time read so far while
//     the read goes on; progress.go, which time has been handed on; timeout.go,
//     what a read that ran out of time tells.
//   - intervals.go and grid.go: time intervals and the 15-minute chunk grid;
//     telemetry.go, the metrics and traces.
//
// Locks are taken in one order, never the reverse: Flights.mu, then flight.mu,
// then Cache.mu (docs/fetch.md, "Locks").
package fetch
