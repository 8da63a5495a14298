package settings

import (
	"strings"
	"testing"
)

// FuzzParse checks that any jsonData either is refused with a message free of the
// key or gives settings inside the contract's bounds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{}`, `{"baseUrl":"http://x","requestsPerSecond":"2","bots":"a,b"}`, `{"maxRecords":1.5}`, `[]`, `null`, `{"timeoutSeconds":1e308}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := Parse(raw, map[string]string{"apiKey": key})
		if err != nil {
			if strings.Contains(err.Error(), key) {
				t.Fatal("the error holds the key")
			}
			return
		}
		if s.RequestsPerSecond <= 0 || s.RequestsPerSecond > 100 || s.Timeout <= 0 || s.MaxRecords < 1 || s.LiveMinutes < 0 || s.CacheMinutes < 0 {
			t.Fatalf("accepted %+v from %s", s, raw)
		}
		if !strings.HasPrefix(s.BaseURL, "http://") && !strings.HasPrefix(s.BaseURL, "https://") {
			t.Fatalf("accepted base URL %q", s.BaseURL)
		}
	})
}
