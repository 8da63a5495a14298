// Package settings reads and checks a data source's configuration: jsonData and
// the secure API key and Redis password, as docs/reference.md names them.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Settings is a checked configuration with defaults applied.
type Settings struct {
	BaseURL           string
	DefaultBot        string
	Bots              []string
	RequestsPerSecond float64
	Timeout           time.Duration
	MaxRecords        int64
	LiveMinutes       int
	CacheMinutes      int
	// FinalHours is the age past which records are final: kept until the budget
	// evicts them, never read again because of age.
	FinalHours int
	// LiveReuse is how long live records one query read serve the queries that
	// arrive after it, so that one dashboard load costs one live read.
	LiveReuse time.Duration
	// APIKey is secret: never log it, never put it in an error, never send it anywhere but upstream.
	APIKey string
	// RedisURL, when set, makes the replicas of an HA Grafana share one rate
	// limit and one cache through Redis; RedisPassword is secret like the key.
	RedisURL      string
	RedisPassword string
	// ExpectedReplicas divides the rate limit while Redis cannot be reached, so
	// that replicas pacing themselves still stay near the limit together.
	ExpectedReplicas int
	// SyncDays of the recent past of every configured bot are kept in the store by
	// reading ahead in the background, at most SyncShare of the rate; 0 turns it off.
	SyncDays  int
	SyncShare float64
	// Response is when a dashboard query answers with what is complete if its read
	// has not finished; the read goes on in the background. Alert rules wait.
	Response time.Duration
}

// MinAPIKeyLength refuses keys too short to be real: a key of a few characters
// would also turn up in ordinary words of error texts, where it is redacted.
const MinAPIKeyLength = 6

// KnownBots are the configured bots, the default bot first, without repeats.
func (s Settings) KnownBots() []string {
	var out []string
	seen := map[string]bool{}
	for _, b := range append([]string{s.DefaultBot}, s.Bots...) {
		if b != "" && !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

// Parse reads jsonData and secureJsonData. It reports every problem it finds at
// once, in words a person configuring the data source understands.
func Parse(jsonData []byte, secure map[string]string) (Settings, error) {
	s := defaults()
	var raw map[string]json.RawMessage
	if len(strings.TrimSpace(string(jsonData))) > 0 {
		if err := json.Unmarshal(jsonData, &raw); err != nil {
			return s, errors.New("the data source settings are not a JSON object")
		}
	}
	var problems []string
	for _, f := range Fields {
		if problem := f.read(&s, raw, secure); problem != "" {
			problems = append(problems, problem)
		}
	}
	if len(problems) > 0 {
		return s, fmt.Errorf("the data source settings need attention: %s", strings.Join(problems, "; "))
	}
	return s, nil
}

// defaults are the settings of an empty jsonData, before the secrets.
func defaults() Settings {
	var s Settings
	for _, f := range Fields {
		switch {
		case f.Kind == Number:
			f.number(&s, f.Default)
		case f.DefaultText != "":
			_ = f.text(&s, f, f.DefaultText)
		}
	}
	return s
}

// read puts the field's value into s, or says what is wrong with it; an absent
// or null value keeps the default. A secret is always read: it may be required.
func (f Field) read(s *Settings, raw map[string]json.RawMessage, secure map[string]string) string {
	if f.Kind == Secret {
		return problem(f.text(s, f, secure[f.Key]))
	}
	v, ok := present(raw, f.Key)
	if !ok {
		return ""
	}
	switch f.Kind {
	case Number:
		n, err := asNumber(v)
		if err != nil || !f.Accepts(n) {
			return fmt.Sprintf("%s must be %s, not %s", f.Label, f.Accepted, short(v))
		}
		f.number(s, n)
	case List:
		list, err := asStringList(v)
		if err != nil {
			return fmt.Sprintf("%s must be %s", f.Label, f.Accepted)
		}
		f.list(s, list)
	default:
		str, err := asString(v)
		if err != nil {
			return fmt.Sprintf("%s must be %s", f.Label, f.Accepted)
		}
		return problem(f.text(s, f, str))
	}
	return ""
}

func problem(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// present returns a key's value unless it is absent or null.
func present(raw map[string]json.RawMessage, key string) (json.RawMessage, bool) {
	v, ok := raw[key]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

func asString(v json.RawMessage) (string, error) {
	var s string
	err := json.Unmarshal(v, &s)
	return s, err
}

// asNumber accepts a JSON number or a numeric string (provisioning files often quote numbers).
func asNumber(v json.RawMessage) (float64, error) {
	var f float64
	if err := json.Unmarshal(v, &f); err == nil {
		return f, nil
	}
	s, err := asString(v)
	if err != nil {
		return 0, err
	}
	f, err = strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("not a number")
	}
	return f, nil
}

// asStringList accepts a list of names or one comma-separated text, trimming,
// dropping empty entries and repeats.
func asStringList(v json.RawMessage) ([]string, error) {
	var list []string
	if err := json.Unmarshal(v, &list); err != nil {
		s, err := asString(v)
		if err != nil {
			return nil, err
		}
		list = strings.Split(s, ",")
	}
	out := []string{}
	seen := map[string]bool{}
	for _, b := range list {
		b = strings.TrimSpace(b)
		if b != "" && !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out, nil
}

func short(v json.RawMessage) string {
	s := string(v)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}
