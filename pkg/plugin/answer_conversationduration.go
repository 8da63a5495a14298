package plugin

import (
	"context"
	"math"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/agentx-support/agentx-export-datasource/pkg/columnar"
	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
	"github.com/agentx-support/agentx-export-datasource/pkg/fetch"
	"github.com/agentx-support/agentx-export-datasource/pkg/frames"
	"github.com/agentx-support/agentx-export-datasource/pkg/query"
)

var _ = answers(query.TypeConversationDuration, answerConversationDuration)

// answerConversationDuration is a statistic of lastActionAt − startTime, in
// seconds, over each bucket's conversations. Conversations without a readable
// lastActionAt (or one before their start) are left out: no duration is known.
func answerConversationDuration(d reader, ctx context.Context, q *query.Query, w exportapi.Window) (data.Frames, fetch.Stats, error) {
	s, err := newSeries(ctx, q, w)
	if err != nil {
		return nil, fetch.Stats{}, err
	}
	// Durations are kept in microseconds, the API's precision, so that
	// percentiles stay exact; the series shows seconds.
	st := frames.NewStatistic(s.buckets, frames.SeriesSpec{Field: q.Stat, Title: "Conversation duration (" + q.Stat + ")", Unit: "s"},
		s.grouper, q.Stat, 1e-6, s.seeds)
	rows, cg := statisticGroups(st, s)
	cur := s.buckets.Cursor()
	var known []int32
	b := boundGroups(ctx, st.Err)
	defer b.cancel()
	c, err := scanConversationRows(d, b.ctx, q, w, func(batch *columnar.Conversations, recs []int32) {
		cg.batch(batch)
		// Only the records with a duration count: their rows, in a buffer of their own.
		known = known[:0]
		for _, i := range recs {
			if _, ok := durationMicros(batch, int(i)); ok {
				known = append(known, i)
			}
		}
		cg.each(known, batch.Start, &cur, func(i int32, k int, slot int32) {
			micros, _ := durationMicros(batch, int(i))
			st.AddAt(k, (*rows)[slot], micros)
		})
		b.check()
	})
	return st.Frames(), c, b.err(err)
}

// durationMicros is record i's lastActionAt − startTime in whole microseconds,
// exactly as time.Time.Sub gives it (saturated); false without a lastActionAt or
// with one before the start.
func durationMicros(b *columnar.Conversations, i int) (int64, bool) {
	start, last := b.Start[i], b.LastAction.Nanos[i]
	switch last {
	case columnar.NoTime:
		return 0, false
	case columnar.OtherTime:
		// An instant the column keeps aside: compare as times.
		t, s := b.LastAction.At(i), time.Unix(0, start)
		if t.Before(s) {
			return 0, false
		}
		return int64(t.Sub(s) / time.Microsecond), true
	}
	if last < start {
		return 0, false
	}
	d := last - start
	if d < 0 {
		d = math.MaxInt64 // Sub saturates where the difference passes a Duration
	}
	return d / int64(time.Microsecond), true
}
