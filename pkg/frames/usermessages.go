package frames

import (
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// Statistic is a statistic of one whole-number value of conversations (their
// user messages, their duration in microseconds) per bucket and group; null
// where a bucket has no conversations in the group.
type Statistic struct {
	b     Buckets
	spec  SeriesSpec
	g     selection.Grouper
	stat  string
	unit  float64 // what one unit of the value is worth in the series' unit
	cells map[string][]cell
	// percentile: the stat is p50 or p90, so cells keep their values.
	percentile bool
	*groupCap
}

// cell accumulates one bucket of one group; its values are kept only for a
// percentile, so that the other stats stay 32 bytes a cell.
type cell struct {
	n, sum, max int64
	values      *rankedValues
}

// add records one conversation's value in the cell.
func (c *cell) add(v int64, percentile bool) {
	c.n++
	c.sum += v
	if v > c.max {
		c.max = v
	}
	if percentile {
		if c.values == nil {
			c.values = &rankedValues{}
		}
		c.values.add(v, c.n)
	}
}

// NewStatistic starts a statistic (sum, avg, p50, p90 or max) over b whose
// values are shown multiplied by unit.
func NewStatistic(b Buckets, spec SeriesSpec, g selection.Grouper, stat string, unit float64, seeds []string) *Statistic {
	s := &Statistic{b: b, spec: spec, g: g, stat: stat, unit: unit, cells: map[string][]cell{},
		percentile: stat == query.StatP50 || stat == query.StatP90, groupCap: seriesCap(g, b.Len())}
	if !g.Grouped() {
		s.row("")
	}
	for _, seed := range seeds {
		s.row(seed)
	}
	return s
}

func (s *Statistic) row(group string) []cell {
	return row(s.cells, group, s.b.Len(), s.groupCap)
}

// Add records one conversation at t with its value in each of its groups. Past
// MaxSeries groups it records no new group, and Err says so.
func (s *Statistic) Add(t time.Time, groups []string, count int64) {
	i := s.b.Index(t)
	if i < 0 {
		return
	}
	for _, g := range groups {
		r := s.row(g)
		if r == nil {
			continue
		}
		r[i].add(count, s.percentile)
	}
}

// Frames returns one series per group. A percentile reorders the values its
// cells keep: call it after the last Add, never beside another call.
func (s *Statistic) Frames() data.Frames {
	return timeSeries(s.b, s.spec, s.g, sortedGroups(s.cells), func(g string) any {
		row := s.cells[g]
		out := make([]*float64, len(row))
		for i := range row {
			out[i] = s.value(&row[i])
		}
		return out
	})
}

func (s *Statistic) value(c *cell) *float64 {
	if c.n == 0 {
		if s.stat == query.StatSum {
			zero := 0.0 // the sum of nothing, so that an alert on it sees a value
			return &zero
		}
		return nil
	}
	var v float64
	switch s.stat {
	case query.StatSum:
		v = float64(c.sum)
	case query.StatMax:
		v = float64(c.max)
	case query.StatP50:
		v = float64(c.values.nearestRank(c.n, 50))
	case query.StatP90:
		v = float64(c.values.nearestRank(c.n, 90))
	default:
		v = float64(c.sum) / float64(c.n)
	}
	v *= s.unit
	return &v
}

// HistogramCap is the first user message count the histogram does not list on a
// row of its own: its last row counts every conversation with this many or more,
// so that one absurd record cannot make millions of rows.
const HistogramCap = 100

// Histogram counts conversations by their number of user messages.
type Histogram struct {
	counts [HistogramCap + 1]int64 // the last one counts HistogramCap and more
	any    bool
	max    int64
}

// NewHistogram starts an empty histogram.
func NewHistogram() *Histogram { return &Histogram{} }

// Add counts one conversation with count user messages.
func (h *Histogram) Add(count int64) {
	h.counts[min(max(count, 0), HistogramCap)]++
	h.any = true
	h.max = max(h.max, count)
}

// Frame returns every count from 0 to the largest seen (at most HistogramCap, the
// row of HistogramCap or more), with 0 conversations where none had that count,
// so a bar chart shows the gaps.
func (h *Histogram) Frame() *data.Frame {
	n := 0
	if h.any {
		n = int(min(h.max, HistogramCap)) + 1
	}
	counts := make([]int64, n)
	convs := make([]int64, n)
	for i := range counts {
		counts[i] = int64(i)
		convs[i] = h.counts[i]
	}
	frame := data.NewFrame("userMessageHistogram",
		named(data.NewField("userMessages", nil, counts), "User messages"),
		named(data.NewField("conversations", nil, convs), "Conversations"),
	)
	frame.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	if h.max >= HistogramCap {
		frame.AppendNotices(data.Notice{Severity: data.NoticeSeverityInfo,
			Text: fmt.Sprintf("The last row, %d, counts every conversation with %d or more user messages (%d at most).", HistogramCap, HistogramCap, h.max)})
	}
	return frame
}
