package plugin

import (
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

const day = 24 * time.Hour

// calendarShift reports whether the query's shift moves by days of its time
// zone's calendar rather than by a fixed duration: "7d earlier" on a dashboard
// in New York means the same local days a week before, so the shifted series
// lines up with the shown one bucket for bucket even when a daylight-saving
// change lies between them (the week before is then 167 or 169 hours away).
// Shifts in hours stay exact durations.
func calendarShift(q *query.Query) bool {
	return q.Location != nil && q.TimeShift > 0 && q.TimeShift%day == 0
}

// readWindow is the window a query reads: its range, shifted earlier.
func readWindow(q *query.Query, from, to time.Time) exportapi.Window {
	if calendarShift(q) {
		days := int(q.TimeShift / day)
		return exportapi.Window{From: from.In(q.Location).AddDate(0, 0, -days).UTC(), To: to.In(q.Location).AddDate(0, 0, -days).UTC()}
	}
	return exportapi.Window{From: from.Add(-q.TimeShift), To: to.Add(-q.TimeShift)}
}

// shownAt moves a shifted read's time back to the query's own times.
func shownAt(q *query.Query) func(time.Time) time.Time {
	if calendarShift(q) {
		days := int(q.TimeShift / day)
		return func(t time.Time) time.Time { return t.In(q.Location).AddDate(0, 0, days) }
	}
	return func(t time.Time) time.Time { return t.Add(q.TimeShift) }
}
