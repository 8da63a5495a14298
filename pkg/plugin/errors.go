package plugin

import (
	"errors"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// errBadQuery marks a query the user must change; it is never the API's fault.
type errBadQuery struct{ error }

func badQuery(err error) error { return errBadQuery{err} }

// errorResponse turns a failed export into a query error with the status and
// error source Grafana uses to tell plugin faults from upstream ones.
func errorResponse(err error) backend.DataResponse {
	if r, ok := botErrorResponse(err); ok {
		return r
	}
	var bq errBadQuery
	if errors.As(err, &bq) {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, bq.Error())
	}
	var e *exportapi.Error
	if !errors.As(err, &e) {
		return backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin, err.Error())
	}
	status := backend.StatusBadGateway
	switch e.Kind {
	case exportapi.KindKeyRejected:
		status = backend.StatusUnauthorized
	case exportapi.KindBotNotFound:
		status = backend.StatusNotFound
	case exportapi.KindBadRequest:
		status = backend.StatusBadRequest
	case exportapi.KindRateLimited:
		status = backend.StatusTooManyRequests
	case exportapi.KindTimeout, exportapi.KindCanceled:
		status = backend.StatusTimeout
	case exportapi.KindTooManyRecords:
		status = backend.StatusBadRequest
	}
	src := backend.ErrorSourcePlugin
	if e.Downstream() {
		src = backend.ErrorSourceDownstream
	}
	return backend.ErrDataResponseWithSource(status, src, e.Error())
}
