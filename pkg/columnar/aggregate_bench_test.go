package columnar

import (
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
	"github.com/agentx-support/agentx-export-datasource/pkg/selection"
)

// Sample aggregations over the columns, as the next phase's aggregators will
// run them: groups are dictionary codes mapped once per batch to a query-wide
// group, a batch wholly inside the window skips the per-record window check,
// and the struct path beside them says what they must give.

const day = int64(24 * time.Hour)

// dayGroups counts records per day and group.
type dayGroups struct {
	origin int64
	names  map[string]int
	counts [][]int64 // [day][group]
}

func newDayGroups(origin time.Time) *dayGroups {
	return &dayGroups{origin: origin.UnixNano(), names: map[string]int{}}
}

func (d *dayGroups) group(name string) int {
	g, ok := d.names[name]
	if !ok {
		g = len(d.names)
		d.names[name] = g
	}
	return g
}

// row returns the counts of the day of t, grown to hold every group.
func (d *dayGroups) row(t int64) []int64 {
	i := int((t - d.origin) / day)
	for len(d.counts) <= i {
		d.counts = append(d.counts, nil)
	}
	for len(d.counts[i]) < len(d.names) {
		d.counts[i] = append(d.counts[i], 0)
	}
	return d.counts[i]
}

// result is the counts by day and group name, for comparing two paths.
func (d *dayGroups) result() map[[2]string]int64 {
	out := map[[2]string]int64{}
	for name, g := range d.names {
		for i, row := range d.counts {
			if g < len(row) && row[g] != 0 {
				out[[2]string{time.Unix(0, d.origin+int64(i)*day).UTC().Format(time.DateOnly), name}] = row[g]
			}
		}
	}
	return out
}

// groupsOf maps a dictionary's codes to query-wide groups, (none) for "".
func (d *dayGroups) groupsOf(values *Strings, buf []int) []int {
	buf = buf[:0]
	for i := range values.Len() {
		buf = append(buf, d.group(selection.OrNone(values.At(i))))
	}
	return buf
}

// countByTag counts conversations per day and tag (a conversation in each of its distinct tags).
func countByTag(batches []*Conversations, d *dayGroups) {
	none := d.group(selection.NoneGroup)
	var groups []int
	var offsets, codes []uint32
	for _, b := range batches {
		groups = d.groupsOf(&b.Tags.Values, groups)
		if len(b.Start) == 0 {
			continue
		}
		offsets, codes = b.Tags.Offsets.Widen(offsets), b.Tags.Codes.Widen(codes)
		row, rowDay := d.row(b.Start[0]), (b.Start[0]-d.origin)/day
		for i, t := range b.Start {
			if (t-d.origin)/day != rowDay {
				row, rowDay = d.row(t), (t-d.origin)/day
			}
			tags := codes[offsets[i]:offsets[i+1]]
			if len(tags) == 0 {
				row[none]++
				continue
			}
		next:
			for j, c := range tags {
				for _, earlier := range tags[:j] {
					if earlier == c {
						continue next
					}
				}
				row[groups[c]]++
			}
		}
	}
}

// countByMetadata counts conversations per day and text of a metadata key.
func countByMetadata(batches []*Conversations, key string, d *dayGroups) {
	none := d.group(selection.NoneGroup)
	var groups []int
	var codes []uint32
	for _, b := range batches {
		if len(b.Start) == 0 {
			continue
		}
		col := b.Metadata(key)
		if col == nil {
			for _, t := range b.Start {
				d.row(t)[none]++
			}
			continue
		}
		groups = d.groupsOf(&col.Values, groups)
		codes = col.Codes.Widen(codes)
		row, rowDay := d.row(b.Start[0]), (b.Start[0]-d.origin)/day
		if col.Dense() {
			for i, t := range b.Start {
				if (t-d.origin)/day != rowDay {
					row, rowDay = d.row(t), (t-d.origin)/day
				}
				row[groups[codes[i]]]++
			}
			continue
		}
		next := 0
		for i, t := range b.Start {
			if (t-d.origin)/day != rowDay {
				row, rowDay = d.row(t), (t-d.origin)/day
			}
			code := uint32(Absent)
			if next < len(col.Rows) && col.Rows[next] == uint32(i) {
				code = codes[next]
				next++
			}
			row[groups[code]]++
		}
	}
}

// countStructs is today's path over the structs: the grouper per record.
func countStructs(recs []exportapi.Conversation, g selection.Grouper, d *dayGroups) {
	var buf []string
	for i := range recs {
		buf = g.Conversation(&recs[i], buf)
		for _, name := range buf {
			gi := d.group(name)
			d.row(recs[i].StartTime.UnixNano())[gi]++
		}
	}
}

var (
	byTagGrouper     = selection.Grouper{By: query.GroupTag}
	byChannelGrouper = selection.Grouper{By: query.GroupMetadata, MetadataKey: benchMetadataKey}
	benchMetadataKey = "channel"
)
