package fetch

import (
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Busy is how many flights the registry holds, for tests outside the package
// that must wait for an interrupted read to have ended.
func (fl *Flights) Busy() int {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	n := 0
	for _, ln := range fl.lanes {
		if l, ok := ln.(interface{ empty() bool }); ok && !l.empty() {
			n++
		}
	}
	return n
}

// ConversationLane is the name the tiers and leases know a bot's conversations by.
func (s *Source) ConversationLane(bot string) string {
	return s.laneID(laneKey{scope: s.scope, bot: bot, endpoint: exportapi.EndpointConversations}, schemaFor[exportapi.Conversation]())
}

// MessageLane is the name the tiers and leases know a bot's messages by.
func (s *Source) MessageLane(bot string) string {
	return s.laneID(laneKey{scope: s.scope, bot: bot, endpoint: exportapi.EndpointMessages}, schemaFor[exportapi.Message]())
}

// OldFormat frames records as a plugin stored them before segments were
// columns (gob, compressed with zstd), for lane and a final span [from, to).
func OldFormat[T any](lane string, from, to time.Time, recs []T) []byte {
	data, err := encodeRecords([][]T{recs}, schemaFor[T](), binding{lane: lane, from: from, to: to})
	if err != nil {
		panic(err)
	}
	return data
}

// TierReadErrors is how many stored values the tiers failed to give so far.
func TierReadErrors() float64 {
	var n float64
	for _, tier := range []string{"disk", "redis"} {
		var m dto.Metric
		if err := tierErrors.WithLabelValues(tier, "read").Write(&m); err != nil {
			panic(err)
		}
		n += m.GetCounter().GetValue()
	}
	return n
}
