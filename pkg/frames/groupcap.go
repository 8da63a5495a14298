package frames

import (
	"fmt"

	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/quote"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// MaxSeries is the most series one query answers (docs/reference.md). Past it a
// panel draws noise and an alert rule evaluates thousands of series; each series
// holds every bucket, so the cap also bounds the memory of a grouping by a key
// with a value per conversation (a timestamp, an id).
const MaxSeries = 500

// MaxCountGroups bounds the groups of a conversationCounts table. Its limit keeps
// the largest groups, and to know which are largest every group is counted: memory
// grows with the groups, not with the rows shown.
const MaxCountGroups = 100_000

// maxCountGroupBytes bounds the names of those groups: a metadata value may be a
// long text.
const maxCountGroupBytes = 64 << 20

// groupCap counts the distinct groups of one aggregation and refuses new ones
// past its bound, before their memory is taken; Err then says why the query
// cannot be answered.
type groupCap struct {
	g             selection.Grouper
	max, maxBytes int
	n, bytes      int
	over          bool
	rule          string // the bound and what to do instead
}

// MaxSeriesCells bounds the buckets of all a query's series together: 500 series
// of 11,000 buckets would hold 5.5 million cells (176 MB of statistics), so at
// the finest buckets fewer series fit. A million cells is 8 MB of counts, 32 MB
// of statistics.
const MaxSeriesCells = 1_000_000

// seriesCap bounds the series of an aggregation over buckets buckets a series.
func seriesCap(g selection.Grouper, buckets int) *groupCap {
	most := min(MaxSeries, max(1, MaxSeriesCells/max(1, buckets)))
	rule := fmt.Sprintf("a query answers at most %d series: add a filter that narrows it, or use conversationCounts with a limit to see the largest groups", MaxSeries)
	if most < MaxSeries {
		rule = fmt.Sprintf("a query's series hold at most %d buckets in all, so at %d buckets a series it answers at most %d series: "+
			"choose a larger bucket or a shorter range, add a filter that narrows it, or use conversationCounts with a limit to see the largest groups",
			MaxSeriesCells, buckets, most)
	}
	return &groupCap{g: g, max: most, maxBytes: -1, rule: rule}
}

func countsCap(g selection.Grouper) *groupCap {
	return &groupCap{g: g, max: MaxCountGroups, maxBytes: maxCountGroupBytes,
		rule: fmt.Sprintf("conversationCounts counts at most %d groups: add a filter that narrows it, or group by something with fewer values", MaxCountGroups)}
}

// admit reports whether the new group may be added; a nil cap admits every group.
func (c *groupCap) admit(group string) bool {
	if c == nil {
		return true
	}
	if c.over || c.n >= c.max || (c.maxBytes >= 0 && c.bytes+len(group) > c.maxBytes) {
		c.over = true
		return false
	}
	c.n++
	c.bytes += len(group)
	return true
}

// Err is the query's error once a group was refused; nil before.
func (c *groupCap) Err() error {
	if !c.over {
		return nil
	}
	what := c.g.By
	switch c.g.By {
	case query.GroupMetadata:
		what = "metadata key " + quote.Text(c.g.MetadataKey)
	case query.GroupType:
		what = "message type"
	}
	if c.n < c.max {
		return fmt.Errorf("grouping by %s gives groups whose names pass %d MB (%d groups found before the read was stopped); %s",
			what, c.maxBytes>>20, c.n+1, c.rule)
	}
	return fmt.Errorf("grouping by %s gives more than %d groups (%d found before the read was stopped); %s",
		what, c.max, c.n+1, c.rule)
}
