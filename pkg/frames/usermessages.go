package frames

import (
	"fmt"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// UserMessageStat is a statistic of userMessageCount per bucket and group; null
// where a bucket has no conversations in the group.
type UserMessageStat struct {
	b     Buckets
	spec  SeriesSpec
	g     selection.Grouper
	stat  string
	cells map[string][]cell
}

// cell accumulates one bucket of one group. Percentiles keep a histogram of
// counts, which are small integers, so they stay exact in bounded memory.
type cell struct {
	n, sum, max int64
	hist        map[int64]int64
}

// NewUserMessageStat starts a statistic (sum, avg, p50, p90 or max) over b.
func NewUserMessageStat(b Buckets, spec SeriesSpec, g selection.Grouper, stat string, seeds []string) *UserMessageStat {
	s := &UserMessageStat{b: b, spec: spec, g: g, stat: stat, cells: map[string][]cell{}}
	if !g.Grouped() {
		s.row("")
	}
	for _, seed := range seeds {
		s.row(seed)
	}
	return s
}

func (s *UserMessageStat) row(group string) []cell {
	return row(s.cells, group, s.b.Len())
}

// Add records one conversation at t with count user messages in each of its groups.
func (s *UserMessageStat) Add(t time.Time, groups []string, count int64) {
	i := s.b.Index(t)
	if i < 0 {
		return
	}
	percentile := s.stat == query.StatP50 || s.stat == query.StatP90
	for _, g := range groups {
		c := &s.row(g)[i]
		c.n++
		c.sum += count
		if count > c.max {
			c.max = count
		}
		if percentile {
			if c.hist == nil {
				c.hist = map[int64]int64{}
			}
			c.hist[count]++
		}
	}
}

// Frames returns one series per group.
func (s *UserMessageStat) Frames() data.Frames {
	return timeSeries(s.b, s.spec, s.g, sortedGroups(s.cells), func(g string) any {
		row := s.cells[g]
		out := make([]*float64, len(row))
		for i := range row {
			out[i] = s.value(&row[i])
		}
		return out
	})
}

func (s *UserMessageStat) value(c *cell) *float64 {
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
		v = float64(nearestRank(c.hist, c.n, 50))
	case query.StatP90:
		v = float64(nearestRank(c.hist, c.n, 90))
	default:
		v = float64(c.sum) / float64(c.n)
	}
	return &v
}

// nearestRank is the smallest count that at least p% of the n conversations do not exceed.
func nearestRank(hist map[int64]int64, n int64, p int64) int64 {
	keys := make([]int64, 0, len(hist))
	for k := range hist {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var seen int64
	for _, k := range keys {
		seen += hist[k]
		if seen*100 >= p*n {
			return k
		}
	}
	return keys[len(keys)-1]
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
