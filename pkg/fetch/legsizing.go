package fetch

import (
	"math"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/internal/opaque"
)

// Leg sizing: how many legs a read starts with (streams), from the latency
// and the records per hour earlier reads measured (density, remembered in the
// hints), and where its spans are cut between them (split). legs.go runs the
// legs and cuts one that falls behind.

// maxStreams bounds the parallel exports of one read: each costs up to one partial page.
const maxStreams = 4

// minStreamSpan is the least time one parallel stream covers when the record density
// is not known yet: a shorter stream would likely cost a whole request for little.
const minStreamSpan = 2 * time.Hour

func (s *Source) densityKey(endpoint, bot string) string {
	return s.scope + "|" + bot + "|" + endpoint
}

// streams is how many legs a read starts with: enough to keep the rate limit busy
// at the latency measured (now, or by an earlier process), but no more than the
// records justify, as each leg ends on a partial page. With no latency known, a
// read of two days or more starts with two legs: the first answers tell, and legs
// are cut then. (Shorter reads keep one: a day is a few pages for most bots.)
func (s *Source) streams(endpoint, bot string, spans []span) int {
	total := spanTotal(spans)
	want, known := s.latencyLegs(endpoint)
	if !known && total >= speculateFrom {
		want = speculativeLegs
	}
	if density, ok := s.density(endpoint, bot); ok {
		pages := density * total.Hours() / exportapi.MaxPerPage
		return max(1, min(want, int(pages/2)))
	}
	return max(1, min(want, int(total/minStreamSpan)))
}

// speculateFrom is the shortest read that speculates.
const speculateFrom = 48 * time.Hour

// legSlack is the share of a request interval a latency may exceed a whole
// number of intervals by without one more leg.
const legSlack = 0.1

// speculativeLegs start a read when nothing is known of the API's latency: at a
// low latency the second leg costs one partial page, at a high one it halves the
// first read's wait.
const speculativeLegs = 2

// legsForLatency is how many legs keep the rate limit busy at the latency
// measured so far: as many requests as fit in one answer's wait, at least one.
func (s *Source) legsForLatency(endpoint string) int {
	n, _ := s.latencyLegs(endpoint)
	return n
}

// latencyLegs is legsForLatency, and whether any latency is known: measured in
// this process, or remembered from an earlier one.
func (s *Source) latencyLegs(endpoint string) (int, bool) {
	latency := s.cfg.Client.Latency(endpoint).Seconds()
	known := latency > 0
	if !known && s.cfg.Hints != nil {
		latency, known = s.cfg.Hints.Hint(s.hintKey("latency", endpoint))
	}
	// A latency a shade over a whole number of request intervals does not earn
	// another leg, which would cost a partial page to gain a few percent.
	n := math.Ceil(latency*s.cfg.Client.Rate(endpoint) - legSlack)
	return max(1, min(int(n), maxStreams)), known
}

// density is a bot's endpoint's records per hour, as earlier reads found it.
func (s *Source) density(endpoint, bot string) (float64, bool) {
	if d, ok := s.cfg.Flights.knownDensity(s.densityKey(endpoint, bot)); ok {
		return d, true
	}
	if s.cfg.Hints != nil {
		return s.cfg.Hints.Hint(s.hintKey("density", endpoint+"|"+bot))
	}
	return 0, false
}

// remember keeps what a read measured, in memory and in the hints.
func (s *Source) remember(endpoint, bot string, perHour float64) {
	s.cfg.Flights.rememberDensity(s.densityKey(endpoint, bot), perHour)
	if s.cfg.Hints == nil {
		return
	}
	save := func(key string, v float64) {
		if s.cfg.Flights.worthHinting(key, v) {
			s.cfg.Hints.SaveHint(key, v)
		}
	}
	if d, ok := s.cfg.Flights.knownDensity(s.densityKey(endpoint, bot)); ok {
		save(s.hintKey("density", endpoint+"|"+bot), d)
	}
	if l := s.cfg.Client.Latency(endpoint); l > 0 {
		save(s.hintKey("latency", endpoint), l.Seconds())
	}
}

// hintKey names a measurement of this server and key in the disk store, as
// opaquely as a lane (see laneID).
func (s *Source) hintKey(kind, name string) string {
	return kind + "|" + opaque.Name(s.cfg.APIKey, "hint", s.scope, name)
}

func spanTotal(spans []span) time.Duration {
	var total time.Duration
	for _, sp := range spans {
		total += sp.to.Sub(sp.from)
	}
	return total
}

// split cuts the spans into n streams of about equal time, at chunk boundaries.
func split(spans []span, n int) []span {
	if n <= len(spans) {
		return spans
	}
	target := spanTotal(spans) / time.Duration(n)
	var out []span
	for _, sp := range spans {
		for sp.to.Sub(sp.from) > target+target/2 {
			cut := chunkFloor(sp.from.Add(target))
			if !cut.After(sp.from) {
				break
			}
			head := sp
			head.to = cut
			head.cacheTo = minTime(sp.cacheTo, cut)
			out = append(out, head)
			sp.from = cut
			sp.cacheFrom = maxTime(sp.cacheFrom, cut)
		}
		out = append(out, sp)
	}
	return out
}
