package frames

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// Rate is the percent (0–100) of a bucket's conversations that carry a tag, per
// group; null where a bucket has no conversations in the group.
type Rate struct {
	b           Buckets
	spec        SeriesSpec
	g           selection.Grouper
	total, hits map[string][]int64
	*groupCap
}

// NewRate starts a rate over b; seeds are groups that appear even when empty.
func NewRate(b Buckets, spec SeriesSpec, g selection.Grouper, seeds []string) *Rate {
	r := &Rate{b: b, spec: spec, g: g, total: map[string][]int64{}, hits: map[string][]int64{}, groupCap: seriesCap(g, b.Len())}
	if !g.Grouped() {
		r.rows("")
	}
	for _, s := range seeds {
		r.rows(s)
	}
	return r
}

// rows returns a group's totals and hits; nil when the group is refused.
func (r *Rate) rows(group string) ([]int64, []int64) {
	total := row(r.total, group, r.b.Len(), r.groupCap)
	if total == nil {
		return nil, nil
	}
	return total, row(r.hits, group, r.b.Len(), nil)
}

// Add counts one conversation at t in each of its groups; hit says it carries the
// tag. Past MaxSeries groups it counts no new group, and Err says so.
func (r *Rate) Add(t time.Time, groups []string, hit bool) {
	i := r.b.Index(t)
	if i < 0 {
		return
	}
	for _, g := range groups {
		total, hits := r.rows(g)
		if total == nil {
			continue
		}
		total[i]++
		if hit {
			hits[i]++
		}
	}
}

// Frames returns one percent series per group.
func (r *Rate) Frames() data.Frames {
	return timeSeries(r.b, r.spec, r.g, sortedGroups(r.total), func(g string) any {
		total, hits := r.total[g], r.hits[g]
		out := make([]*float64, len(total))
		for i := range total {
			if total[i] > 0 {
				p := float64(hits[i]) * 100 / float64(total[i])
				out[i] = &p
			}
		}
		return out
	})
}
