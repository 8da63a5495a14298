package settings

import (
	"strings"

	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const key = "secret-key-8c1f0e"

func TestDefaults(t *testing.T) {
	s, err := Parse(nil, map[string]string{"apiKey": key})
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{BaseURL: "https://api.converseapps.com", RequestsPerSecond: 3, Timeout: 30 * time.Second,
		MaxRecords: 1_000_000, LiveMinutes: 60, CacheMinutes: 60, FinalHours: 24, LiveReuse: 10 * time.Second,
		APIKey: key, ExpectedReplicas: 2, SyncDays: 7, SyncShare: 0.5, Response: 20 * time.Second}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Fatalf("defaults (-want +got):\n%s", diff)
	}
}

func TestEveryField(t *testing.T) {
	s, err := Parse([]byte(`{"baseUrl":"http://localhost:8085/","defaultBot":" r3 ","bots":["a","r3","a",""],
		"requestsPerSecond":"1.5","timeoutSeconds":10,"maxRecords":5000,"liveMinutes":0,"cacheMinutes":"0","finalHours":48,"liveReuseSeconds":2.5,
		"syncDays":3,"syncShare":"0.25","responseSeconds":7.5}`), map[string]string{"apiKey": key})
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{BaseURL: "http://localhost:8085", DefaultBot: "r3", Bots: []string{"a", "r3"}, RequestsPerSecond: 1.5,
		Timeout: 10 * time.Second, MaxRecords: 5000, LiveMinutes: 0, CacheMinutes: 0, FinalHours: 48,
		LiveReuse: 2500 * time.Millisecond, APIKey: key, ExpectedReplicas: 2, SyncDays: 3, SyncShare: 0.25, Response: 7500 * time.Millisecond}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Fatalf("settings (-want +got):\n%s", diff)
	}
	if got := strings.Join(s.KnownBots(), ","); got != "r3,a" {
		t.Fatalf("known bots %s", got)
	}
	s, _ = Parse([]byte(`{"bots":"x, y ,,x"}`), map[string]string{"apiKey": key})
	if strings.Join(s.Bots, ",") != "x,y" {
		t.Fatalf("comma-separated bots %v", s.Bots)
	}
}

func TestBadValuesAreAllReported(t *testing.T) {
	_, err := Parse([]byte(`{"baseUrl":"ftp://x","requestsPerSecond":-1,"timeoutSeconds":"soon","maxRecords":1.5,
		"liveMinutes":-5,"cacheMinutes":true,"bots":{"a":1},"defaultBot":7,"finalHours":0,"liveReuseSeconds":-1}`), map[string]string{"apiKey": key})
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"https://", "Requests per second", "Timeout (seconds)", "Max records per query", "Live minutes", "Cache minutes", "Known bots", "Default bot", "Final after (hours)", "Live reuse (seconds)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not mention %s", err, want)
		}
	}
	if strings.Contains(err.Error(), key) {
		t.Fatal("the key is in the message")
	}
}

func TestMissingKeyAndBrokenJSON(t *testing.T) {
	if _, err := Parse([]byte(`{}`), nil); err == nil || !strings.Contains(err.Error(), "API key") {
		t.Fatalf("missing key: %v", err)
	}
	if _, err := Parse([]byte(`[1]`), map[string]string{"apiKey": key}); err == nil {
		t.Fatal("a list was accepted as settings")
	}
	for _, u := range []string{"https://user:pw@host", "http://", "https://host?x=1", "not a url"} {
		if _, err := Parse([]byte(`{"baseUrl":"`+u+`"}`), map[string]string{"apiKey": key}); err == nil {
			t.Errorf("base URL %q accepted", u)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("credentials echoed: %v", err)
		}
	}
}

func TestImplausiblyShortKeysAreRefused(t *testing.T) {
	for _, k := range []string{"Z", "Zq", "Zqx", " Zqxw ", "Zqxw9"} {
		_, err := Parse(nil, map[string]string{"apiKey": k})
		if err == nil || !strings.Contains(err.Error(), "too short") {
			t.Fatalf("key %q: %v", k, err)
		}
		if strings.Contains(err.Error(), strings.TrimSpace(k)) {
			t.Fatalf("key %q is in the message %q", k, err)
		}
	}
	if _, err := Parse(nil, map[string]string{"apiKey": "sim-key"}); err != nil {
		t.Fatalf("the simulator's key is refused: %v", err)
	}
}

func TestSharedCacheSettings(t *testing.T) {
	s, err := Parse([]byte(`{"redisUrl":" rediss://cache.internal:6380/2 ","expectedReplicas":3}`), map[string]string{"apiKey": key, "redisPassword": "pw-5512"})
	if err != nil {
		t.Fatal(err)
	}
	if s.RedisURL != "rediss://cache.internal:6380/2" || s.RedisPassword != "pw-5512" || s.ExpectedReplicas != 3 {
		t.Fatalf("%+v", s)
	}
	for _, bad := range []string{`{"redisUrl":"http://cache:6379"}`, `{"redisUrl":"redis://:pw-in-url@cache:6379"}`, `{"redisUrl":"redis://"}`, `{"expectedReplicas":0}`, `{"expectedReplicas":2.5}`} {
		_, err := Parse([]byte(bad), map[string]string{"apiKey": key})
		if err == nil || strings.Contains(err.Error(), "pw-in-url") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestAPortOutOfRangeIsASettingsError: url.Parse takes any digits as a port, and a
// request to port 99999 fails on every retry; the settings refuse it by its label.
func TestAPortOutOfRangeIsASettingsError(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:99999", "https://api.example.com:0", "http://[::1]:65536/v1"} {
		_, err := Parse([]byte(`{"baseUrl":"`+u+`"}`), map[string]string{"apiKey": key})
		if err == nil || !strings.Contains(err.Error(), "Base URL \""+u+"\" has the port") || !strings.Contains(err.Error(), "1 to 65535") {
			t.Errorf("%s: %v", u, err)
		}
	}
	if _, err := Parse([]byte(`{"baseUrl":"http://127.0.0.1:65535"}`), map[string]string{"apiKey": key}); err != nil {
		t.Errorf("port 65535 refused: %v", err)
	}
}

// TestEveryProblemInTheTablesOrder pins the whole message: one problem per
// setting, in the order of Fields, each in the words the config page uses.
func TestEveryProblemInTheTablesOrder(t *testing.T) {
	_, err := Parse([]byte(`{"expectedReplicas":0,"syncShare":0,"syncDays":91,"responseSeconds":0,"redisUrl":5,"liveReuseSeconds":-1,
		"finalHours":0,"cacheMinutes":true,"liveMinutes":-5,"maxRecords":1.5,"timeoutSeconds":"soon","requestsPerSecond":-1,
		"bots":{"a":1},"defaultBot":7,"baseUrl":"ftp://x"}`), nil)
	want := "the data source settings need attention: " +
		`Base URL "ftp://x" must start with https:// (or http:// for a local simulator); ` +
		"Default bot must be a text; " +
		"Known bots must be a list of bot names; " +
		"Requests per second must be a number above 0 and at most 100 (the API allows 3), not -1; " +
		`Timeout (seconds) must be a number of seconds above 0 and at most 600, not "soon"; ` +
		"Max records per query must be a whole number from 1 to 1000000000, not 1.5; " +
		"Live minutes must be a whole number of minutes from 0 to 10080, not -5; " +
		"Cache minutes must be a whole number of minutes from 0 (no cache) to 10080, not true; " +
		"Final after (hours) must be a whole number of hours from 1 to 8760, not 0; " +
		"Live reuse (seconds) must be a number of seconds from 0 (read the live tail for every query) to 600, not -1; " +
		"Redis URL must be a text; " +
		"Answer within (seconds) must be a number of seconds from 1 to 600, not 0; " +
		"Keep synced (days) must be a whole number of days from 0 (no sync) to 90, not 91; " +
		"Sync share of the rate must be a number above 0 and at most 1, not 0; " +
		"Expected replicas must be a whole number of Grafana replicas from 1 to 100, not 0; " +
		"no API key is set: paste the key from Account > API in AgentX Support (visible to site admins)"
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}

// TestEverySettingHasOneRule: each row of the table says how its value is put
// into the settings, and a numeric default is a value the setting accepts.
func TestEverySettingHasOneRule(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields {
		if seen[f.Key] {
			t.Errorf("%s is in the table twice", f.Key)
		}
		seen[f.Key] = true
		rules := 0
		for _, set := range []bool{f.number != nil, f.text != nil, f.list != nil} {
			if set {
				rules++
			}
		}
		want := map[Kind]bool{Number: f.number != nil, Text: f.text != nil, Secret: f.text != nil, List: f.list != nil}[f.Kind]
		if rules != 1 || !want {
			t.Errorf("%s has %d rules, or not the one its kind reads with", f.Key, rules)
		}
		if f.Label == "" || f.Doc == "" {
			t.Errorf("%s has no label or no doc", f.Key)
		}
		if f.Kind == Number && !f.Accepts(f.Default) {
			t.Errorf("%s's default %v is outside its own range", f.Key, f.Default)
		}
	}
}
