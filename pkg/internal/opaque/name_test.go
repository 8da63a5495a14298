package opaque

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestNamesDependOnTheSecretAndEveryPart(t *testing.T) {
	a := Name("key-1", "lane", "bot")
	if len(a) != 32 || a != Name("key-1", "lane", "bot") {
		t.Fatalf("not a stable 128-bit name: %q", a)
	}
	for _, other := range []string{Name("key-2", "lane", "bot"), Name("key-1", "lane", "bot2"), Name("key-1", "lan", "ebot")} {
		if other == a {
			t.Fatalf("%q names two things", a)
		}
	}
	for _, s := range []string{"bot", "key-1", "lanebot", "lane\x00bot"} {
		h := sha256.Sum256([]byte(s))
		if strings.Contains(a, hex.EncodeToString(h[:4])) {
			t.Fatalf("%q holds a plain hash of %q", a, s)
		}
	}
}
