package frames

import "github.com/agentx-support/agentx-export-datasource/pkg/query"

// StatisticRow is one group's cells of a Statistic, found once per batch and
// group so that a record is added by its bucket index alone.
type StatisticRow struct {
	cells      []cell
	percentile bool
}

// Row returns a group's cells, making them on first use; ok is false when the
// group is new and past the bound (Err then says so).
func (s *Statistic) Row(group string) (r StatisticRow, ok bool) {
	cells := s.row(group)
	if cells == nil {
		return StatisticRow{}, false
	}
	return StatisticRow{cells: cells, percentile: s.stat == query.StatP50 || s.stat == query.StatP90}, true
}

// AddAt records one conversation's value in bucket i (Buckets.IndexNanos, not
// -1) of row r: what Add does for each of a record's groups.
func (s *Statistic) AddAt(i int, r StatisticRow, count int64) {
	c := &r.cells[i]
	c.n++
	c.sum += count
	if count > c.max {
		c.max = count
	}
	if r.percentile {
		if c.hist == nil {
			c.hist = map[int64]int64{}
		}
		c.hist[count]++
	}
}
