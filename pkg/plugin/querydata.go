package plugin

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// QueryData answers every query of the request on its own: one query's failure
// (a bad field, an unknown bot, an upstream error) is its error only. Every query
// starts at once: most wait on exports they share with other queries or on the
// rate limiter, and a slot held while waiting would keep a query of the other
// endpoint from starting its export.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	d.startSync()
	resp := backend.NewQueryDataResponse()
	fromAlert := req.Headers[backend.FromAlertHeaderName] == "true" || req.GetHTTPHeader(backend.FromAlertHeaderName) == "true"
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
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, dq := range req.Queries {
		wg.Add(1)
		go func(dq backend.DataQuery) {
			defer wg.Done()
			r := d.safeQuery(ctx, dq, fromAlert)
			validResponse(&r)
			mu.Lock()
			resp.Responses[dq.RefID] = r
			mu.Unlock()
		}(dq)
	}
	wg.Wait()
	return resp, nil
}

// withAnswerMargin ends the queries' work a little before the request's own
// deadline: Grafana gives up on the call at that deadline with a bare gRPC error,
// and the margin leaves time to answer with the plugin's own message instead.
func withAnswerMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(max(time.Until(deadline)/10, minAnswerMargin), maxAnswerMargin)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}

// The times a query can name: nanoseconds since 1970 in 64 bits.
var (
	earliest = time.Unix(0, 0).UTC()
	latest   = time.Unix(0, math.MaxInt64).UTC()
)

// answerDueMargin keeps a partial answer clear of the query's own deadline.
const answerDueMargin = 200 * time.Millisecond

// The answer margin is a tenth of the time left, within these bounds.
const (
	minAnswerMargin = 250 * time.Millisecond
	maxAnswerMargin = 3 * time.Second
)

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
	q, err := query.Parse(dq.JSON, query.Type(dq.QueryType), d.settings.DefaultBot)
	if err != nil {
		return errorResponse(badQuery(err))
	}
	q.Interval, q.MaxDataPoints = dq.Interval, dq.MaxDataPoints
	w := exportapi.Window{From: dq.TimeRange.From.UTC().Add(-q.TimeShift), To: dq.TimeRange.To.UTC().Add(-q.TimeShift)}
	if w.To.Before(w.From) {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, "the time range ends before it starts")
	}
	if w.From.Before(earliest) || w.To.After(latest) {
		// Grafana passes times as nanoseconds since 1970 in 64 bits: outside these
		// years they arrive wrapped, and an answer would be about other years.
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			fmt.Sprintf("the time range %s to %s cannot be read: pick a range between 1970 and 2262 (times outside it reach the plugin garbled)",
				w.From.Format(time.DateOnly), w.To.Format(time.DateOnly)))
	}
	if fromAlert && !q.TimeSeries() {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			fmt.Sprintf("%s answers with a table; alert rules evaluate time series: use %s", q.Type, query.Choices(query.TypesOf(query.KindSeries))))
	}
	r := d.run(ctx, &q, w)
	if q.TimeShift > 0 && r.Error == nil {
		frames.ShiftSeries(r.Frames, q.TimeShift)
	}
	return r
}
