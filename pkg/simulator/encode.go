package simulator

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"
)

// metadataJSON builds a metadata object like the API document's, keys in its order,
// with a nested object and mixed value types to exercise grouping by JSON text.
func metadataJSON(rng *rand.Rand, c Conversation, tp topic, users int) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	field := func(k string, v any) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	switch c.LocaleMode {
	case localePresent:
		field("locale", c.Locale)
	case localeNull:
		field("locale", nil)
	}
	field("browser_visitorType", visitorTypes[rng.IntN(len(visitorTypes))])
	field("browser_screenResolution", screenResolutions[rng.IntN(len(screenResolutions))])
	field("browser_localTime", c.Start.UnixMilli()+int64(rng.IntN(30000)))
	field("draft", rng.IntN(10) == 0)
	field("channel", pick(rng, channels))
	field("question", tp.question)
	field("transcript", "User:\t"+tp.question)
	field("guideNodeCount", users*2+rng.IntN(4))
	if rng.IntN(4) > 0 {
		field("plan", map[string]string{"tier": pick(rng, plans)})
	}
	b.WriteByte('}')
	return b.Bytes()
}

// appendConversation writes one record the way the API does: startTime in whole
// seconds, lastActionAt without a zone and with microseconds, optional keys
// sometimes null and sometimes absent.
func appendConversation(b *bytes.Buffer, c *Conversation) {
	b.WriteString(`{"_id":`)
	writeString(b, c.ID)
	b.WriteString(`,"startTime":`)
	b.WriteString(strconv.FormatInt(c.Start.Unix(), 10))
	switch c.LocaleMode {
	case localePresent:
		b.WriteString(`,"locale":`)
		writeString(b, c.Locale)
	case localeNull:
		b.WriteString(`,"locale":null`)
	case localeEmpty:
		b.WriteString(`,"locale":""`)
	}
	b.WriteString(`,"metadata":`)
	if c.Metadata == nil {
		b.WriteString("null")
	} else {
		b.Write(c.Metadata)
	}
	switch {
	case len(c.Tags) > 0 || c.TagsMode == tagsList:
		b.WriteString(`,"tags":[`)
		for i, t := range c.Tags {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, t)
		}
		b.WriteByte(']')
	case c.TagsMode == tagsNull:
		b.WriteString(`,"tags":null`)
	}
	if c.HasUserMessageCount {
		b.WriteString(`,"userMessageCount":`)
		b.WriteString(strconv.Itoa(c.UserMessageCount))
	}
	b.WriteString(`,"lastActionAt":"`)
	b.WriteString(c.LastActionAt.UTC().Format("2006-01-02T15:04:05.000000"))
	b.WriteString(`"}`)
}

func appendMessage(b *bytes.Buffer, m *Message) {
	b.WriteString(`{"_id":`)
	writeString(b, m.ID)
	b.WriteString(`,"time":`)
	b.WriteString(epochSeconds(m.Time))
	b.WriteString(`,"type":`)
	writeString(b, m.Type)
	if m.Type == "UserInput" {
		b.WriteString(`,"userActionType":`)
		writeString(b, m.UserActionType)
		b.WriteString(`,"userInput":`)
		if m.UserInputJSON != nil {
			b.Write(m.UserInputJSON)
		} else {
			writeString(b, m.UserInput)
		}
	} else {
		b.WriteString(`,"outMsg":{"steps":`)
		writeObjects(b, "text", m.Steps)
		if len(m.Options) > 0 {
			b.WriteString(`,"options":`)
			writeObjects(b, "txt", m.Options)
		}
		b.WriteByte('}')
	}
	b.WriteString(`,"conversationId":`)
	writeString(b, m.ConversationID)
	b.WriteByte('}')
}

// writeObjects writes values as a list of one-field objects: [{"text":"…"},…].
func writeObjects(b *bytes.Buffer, field string, values []string) {
	b.WriteByte('[')
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"` + field + `":`)
		writeString(b, v)
		b.WriteByte('}')
	}
	b.WriteByte(']')
}

// epochSeconds writes whole seconds as an integer and anything finer as a decimal
// with milliseconds, as the API's samples show both.
func epochSeconds(t time.Time) string {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return strconv.FormatInt(ms/1000, 10)
	}
	frac := strconv.FormatInt(1000+ms%1000, 10)[1:]
	return strconv.FormatInt(ms/1000, 10) + "." + frac
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}
