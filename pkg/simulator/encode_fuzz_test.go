package simulator

import (
	"encoding/json"
	"testing"
)

// FuzzJSONStringIsEncodingJSONs: the simulator's quoting is byte for byte what
// encoding/json writes, escapes and invalid UTF-8 included.
func FuzzJSONStringIsEncodingJSONs(f *testing.F) {
	for _, s := range []string{"", "plain", `a"b\c`, "<tag> & more", "tab\tnew\nline", "\x00\x1f",
		"Connecting you to a support agent…", "ünïcödé", "\u2028\u2029", "\xff\xfe", "a\xc3", "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("prefix"), s); string(got) != "prefix"+string(want) {
			t.Fatalf("%q: %s, encoding/json writes %s", s, got[6:], want)
		}
	})
}
