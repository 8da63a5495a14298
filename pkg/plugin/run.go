package plugin

import (
	"context"
	"fmt"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// answerer reads what a query type needs and aggregates it into frames. Each
// query type has one, in answer_<type>.go, registered with answers.
type answerer func(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error)

// answerers holds one answerer per query type; a test checks that every type of
// the registry has one.
var answerers = map[query.Type]answerer{}

// answers registers a type's answerer; it is called from the answer files'
// package-level declarations.
func answers(t query.Type, a answerer) struct{} {
	if _, dup := answerers[t]; dup {
		panic("two answerers for " + string(t))
	}
	answerers[t] = a
	return struct{}{}
}

// run answers one checked query: it decides what to read, streams the pages into
// the query type's aggregator and annotates the frames with the cost.
func (d *Datasource) run(ctx context.Context, q *query.Query, w exportapi.Window) backend.DataResponse {
	answer, ok := answerers[q.Type]
	if !ok {
		return errorResponse(badQuery(fmt.Errorf("the query type %q cannot be answered", q.Type)))
	}
	ctx, laid := layingOut(ctx)
	out, c, err := answer(d, ctx, q, w)
	if err != nil {
		return errorResponse(err)
	}
	if len(c.Incomplete) > 0 {
		if r, made := d.partial(q, w, out, c, laid.buckets); made == framesReplaced {
			return r
		}
	}
	if d.shared != nil {
		if st := d.shared.Status(); !st.Healthy {
			c.Warnings = append(c.Warnings, fmt.Sprintf("Redis %s (%s): this Grafana used its own cache and paced its requests at %.3g per second, its share of the limit, until Redis is back",
				st.Describe(), st.Problem, d.lease.FallbackRate()))
		}
	}
	links := q.Spec().Links
	for _, f := range out {
		annotate(f, c)
		if slices.Contains(links, query.LinkTranscript) {
			d.linkTranscripts(f, q)
		}
	}
	return backend.DataResponse{Frames: out}
}

// series is what every time series type starts from: its buckets, its grouper
// and the groups that must have a series even without records.
type seriesBase struct {
	buckets frames.Buckets
	grouper selection.Grouper
	seeds   []string
}

// laidOut is where newSeries leaves the buckets it laid out for the query run
// answers, so that a partial answer masks those very buckets.
type laidOut struct{ buckets *frames.Buckets }

type laidOutKey struct{}

// layingOut gives ctx a place for the buckets the query's answer lays out.
func layingOut(ctx context.Context) (context.Context, *laidOut) {
	l := &laidOut{}
	return context.WithValue(ctx, laidOutKey{}, l), l
}

func newSeries(ctx context.Context, q *query.Query, w exportapi.Window) (seriesBase, error) {
	b, err := bucketsOf(q, w)
	if err != nil {
		return seriesBase{}, err
	}
	if l, ok := ctx.Value(laidOutKey{}).(*laidOut); ok {
		l.buckets = &b
	}
	g := selection.NewGrouper(q)
	return seriesBase{buckets: b, grouper: g, seeds: g.Seeds(&q.Filters)}, nil
}

// bucketsOf lays out a time series' buckets over the window: the whole range,
// or buckets on the query's time zone's clock (the Unix epoch without one).
func bucketsOf(q *query.Query, w exportapi.Window) (frames.Buckets, error) {
	size, err := q.BucketSize(w.From, w.To)
	if err != nil {
		return frames.Buckets{}, badQuery(err)
	}
	if q.Bucket == query.WholeRange {
		return frames.RangeBucket(w.From, w.To), nil
	}
	return frames.NewZonedBuckets(w.From, w.To, size, q.Location), nil
}
