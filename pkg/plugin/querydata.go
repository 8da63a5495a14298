package plugin

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// QueryData answers every query of the request on its own: one query's failure
// (a bad field, an unknown bot, an upstream error) is its error only. Every query
// starts at once: most wait on exports they share with other queries or on the
// rate limiter, and a slot held while waiting would keep a query of the other
// endpoint from starting its export. The request answers by its own deadline less
// the answer margin, whatever its queries do: one still at work then answers the
// plugin's message, never Grafana's bare deadline error for the whole call.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	d.startSync()
	resp := backend.NewQueryDataResponse()
	fromAlert := req.Headers[backend.FromAlertHeaderName] == "true" || req.GetHTTPHeader(backend.FromAlertHeaderName) == "true"
	due, stopDue := answerDue(ctx)
	defer stopDue()
	ctx, cancel := withAnswerMargin(ctx)
	defer cancel()
	if !fromAlert && d.settingsErr == nil {
		// A dashboard waits no longer than responseSeconds: then it answers with what
		// is complete, and the read goes on. Alert rules wait for the whole answer.
		by := time.Now().Add(d.settings.Response)
		if deadline, ok := ctx.Deadline(); ok && deadline.Add(-answerDueMargin).Before(by) {
			by = deadline.Add(-answerDueMargin)
		}
		ctx = withAnswerBy(ctx, by)
	}
	type answer struct {
		refID string
		r     backend.DataResponse
	}
	// Buffered for every query, so that one answering after the request has
	// answered leaves nothing blocked behind.
	answers := make(chan answer, min(len(req.Queries), maxQueriesPerRequest))
	var running []string
	for i, dq := range req.Queries {
		if i >= maxQueriesPerRequest {
			resp.Responses[dq.RefID] = tooManyQueries(len(req.Queries))
			continue
		}
		running = append(running, dq.RefID)
		go func() {
			r := d.safeQuery(ctx, dq, fromAlert)
			validResponse(&r)
			answers <- answer{dq.RefID, r}
		}()
	}
	for range running {
		select {
		case a := <-answers:
			resp.Responses[a.refID] = a.r
		case <-due:
			for _, ref := range running {
				if _, ok := resp.Responses[ref]; !ok {
					resp.Responses[ref] = noAnswerInTime(len(running))
				}
			}
			return resp, nil
		}
	}
	return resp, nil
}

// maxQueriesPerRequest bounds one request's work and answer: Grafana sends a
// panel's or an alert rule's queries in one request, a few of them. Ten thousand
// would cost more to answer and to encode than any deadline allows.
const maxQueriesPerRequest = 100

func tooManyQueries(n int) backend.DataResponse {
	return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, fmt.Sprintf(
		"this request holds %d queries; the data source answers at most %d in one request: split them over several panels or alert rules",
		n, maxQueriesPerRequest))
}

func noAnswerInTime(n int) backend.DataResponse {
	return backend.ErrDataResponseWithSource(backend.StatusTimeout, backend.ErrorSourcePlugin, fmt.Sprintf(
		"this query had no answer by the request's deadline (one of %d queries in the request): narrow the time range, or spread the queries over several panels",
		n))
}

// withAnswerMargin ends the queries' work a little before the request's own
// deadline: Grafana gives up on the call at that deadline with a bare gRPC error,
// and the margin leaves time to answer with the plugin's own message instead.
func withAnswerMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-answerMargin(deadline)))
}

// answerDue fires when the request must answer without the queries still at
// work: three quarters of the margin after their work ended (time for a query
// that ran out of time to say what it read), the last quarter kept for encoding
// the answer. It never fires without a deadline: a cancelled request waits for
// its queries, which end at once with the cancellation.
func answerDue(ctx context.Context) (<-chan time.Time, func()) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil, func() {}
	}
	t := time.NewTimer(time.Until(deadline.Add(-answerMargin(deadline) / 4)))
	return t.C, func() { t.Stop() }
}

// answerMargin is fetch.AnswerMargin of the time left before deadline.
func answerMargin(deadline time.Time) time.Duration {
	return fetch.AnswerMargin(time.Until(deadline))
}

// The times a query can name: nanoseconds since 1970 in 64 bits.
var (
	earliest = time.Unix(0, 0).UTC()
	latest   = time.Unix(0, math.MaxInt64).UTC()
)

// rangeBounds is the rule for the times a query can name, as the contract states it.
const rangeBounds = "the time range must lie within 1970-01-01 and 2262-04-11 (times outside it reach the plugin garbled)"

// answerDueMargin keeps a partial answer clear of the query's own deadline.
const answerDueMargin = 200 * time.Millisecond

// safeQuery turns a panic into that query's error so the rest of the request survives it.
func (d *Datasource) safeQuery(ctx context.Context, dq backend.DataQuery, fromAlert bool) (r backend.DataResponse) {
	defer func() {
		if p := recover(); p != nil {
			d.logger.FromContext(ctx).Error("query panicked", "refId", dq.RefID, "queryType", dq.QueryType, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			r = backend.ErrDataResponse(backend.StatusInternal, "the plugin failed on this query; see the Grafana server log")
		}
	}()
	start := time.Now()
	r = d.query(ctx, dq, fromAlert)
	d.logger.FromContext(ctx).Debug("query answered", "refId", dq.RefID, "queryType", dq.QueryType, "duration", time.Since(start), "failed", r.Error != nil)
	return r
}

func (d *Datasource) query(ctx context.Context, dq backend.DataQuery, fromAlert bool) backend.DataResponse {
	if d.settingsErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, d.settingsErr.Error())
	}
	q, err := query.ParseWithBots(dq.JSON, query.Type(dq.QueryType), d.settings.DefaultBot, d.settings.KnownBots())
	if err != nil {
		return errorResponse(badQuery(err))
	}
	q.Interval, q.MaxDataPoints = dq.Interval, dq.MaxDataPoints
	w := readWindow(&q, dq.TimeRange.From.UTC(), dq.TimeRange.To.UTC())
	// The bounds first: a time past 2262 reaches the plugin wrapped into the 1700s
	// (the SDK turns Grafana's epoch milliseconds into 64-bit nanoseconds), so
	// 1960–2300 arrives as a range that ends before it starts.
	if w.From.Before(earliest) || w.To.After(latest) || w.To.Before(earliest) {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, rangeBounds)
	}
	if w.To.Before(w.From) {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			"the time range ends before it starts (a range reaching before 1970 may arrive so: "+rangeBounds+")")
	}
	if fromAlert && !q.Spec().Alerting {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, alertRefusal(&q))
	}
	r := d.run(ctx, &q, w)
	if q.TimeShift > 0 && r.Error == nil {
		frames.ShiftSeriesBy(r.Frames, shownAt(&q), q.TimeShiftText)
	}
	return r
}

// alertRefusal says why an alert rule cannot use the query's type, and which it can.
func alertRefusal(q *query.Query) string {
	why := "answers with a table"
	if q.TimeSeries() {
		why = "is not for alert rules"
	}
	return fmt.Sprintf("%s %s; alert rules evaluate time series: use %s", q.Type, why, query.Choices(query.AlertTypes()))
}
