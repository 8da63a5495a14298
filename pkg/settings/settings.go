// Package settings reads and checks a data source's configuration: jsonData and
// the secure API key and Redis password, as docs/reference.md names them.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/agentx-support/agentx-export-datasource/pkg/exportapi"
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

// Defaults, as docs/reference.md states them.
const (
	DefaultRequestsPerSecond = 3
	DefaultTimeoutSeconds    = 30
	DefaultMaxRecords        = 1_000_000
	DefaultLiveMinutes       = 60
	DefaultCacheMinutes      = 60
	DefaultLiveReuseSeconds  = 10
	DefaultFinalHours        = 24
	// DefaultSyncDays of the recent past are kept in the store in the background;
	// DefaultSyncShare is the share of the rate limit that may use.
	DefaultSyncDays  = 7
	DefaultSyncShare = 0.5
	// DefaultResponseSeconds is when a dashboard query answers with what is
	// complete if its read has not finished.
	DefaultResponseSeconds = 20
	// DefaultExpectedReplicas applies with a Redis URL: a set-up that shares a
	// Redis has at least two replicas.
	DefaultExpectedReplicas = 2
	// MinAPIKeyLength refuses keys too short to be real: a key of a few characters
	// would also turn up in ordinary words of error texts, where it is redacted.
	MinAPIKeyLength = 6
)

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
	s := Settings{
		BaseURL:           exportapi.DefaultBaseURL,
		RequestsPerSecond: DefaultRequestsPerSecond,
		Timeout:           DefaultTimeoutSeconds * time.Second,
		MaxRecords:        DefaultMaxRecords,
		LiveMinutes:       DefaultLiveMinutes,
		CacheMinutes:      DefaultCacheMinutes,
		LiveReuse:         DefaultLiveReuseSeconds * time.Second,
		FinalHours:        DefaultFinalHours,
		APIKey:            strings.TrimSpace(secure["apiKey"]),
		RedisPassword:     secure["redisPassword"],
		ExpectedReplicas:  DefaultExpectedReplicas,
		SyncDays:          DefaultSyncDays,
		SyncShare:         DefaultSyncShare,
		Response:          DefaultResponseSeconds * time.Second,
	}
	var raw map[string]json.RawMessage
	if len(strings.TrimSpace(string(jsonData))) > 0 {
		if err := json.Unmarshal(jsonData, &raw); err != nil {
			return s, errors.New("the data source settings are not a JSON object")
		}
	}
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if v, ok := present(raw, "baseUrl"); ok {
		str, err := asString(v)
		switch {
		case err != nil:
			fail("%s must be a text", Labels["baseUrl"])
		case strings.TrimSpace(str) != "":
			u, err := exportapi.ParseBaseURL(str)
			if err != nil {
				fail("%s %s", Labels["baseUrl"], err)
			} else {
				s.BaseURL = u.String()
			}
		}
	}
	if v, ok := present(raw, "defaultBot"); ok {
		str, err := asString(v)
		if err != nil {
			fail("%s must be a text", Labels["defaultBot"])
		}
		s.DefaultBot = strings.TrimSpace(str)
	}
	if v, ok := present(raw, "bots"); ok {
		bots, err := asStringList(v)
		if err != nil {
			fail("%s must be a list of bot names", Labels["bots"])
		}
		s.Bots = bots
	}
	// number reads an optional numeric setting; a bad value is reported by its
	// label, with what would be accepted.
	number := func(key string) (float64, bool) {
		f := numberField(key)
		v, ok := present(raw, key)
		if !ok {
			return 0, false
		}
		n, err := asNumber(v)
		if err != nil || !f.Accepts(n) {
			fail("%s must be %s, not %s", f.Label, f.Accepted, short(v))
			return 0, false
		}
		return n, true
	}
	if n, ok := number("requestsPerSecond"); ok {
		s.RequestsPerSecond = n
	}
	if n, ok := number("timeoutSeconds"); ok {
		s.Timeout = time.Duration(n * float64(time.Second))
	}
	if n, ok := number("maxRecords"); ok {
		s.MaxRecords = int64(n)
	}
	if n, ok := number("liveMinutes"); ok {
		s.LiveMinutes = int(n)
	}
	if n, ok := number("cacheMinutes"); ok {
		s.CacheMinutes = int(n)
	}
	if n, ok := number("finalHours"); ok {
		s.FinalHours = int(n)
	}
	if n, ok := number("liveReuseSeconds"); ok {
		s.LiveReuse = time.Duration(n * float64(time.Second))
	}
	if v, ok := present(raw, "redisUrl"); ok {
		str, err := asString(v)
		switch {
		case err != nil:
			fail("%s must be a text", Labels["redisUrl"])
		case strings.TrimSpace(str) != "":
			if err := checkRedisURL(str); err != nil {
				fail("%s", err)
			} else {
				s.RedisURL = strings.TrimSpace(str)
			}
		}
	}
	if n, ok := number("responseSeconds"); ok {
		s.Response = time.Duration(n * float64(time.Second))
	}
	if n, ok := number("syncDays"); ok {
		s.SyncDays = int(n)
	}
	if n, ok := number("syncShare"); ok {
		s.SyncShare = n
	}
	if n, ok := number("expectedReplicas"); ok {
		s.ExpectedReplicas = int(n)
	}
	switch {
	case s.APIKey == "":
		fail("no API key is set: paste the key from Account > API in AgentX Support (visible to site admins)")
	case len(s.APIKey) < MinAPIKeyLength:
		fail("the API key is shorter than %d characters, too short to be a key: paste the whole key from Account > API in AgentX Support", MinAPIKeyLength)
	}
	if len(problems) > 0 {
		return s, fmt.Errorf("the data source settings need attention: %s", strings.Join(problems, "; "))
	}
	return s, nil
}

// checkRedisURL accepts redis:// and rediss:// URLs with a host and without a
// password, which belongs in the secure field.
func checkRedisURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return fmt.Errorf("%s must look like redis://host:6379/0 or rediss://host:6380 (TLS)", Labels["redisUrl"])
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return fmt.Errorf("%s must not hold a password: put it in the Redis password field, which Grafana keeps encrypted", Labels["redisUrl"])
	}
	return nil
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
