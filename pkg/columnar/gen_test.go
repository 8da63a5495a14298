package columnar

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
)

// Random records with every case a decoded record can show: missing fields,
// (none) look-alikes, repeated instants and metadata of every JSON kind,
// including malformed JSON and JSON that is not an object.

var base = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// metaKeys is the pool of keys random metadata uses; the property test asks about
// each, and about one no record has.
var metaKeys = []string{"channel", "plan", "draft", "n", "empty", "nil", "list", "(none)", "ü"}

var metaValues = []string{
	`"web"`, `"app"`, `""`, `"(none)"`, `"a\"b\\c\u00e9"`, `42`, `-0.5e3`, `1.0`, `true`, `false`, `null`,
	`{"tier":"pro"}`, `{ "tier" : "pro" , "x" : [1, 2] }`, `[1,"a",null]`, `[]`, `{}`, `{"a":{"b":{"c":[{}]}}}`,
}

// malformed is metadata the decoder may hand over that is not a well-formed object.
var malformed = []string{
	`[1,2]`, `"just a string"`, `42`, `null`, `true`, `{`, `{"channel":`, `{"channel":"web"`,
	`{"channel":tru}`, `{"channel":"\x"}`, `{"n":1.2.3,"channel":"web"}`, `{"channel":"web",}`,
	`{"channel":"web" "plan":1}`, `{"plan":{"tier":}, "channel":"x"}`, `  {"channel" : "sp aced"}  `,
	`{"channel":"a","channel":"b"}`, `{"nil":null,"nil":"later"}`, `{"channel":"web"} trailing`,
}

func randMetadata(rng *rand.Rand) json.RawMessage {
	switch rng.IntN(10) {
	case 0:
		return nil
	case 1:
		return json.RawMessage(malformed[rng.IntN(len(malformed))])
	}
	var b []byte
	b = append(b, '{')
	for k := range rng.IntN(6) {
		if k > 0 {
			b = append(b, ',')
		}
		key, _ := json.Marshal(metaKeys[rng.IntN(len(metaKeys))])
		if rng.IntN(20) == 0 {
			key = fmt.Appendf(nil, `"rare%d"`, rng.IntN(1000))
		}
		b = append(b, key...)
		b = append(b, ':')
		b = append(b, metaValues[rng.IntN(len(metaValues))]...)
	}
	return append(b, '}')
}

func randTime(rng *rand.Rand) time.Time {
	// A few instants repeat, so the sort's stability is tested.
	return base.Add(time.Duration(rng.IntN(50)) * time.Minute).Add(time.Duration(rng.IntN(3)) * time.Millisecond)
}

func randConversation(rng *rand.Rand) exportapi.Conversation {
	c := exportapi.Conversation{ID: fmt.Sprintf("c%d", rng.IntN(1<<20)), StartTime: randTime(rng)}
	switch rng.IntN(6) {
	case 0: // unreadable
	case 1:
		c.LastActionAt = time.Unix(0, 0).UTC() // collides with the "none" value
	case 2:
		c.LastActionAt = time.Date(2500, 1, 1, 0, 0, 0, 7, time.UTC) // beyond Unix nanoseconds
	case 3:
		c.LastActionAt = time.Unix(0, math.MinInt64).UTC()
	default:
		c.LastActionAt = c.StartTime.Add(time.Duration(rng.IntN(1e12)))
	}
	c.Locale = []string{"", "en_us", "de_de", "(none)", "fr_fr"}[rng.IntN(5)]
	for range rng.IntN(4) {
		c.Tags = append(c.Tags, []string{"resolved", "liveChat", "(none)", "guide", "resolved"}[rng.IntN(5)])
	}
	if rng.IntN(3) > 0 {
		c.UserMessageCount, c.HasUserMessages = int64(rng.IntN(12)), true
	}
	c.Metadata = randMetadata(rng)
	return c
}

func randMessage(rng *rand.Rand) exportapi.Message {
	m := exportapi.Message{
		ID:             fmt.Sprintf("m%d", rng.IntN(1<<30)),
		Time:           randTime(rng),
		Type:           []string{exportapi.TypeUserInput, exportapi.TypeBotMessage, exportapi.TypeQuestion, ""}[rng.IntN(4)],
		ConversationID: []string{"", "c1", "c2", fmt.Sprintf("c%d", rng.IntN(100))}[rng.IntN(4)],
		UserActionType: []string{"", "click", "text"}[rng.IntN(3)],
	}
	if rng.IntN(2) == 0 {
		m.UserInput = fmt.Sprintf("hello %d ü \x00 \"quoted\"", rng.IntN(50))
	}
	if rng.IntN(2) == 0 {
		m.BotText = fmt.Sprintf("step %d\n[yes] [no]", rng.IntN(50))
	}
	return m
}

func randConversations(rng *rand.Rand, n int) []exportapi.Conversation {
	out := make([]exportapi.Conversation, n)
	for i := range out {
		out[i] = randConversation(rng)
	}
	return out
}

func randMessages(rng *rand.Rand, n int) []exportapi.Message {
	out := make([]exportapi.Message, n)
	for i := range out {
		out[i] = randMessage(rng)
	}
	return out
}
