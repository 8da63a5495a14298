package fetch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/settings"
)

// timeoutError says what a query that ran out of time had read and what it had
// not, in place of a bare deadline or a rate-limit error the API never sent: the
// person reading it decides whether to narrow the range, give the query more
// time or keep the range synced ahead. The plugin's own rate limit, not the
// API, was the bound when the limiter could not fit the next request before the
// deadline (exportapi.ErrPaced, the cause), or when the deadline fell during a
// request of a read whose legs keep the rate busy at the latency measured, with
// no 429: which of the two ends a paced read is chance.
func timeoutError[T any](ctx context.Context, s *Source, endpoint string, req Request, p plan[T], cons *consumer[T], cause error, cost exportapi.Stats) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return exportapi.ContextError(ctx, endpoint)
	}
	window := interval{from: req.Window.From, to: req.Window.To}
	read := totalLength(overlaps(p.readSoFar(), window))
	left := window.length() - read
	cons.mu.Lock()
	seen := cons.seen
	cons.mu.Unlock()
	rate := s.cfg.Client.Rate(endpoint)
	var why string
	latency := s.cfg.Client.Latency(endpoint)
	rateBound := latency > 0 && latency.Seconds()*rate <= maxStreams
	if errors.Is(cause, exportapi.ErrPaced) || (cost.RateLimited == 0 && rateBound) {
		// Not the API's doing: no 429 came. The figures say what the rate allows.
		shared := ""
		if s.cfg.Leases != nil {
			shared = ", shared through Redis by every Grafana server using this API key"
		}
		why = fmt.Sprintf("the query's time ran out at the data source's rate limit (%q: %.3g per second%s; the API refused no request)",
			settings.Label("requestsPerSecond"), rate, shared)
	} else {
		why = "the AgentX Export API answered too slowly for the query's time"
		if latency > 0 {
			why += fmt.Sprintf(" (the API took about %s per page)", latency.Round(100*time.Millisecond))
		}
	}
	more := ""
	if pages, ok := pagesLeft(s, endpoint, req.Bot, seen, read, left); ok {
		more = fmt.Sprintf(", about %d more %s at %.3g per second (%s)", pages, plural(pages, "request", "requests"), rate,
			Human(time.Duration(float64(pages)/rate*float64(time.Second))))
	}
	return exportapi.NewError(exportapi.KindTimeout, endpoint, fmt.Sprintf(
		"%s: it read %d %s covering %s of the %s range, and %s remained unread%s; "+
			"narrow the time range, give queries more time (the alert rule's evaluation timeout, or Grafana's data source timeout)%s",
		why, seen, endpoint, Human(read), Human(window.length()), Human(left), more, syncAdvice(s, window)))
}

// pagesLeft estimates the requests the unread time needs, from the records per
// hour of what was read, or else of what earlier reads of the bot found.
func pagesLeft(s *Source, endpoint, bot string, seen int64, read, left time.Duration) (int, bool) {
	if left <= 0 {
		return 0, false
	}
	var perHour float64
	switch d, known := s.density(endpoint, bot); {
	case read >= time.Minute:
		perHour = float64(seen) / read.Hours()
	case known:
		perHour = d
	default:
		return 0, false
	}
	return max(1, int(math.Ceil(perHour*left.Hours()/exportapi.MaxPerPage))), true
}

// syncAdvice suggests keeping a recent range read ahead by the background sync,
// which reaches back at most the most days the setting takes.
func syncAdvice(s *Source, window interval) string {
	days := math.Ceil(s.cfg.Now().Sub(window.from).Hours() / 24)
	if days < 1 || days > settings.Most("syncDays") {
		return ""
	}
	return fmt.Sprintf(", or keep the range read ahead: %q of %.0f or more has the background sync read it for the default and known bots",
		settings.Label("syncDays"), days)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Human writes a duration the way a dashboard would: 2d 3h, 45m, 12s.
func Human(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= 24*time.Hour:
		days, rest := d/(24*time.Hour), (d % (24 * time.Hour)).Round(time.Hour)
		if rest == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd %dh", days, rest/time.Hour)
	case d >= time.Hour:
		h, m := d/time.Hour, (d%time.Hour).Round(time.Minute)/time.Minute
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh %dm", h, m)
	case d >= time.Minute:
		return fmt.Sprintf("%dm", d.Round(time.Minute)/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// AnswerMargin is how long before a deadline work stops so that there is time to
// answer in the plugin's own words rather than with a bare deadline: a tenth of
// the time left, from 250 ms to 3 s (docs/reference.md). The request keeps it for
// its queries, and a query waiting on another replica for its own error.
func AnswerMargin(left time.Duration) time.Duration {
	return min(max(left/10, 250*time.Millisecond), 3*time.Second)
}
