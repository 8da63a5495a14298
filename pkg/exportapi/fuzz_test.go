package exportapi

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

var pageSeeds = []string{
	`{"data":[{"_id":"5c80","startTime":1744750665,"locale":"en_us","metadata":{"locale":"en_us","draft":true},"tags":["guideInteraction"],"userMessageCount":6,"lastActionAt":"2025-04-15T20:58:15.384884"}],"cursor":null}`,
	`{"data":[{"_id":"aee4","time":1744651778.652,"type":"Question","outMsg":{"steps":[{"text":"Hi"}],"options":[{"txt":"Yes"}]},"conversationId":"7e"}],"cursor":"+/+/qvE8="}`,
	`{"data":[{"_id":"33f3","time":"1744651783","type":"UserInput","userInput":{"a":1},"conversationId":"7e"}],"cursor":null}`,
	`{"data":null,"cursor":"x"}`,
	`{"data":[{"_id":"n","startTime":1e9,"locale":null,"tags":null,"metadata":null,"userMessageCount":null}]}`,
	`{"data":[{"_id":"t","sta`,
	`[]`, `null`, `{}`, `{"data":[7,"x",null,[]]}`,
}

// The decoders read bytes from the network: whatever arrives, they must return
// records with an id and a time, or an error, and never panic.
func FuzzDecodeConversationPage(f *testing.F) {
	for _, s := range pageSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeConversationPage(bytes.NewReader(body))
		if err != nil {
			return
		}
		for _, c := range p.records {
			if c.ID == "" {
				t.Fatalf("record without id: %+v", c)
			}
			c.MetadataText("locale")
			c.MetadataKeys()
		}
	})
}

func FuzzDecodeMessagePage(f *testing.F) {
	for _, s := range pageSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeMessagePage(bytes.NewReader(body))
		if err != nil {
			return
		}
		for _, m := range p.records {
			if m.ID == "" {
				t.Fatalf("record without id: %+v", m)
			}
			_ = m.Text() + m.Sender()
		}
	})
}

func FuzzParseEpochSeconds(f *testing.F) {
	for _, s := range []string{"1744651778", "1744651778.652", "1.7e9", "-3.25", "", "1.", ".5", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseEpochSeconds(s)
		if err != nil {
			return
		}
		// Whatever it accepts must round-trip through its own integer and fraction.
		if got.Unix() > 1e15 || got.Unix() < -1e15 {
			t.Fatalf("%q gave an out-of-range time %v", s, got)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "120", "Thu, 01 Jan 2026 00:00:07 GMT", "-5", "1e308", "NaN"} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		// A date far ahead may ask for a long wait; the deadline check handles that.
		// A number must give a wait between 0 and an hour.
		d := parseRetryAfter(s, now)
		if d < 0 {
			t.Fatalf("%q gave a negative wait %s", s, d)
		}
		if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && d > time.Hour {
			t.Fatalf("%q gave a wait of %s", s, d)
		}
	})
}
