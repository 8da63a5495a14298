package fetch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// timeoutError says what a query that ran out of time had read and what it had
// not, in place of a bare deadline: the person reading it decides whether to
// narrow the range, wait or raise a timeout.
func timeoutError[T any](ctx context.Context, s *Source, endpoint string, w exportapi.Window, p plan[T], cons *consumer[T]) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return exportapi.ContextError(ctx, endpoint)
	}
	window := interval{from: w.From, to: w.To}
	var done []interval
	for _, h := range p.hits {
		done = append(done, h.span)
	}
	if p.started != nil {
		done = append(done, p.started.readSoFar()...)
	}
	for _, j := range p.joins {
		done = append(done, j.f.readSoFar()...)
	}
	read := totalLength(overlaps(merge(done), window))
	cons.mu.Lock()
	seen := cons.seen
	cons.mu.Unlock()
	latency := ""
	if l := s.cfg.Client.Latency(endpoint); l > 0 {
		latency = fmt.Sprintf(" (the API took about %s per page)", l.Round(100*time.Millisecond))
	}
	return exportapi.NewError(exportapi.KindTimeout, endpoint, fmt.Sprintf(
		"the AgentX Export API answered too slowly for the query's time%s: it read %d %s covering %s of the %s range, and %s remained unread; "+
			"narrow the time range, retry in a moment, or give queries more time (Grafana's data source timeout, or the alert rule's evaluation timeout)",
		latency, seen, endpoint, Human(read), Human(window.length()), Human(window.length()-read)))
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
