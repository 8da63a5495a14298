// Package opaque names what the plugin stores (Redis keys, the disk's lanes and
// hints) so that the names say nothing of whose records they are.
package opaque

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// Name returns 32 hex digits for parts: the start of an HMAC-SHA256 keyed by
// secret (the API key). Replicas with the same key find the same names; without
// the key nobody can tell a bot's name, or a hash of the key, from them, since
// a plain hash of a guessed bot or key would match.
func Name(secret string, parts ...string) string {
	m := hmac.New(sha256.New, []byte(secret))
	for _, p := range parts {
		// Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
		m.Write(binary.AppendUvarint(nil, uint64(len(p))))
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}
