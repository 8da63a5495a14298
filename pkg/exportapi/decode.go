package exportapi

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	jsoniter "github.com/json-iterator/go"
)

// A page is decoded as a stream with jsoniter rather than through encoding/json:
// it is several times faster on the 1000-record pages that dominate an export, and
// it lets each field accept the loose shapes upstream sends (numbers as strings,
// nulls anywhere) without a custom type per field.

// page is one decoded response: the records it holds, how many of them had no
// usable id or time, and the cursor of the next page ("" when there is none).
type page[T any] struct {
	records []T
	skipped int
	cursor  string
}

var errNoData = errors.New(`the response has no "data" array`)

func decodeConversationPage(r io.Reader) (page[Conversation], error) {
	return decodePage(r, readConversation)
}

func decodeMessagePage(r io.Reader) (page[Message], error) {
	return decodePage(r, readMessage)
}

// decodePage reads {"data": [...], "cursor": ...} in any key order. readRecord
// returns false for a record that lacks an id or a time.
func decodePage[T any](r io.Reader, readRecord func(*jsoniter.Iterator, *T) bool) (page[T], error) {
	var p page[T]
	iter := jsoniter.Parse(jsoniter.ConfigDefault, r, 32*1024)
	if iter.WhatIsNext() != jsoniter.ObjectValue {
		return p, fmt.Errorf("the response is not a JSON object")
	}
	sawData := false
	iter.ReadObjectCB(func(it *jsoniter.Iterator, key string) bool {
		switch key {
		case "data":
			sawData = true
			if it.ReadNil() {
				return true
			}
			if it.WhatIsNext() != jsoniter.ArrayValue {
				it.ReportError("data", "is not an array")
				return false
			}
			it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
				var rec T
				if it.WhatIsNext() != jsoniter.ObjectValue {
					it.Skip()
					p.skipped++
					return it.Error == nil
				}
				if readRecord(it, &rec) {
					p.records = append(p.records, rec)
				} else {
					p.skipped++
				}
				return it.Error == nil
			})
		case "cursor":
			p.cursor = readText(it)
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	if iter.Error != nil && !errors.Is(iter.Error, io.EOF) {
		return page[T]{}, fmt.Errorf("malformed JSON: %w", shortenJSONError(iter.Error))
	}
	if iter.Error != nil {
		return page[T]{}, fmt.Errorf("the response ended early (truncated body)")
	}
	if !sawData {
		return page[T]{}, errNoData
	}
	return p, nil
}

func readConversation(it *jsoniter.Iterator, c *Conversation) bool {
	validTime := false
	it.ReadObjectCB(func(it *jsoniter.Iterator, key string) bool {
		switch key {
		case "_id":
			c.ID = readText(it)
		case "startTime":
			c.StartTime, validTime = readEpoch(it)
		case "lastActionAt":
			if s := readText(it); s != "" {
				c.LastActionAt = parseActionTime(s)
			}
		case "locale":
			c.Locale = readText(it)
		case "tags":
			c.Tags = readStrings(it)
		case "userMessageCount":
			c.UserMessageCount, c.HasUserMessages = readCount(it)
		case "metadata":
			if it.ReadNil() {
				return true
			}
			c.Metadata = it.SkipAndReturnBytes()
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	return c.ID != "" && validTime
}

func readMessage(it *jsoniter.Iterator, m *Message) bool {
	validTime := false
	it.ReadObjectCB(func(it *jsoniter.Iterator, key string) bool {
		switch key {
		case "_id":
			m.ID = readText(it)
		case "time":
			m.Time, validTime = readEpoch(it)
		case "type":
			m.Type = readText(it)
		case "conversationId":
			m.ConversationID = readText(it)
		case "userInput":
			m.UserInput = readText(it)
		case "userActionType":
			m.UserActionType = readText(it)
		case "outMsg":
			m.BotText = readOutMsg(it)
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	return m.ID != "" && validTime
}

// readOutMsg flattens the AI agent's message to what a person reads: each step's text
// on its own line, then the quick-reply options.
func readOutMsg(it *jsoniter.Iterator) string {
	if it.WhatIsNext() != jsoniter.ObjectValue {
		return readText(it)
	}
	var steps, options []string
	it.ReadObjectCB(func(it *jsoniter.Iterator, key string) bool {
		switch key {
		case "steps":
			steps = readObjectsField(it, "text")
		case "options":
			options = readObjectsField(it, "txt")
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	text := strings.Join(steps, "\n")
	if len(options) > 0 {
		if text != "" {
			text += "\n"
		}
		text += "[" + strings.Join(options, "] [") + "]"
	}
	return text
}

// readObjectsField collects one string field from an array of objects, skipping
// entries without it.
func readObjectsField(it *jsoniter.Iterator, field string) []string {
	if it.WhatIsNext() != jsoniter.ArrayValue {
		it.Skip()
		return nil
	}
	var out []string
	it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
		if it.WhatIsNext() != jsoniter.ObjectValue {
			if s := readText(it); s != "" {
				out = append(out, s)
			}
			return it.Error == nil
		}
		it.ReadObjectCB(func(it *jsoniter.Iterator, key string) bool {
			if key == field || (field == "txt" && key == "text") {
				if s := readText(it); s != "" {
					out = append(out, s)
				}
			} else {
				it.Skip()
			}
			return it.Error == nil
		})
		return it.Error == nil
	})
	return out
}

// readText reads any JSON value as text: strings as they are, numbers and booleans
// as written, null as "", and objects or arrays as their compact JSON.
func readText(it *jsoniter.Iterator) string {
	switch it.WhatIsNext() {
	case jsoniter.StringValue:
		return it.ReadString()
	case jsoniter.NilValue:
		it.ReadNil()
		return ""
	case jsoniter.NumberValue:
		return string(it.ReadNumber())
	case jsoniter.BoolValue:
		if it.ReadBool() {
			return "true"
		}
		return "false"
	default:
		return string(it.SkipAndReturnBytes())
	}
}

func readStrings(it *jsoniter.Iterator) []string {
	switch it.WhatIsNext() {
	case jsoniter.ArrayValue:
		var out []string
		it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
			if s := readText(it); s != "" {
				out = append(out, s)
			}
			return it.Error == nil
		})
		return out
	case jsoniter.StringValue:
		// A lone tag sent as a string rather than a one-element list.
		if s := it.ReadString(); s != "" {
			return []string{s}
		}
		return nil
	default:
		it.Skip()
		return nil
	}
}

// readEpoch accepts seconds as a JSON number or a numeric string.
func readEpoch(it *jsoniter.Iterator) (time.Time, bool) {
	var s string
	switch it.WhatIsNext() {
	case jsoniter.NumberValue:
		s = string(it.ReadNumber())
	case jsoniter.StringValue:
		s = strings.TrimSpace(it.ReadString())
	default:
		it.Skip()
		return time.Time{}, false
	}
	t, err := parseEpochSeconds(s)
	return t, err == nil
}

// MaxUserMessageCount is the largest userMessageCount taken as real; a larger one
// is read as missing, like any other unreadable count.
const MaxUserMessageCount = 1_000_000

// readCount accepts a count as a number (integral or not) or a numeric string;
// anything else, or a negative, fractional or absurdly large value, is "missing".
func readCount(it *jsoniter.Iterator) (int64, bool) {
	s := strings.TrimSpace(readText(it))
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n != math.Trunc(n) || n > MaxUserMessageCount {
		return 0, false
	}
	return int64(n), true
}

// shortenJSONError keeps jsoniter's message but drops the long dump of the buffer it
// appends, which may hold a whole page of customer text.
func shortenJSONError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, ", error found in #"); i >= 0 {
		msg = msg[:i]
	}
	return errors.New(msg)
}
