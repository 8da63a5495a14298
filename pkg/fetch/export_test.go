package fetch

import "github.com/agentx-support/agentx-export-datasource/pkg/exportapi"

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
