package frames

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
	return StatisticRow{cells: cells, percentile: s.percentile}, true
}

// AddAt records one conversation's value in bucket i (Buckets.IndexNanos, not
// -1) of row r: what Add does for each of a record's groups.
func (s *Statistic) AddAt(i int, r StatisticRow, count int64) {
	r.cells[i].add(count, r.percentile)
}
