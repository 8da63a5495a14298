package settings

// The names a person meets in the config editor, which messages about the settings
// use rather than the JSON keys; docs/reference.md maps one to the other. The
// numeric settings carry the ranges the parser accepts, which the config editor
// checks too (src/generated/settings.ts is written from here).

// Labels of the settings that are not numbers.
var Labels = map[string]string{
	"baseUrl":    "Base URL",
	"defaultBot": "Default bot",
	"bots":       "Known bots",
	"redisUrl":   "Redis URL",
	"apiKey":     "API key",
}

// NumberField is a numeric setting: accepted within (Min, Max] when AboveMin, else
// [Min, Max], whole when Whole.
type NumberField struct {
	Key      string
	Label    string
	Min, Max float64
	AboveMin bool
	Whole    bool
	Default  float64
	// Accepted says what is accepted, after "must be".
	Accepted string
}

// Numbers lists the numeric settings in the order the config editor shows them.
var Numbers = []NumberField{
	{Key: "requestsPerSecond", Label: "Requests per second", Min: 0, Max: 100, AboveMin: true, Default: DefaultRequestsPerSecond,
		Accepted: "a number above 0 and at most 100 (the API allows 3)"},
	{Key: "timeoutSeconds", Label: "Timeout (seconds)", Min: 0, Max: 600, AboveMin: true, Default: DefaultTimeoutSeconds,
		Accepted: "a number of seconds above 0 and at most 600"},
	{Key: "maxRecords", Label: "Max records per query", Min: 1, Max: 1e9, Whole: true, Default: DefaultMaxRecords,
		Accepted: "a whole number from 1 to 1000000000"},
	{Key: "liveMinutes", Label: "Live minutes", Min: 0, Max: 10080, Whole: true, Default: DefaultLiveMinutes,
		Accepted: "a whole number of minutes from 0 to 10080"},
	{Key: "cacheMinutes", Label: "Cache minutes", Min: 0, Max: 10080, Whole: true, Default: DefaultCacheMinutes,
		Accepted: "a whole number of minutes from 0 (no cache) to 10080"},
	{Key: "finalHours", Label: "Final after (hours)", Min: 1, Max: 8760, Whole: true, Default: DefaultFinalHours,
		Accepted: "a whole number of hours from 1 to 8760"},
	{Key: "liveReuseSeconds", Label: "Live reuse (seconds)", Min: 0, Max: 600, Default: DefaultLiveReuseSeconds,
		Accepted: "a number of seconds from 0 (read the live tail for every query) to 600"},
	{Key: "responseSeconds", Label: "Answer within (seconds)", Min: 1, Max: 600, Default: DefaultResponseSeconds,
		Accepted: "a number of seconds from 1 to 600"},
	{Key: "syncDays", Label: "Keep synced (days)", Min: 0, Max: 90, Whole: true, Default: DefaultSyncDays,
		Accepted: "a whole number of days from 0 (no sync) to 90"},
	{Key: "syncShare", Label: "Sync share of the rate", Min: 0, Max: 1, AboveMin: true, Default: DefaultSyncShare,
		Accepted: "a number above 0 and at most 1"},
	{Key: "expectedReplicas", Label: "Expected replicas", Min: 1, Max: 100, Whole: true, Default: DefaultExpectedReplicas,
		Accepted: "a whole number of Grafana replicas from 1 to 100"},
}

// Accepts reports whether n is a value the setting takes.
func (f NumberField) Accepts(n float64) bool {
	if n < f.Min || (f.AboveMin && n == f.Min) || n > f.Max {
		return false
	}
	return !f.Whole || n == float64(int64(n))
}

func numberField(key string) NumberField {
	for _, f := range Numbers {
		if f.Key == key {
			return f
		}
	}
	panic("settings: no numeric setting " + key)
}

// Label is the config editor's name of a setting, for messages that tell a
// person what to change; it panics on a key that is not a setting.
func Label(key string) string {
	if l, ok := Labels[key]; ok {
		return l
	}
	return numberField(key).Label
}

// Most is the largest value a numeric setting takes.
func Most(key string) float64 {
	return numberField(key).Max
}
