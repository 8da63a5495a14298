package plugin

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// queryConcurrency bounds the queries of one request that run at once. They share
// the rate limiter, so more would only queue there.
const queryConcurrency = 4

// QueryData answers every query of the request on its own: one query's failure
// (a bad field, an unknown bot, an upstream error) is its error only.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	fromAlert := req.Headers[backend.FromAlertHeaderName] == "true" || req.GetHTTPHeader(backend.FromAlertHeaderName) == "true"
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, queryConcurrency)
	for _, dq := range req.Queries {
		wg.Add(1)
		go func(dq backend.DataQuery) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := d.safeQuery(ctx, dq, fromAlert)
			mu.Lock()
			resp.Responses[dq.RefID] = r
			mu.Unlock()
		}(dq)
	}
	wg.Wait()
	return resp, nil
}

// safeQuery turns a panic into that query's error so the rest of the request survives it.
func (d *Datasource) safeQuery(ctx context.Context, dq backend.DataQuery, fromAlert bool) (r backend.DataResponse) {
	defer func() {
		if p := recover(); p != nil {
			d.logger.Error("query panicked", "refId", dq.RefID, "panic", fmt.Sprint(p))
			r = backend.ErrDataResponse(backend.StatusInternal, "the plugin failed on this query; see the Grafana server log")
		}
	}()
	start := time.Now()
	r = d.query(ctx, dq, fromAlert)
	d.logger.Debug("query answered", "refId", dq.RefID, "queryType", dq.QueryType, "duration", time.Since(start), "failed", r.Error != nil)
	return r
}

func (d *Datasource) query(ctx context.Context, dq backend.DataQuery, fromAlert bool) backend.DataResponse {
	if d.settingsErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, d.settingsErr.Error())
	}
	q, err := query.Parse(dq.JSON, dq.QueryType, d.settings.DefaultBot)
	if err != nil {
		return errorResponse(badQuery(err))
	}
	q.Interval, q.MaxDataPoints = dq.Interval, dq.MaxDataPoints
	w := exportapi.Window{From: dq.TimeRange.From.UTC(), To: dq.TimeRange.To.UTC()}
	if w.To.Before(w.From) {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, "the time range ends before it starts")
	}
	if fromAlert && !q.TimeSeries() {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream,
			fmt.Sprintf("%s answers with a table; alert rules evaluate time series: use conversationVolume, messageVolume, tagRate or userMessages", q.Type))
	}
	return d.run(ctx, &q, w)
}
