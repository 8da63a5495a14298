package frames

import (
	"cmp"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// Counts is the conversations table per group, with each group's share of all
// the query's conversations. With groupBy tag the shares may add up to more than 100.
type Counts struct {
	g      selection.Grouper
	total  int64
	counts map[string]int64
	*groupCap
}

// NewCounts starts a count; seeds are groups listed even when empty.
func NewCounts(g selection.Grouper, seeds []string) *Counts {
	c := &Counts{g: g, counts: map[string]int64{}, groupCap: countsCap(g)}
	if !g.Grouped() {
		c.add("", 0)
	}
	for _, s := range seeds {
		c.add(s, 0)
	}
	return c
}

// Add counts one conversation in each of its groups. Past MaxCountGroups groups
// it counts no new group, and Err says so.
func (c *Counts) Add(groups []string) {
	c.total++
	for _, g := range groups {
		c.add(g, 1)
	}
}

func (c *Counts) add(group string, n int64) {
	if _, ok := c.counts[group]; ok || c.admit(group) {
		c.counts[group] += n
	}
}

// Frame returns the largest groups first, at most limit rows.
func (c *Counts) Frame(limit int) *data.Frame {
	groups := sortedGroups(c.counts)
	slices.SortStableFunc(groups, func(a, b string) int { return cmp.Compare(c.counts[b], c.counts[a]) })
	total := len(groups)
	if len(groups) > limit {
		groups = groups[:limit]
	}
	names := make([]string, len(groups))
	counts := make([]int64, len(groups))
	percents := make([]*float64, len(groups))
	for i, g := range groups {
		names[i] = g
		if !c.g.Grouped() {
			names[i] = "All conversations"
		}
		counts[i] = c.counts[g]
		if c.total > 0 {
			p := float64(c.counts[g]) * 100 / float64(c.total)
			percents[i] = &p
		}
	}
	label := c.g.LabelName()
	if label == "" {
		label = "group"
	}
	percent := named(data.NewField("percent", nil, percents), "Percent")
	percent.Config.Unit = "percent"
	frame := data.NewFrame("conversationCounts",
		named(data.NewField(label, nil, names), label),
		named(data.NewField("conversations", nil, counts), "Conversations"),
		percent,
	)
	frame.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable}
	limitNotice(frame, len(groups), total, "groups")
	return frame
}
