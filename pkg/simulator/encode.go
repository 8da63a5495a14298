package simulator

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"time"
	"unicode/utf8"
)

// metadataJSON builds a metadata object like the API document's, keys in its order,
// with a nested object and mixed value types to exercise grouping by JSON text.
func metadataJSON(rng *rand.Rand, c Conversation, tp topic, users int) []byte {
	b := make([]byte, 0, 320)
	b = append(b, '{')
	key := func(k string) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
	}
	// The values as encoding/json writes them, without its reflection: a busy
	// bot's month is hundreds of thousands of these.
	field := func(k string, v any) {
		key(k)
		switch v := v.(type) {
		case string:
			b = appendJSONString(b, v)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case bool:
			b = strconv.AppendBool(b, v)
		case nil:
			b = append(b, "null"...)
		default:
			enc, _ := json.Marshal(v)
			b = append(b, enc...)
		}
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
		key("plan")
		b = append(b, `{"tier":`...)
		b = append(appendJSONString(b, pick(rng, plans)), '}')
	}
	return append(b, '}')
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
	b.Write(appendJSONString(b.AvailableBuffer(), s))
}

// appendJSONString appends s quoted as encoding/json quotes it. Text that needs
// no escape (most of a page: ids, words, UTF-8) is copied; the rest goes through
// encoding/json itself, which escapes <, >, &, U+2028, U+2029 and invalid bytes.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				enc, _ := json.Marshal(s)
				return append(dst, enc...)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			enc, _ := json.Marshal(s)
			return append(dst, enc...)
		}
		i += size
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
