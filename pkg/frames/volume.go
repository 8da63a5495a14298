package frames

import (
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// Volume counts records per bucket and group: conversations started, messages sent.
// Every bucket of every group is present; a bucket where nothing happened counts 0.
type Volume struct {
	b      Buckets
	spec   SeriesSpec
	g      selection.Grouper
	counts map[string][]int64
	*groupCap
}

// NewVolume starts a count over b; seeds are groups that appear even when empty.
func NewVolume(b Buckets, spec SeriesSpec, g selection.Grouper, seeds []string) *Volume {
	v := &Volume{b: b, spec: spec, g: g, counts: map[string][]int64{}, groupCap: seriesCap(g, b.Len())}
	if !g.Grouped() {
		v.counts[""] = make([]int64, b.Len())
	}
	for _, s := range seeds {
		v.row(s)
	}
	return v
}

func (v *Volume) row(group string) []int64 {
	return row(v.counts, group, v.b.Len(), v.groupCap)
}

// Add counts one record at t in each of its groups. Past MaxSeries groups it
// counts no new group, and Err says so.
func (v *Volume) Add(t time.Time, groups []string) {
	i := v.b.Index(t)
	if i < 0 {
		return
	}
	for _, g := range groups {
		if r := v.row(g); r != nil {
			r[i]++
		}
	}
}

// Frames returns one series per group.
func (v *Volume) Frames() data.Frames {
	return timeSeries(v.b, v.spec, v.g, sortedGroups(v.counts), func(g string) any { return v.counts[g] })
}
