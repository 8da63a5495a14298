package plugin

import (
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

// unread is the time of w whose records had not all arrived when the query answered.
func unread(w exportapi.Window, c fetch.Stats) []exportapi.Window {
	var out []exportapi.Window
	for _, iw := range c.Incomplete {
		if in := iw.Intersect(w); !in.Empty() {
			out = append(out, in)
		}
	}
	return out
}

// partialAnswer is what partial made of a query's frames.
type partialAnswer int

const (
	// framesComplete: all of the window is read; the frames answer as they are.
	framesComplete partialAnswer = iota
	// framesMarked: the frames answer, changed in place: unread buckets null, a
	// notice, the progress in their custom meta.
	framesMarked
	// framesReplaced: the frames cannot be exact yet; the response partial
	// returned answers instead.
	framesReplaced
)

// partial turns the frames of a query that answered before its read finished
// into what is exact: time series keep the buckets whose time is all read (the
// others null), row tables the newest rows whose time is all read (their
// answerers leave the unread time out before the limit); a notice says how
// much is read and what slows the read, and the frame's custom meta carries the progress. Aggregates over
// the whole range (counts, the histogram, values) cannot be exact until the range
// is read: they answer with an error that says so, while the read goes on.
// A time series masks the buckets its answer laid out (newSeries).
func (d *Datasource) partial(q *query.Query, w exportapi.Window, out data.Frames, c fetch.Stats, laid *frames.Buckets) (backend.DataResponse, partialAnswer) {
	incomplete := unread(w, c)
	if len(incomplete) == 0 {
		return backend.DataResponse{}, framesComplete
	}
	total := w.To.Sub(w.From)
	missing := time.Duration(0)
	for _, iw := range incomplete {
		missing += iw.To.Sub(iw.From)
	}
	read := fmt.Sprintf("%s of %s", fetch.Human(total-missing), fetch.Human(total))
	why := whatSlows(c, d.settings.RequestsPerSecond, total-missing, missing)
	switch {
	case q.Spec().RowTime:
		// Their tables left the unread time out before the limit (unread).
	default:
		if !q.TimeSeries() {
			return backend.ErrDataResponseWithSource(backend.StatusTooManyRequests, backend.ErrorSourceDownstream, fmt.Sprintf(
				"Still reading so far: %s of this range is read, and the rest is being read in the background. %s "+
					"A %s over the range is exact only once all of it is read: refresh in a minute, or narrow the range.",
				read, why, q.Type)), framesReplaced
		}
		if laid == nil {
			return errorResponse(fmt.Errorf("the %s answer laid out no buckets to mark", q.Type)), framesReplaced
		}
		frames.MaskBuckets(out, incomplete, *laid)
	}
	progress := map[string]any{
		"complete": false, "readSeconds": (total - missing).Seconds(), "rangeSeconds": total.Seconds(), "incomplete": incomplete,
	}
	order := ""
	if fetch.ReadsNewestFirst(total) {
		order = ", newest first"
	}
	for _, f := range out {
		if f.Meta == nil {
			f.Meta = &data.FrameMeta{}
		}
		f.Meta.Custom = map[string]any{"progress": progress}
		f.AppendNotices(data.Notice{Severity: data.NoticeSeverityWarning, Text: fmt.Sprintf(
			"%s of this range is read so far%s; the rest is being read in the background and is empty here (null, not 0). %s Refresh in a minute to see more.", read, order, why)})
	}
	return backend.DataResponse{}, framesMarked
}
