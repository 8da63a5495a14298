package simulator

import "testing"

// FuzzDecodeCursor feeds the simulator's cursor decoder what a client might send:
// it must refuse or decode to a position that encodes back to the same cursor.
func FuzzDecodeCursor(f *testing.F) {
	fp := queryFingerprint("c", "bot", "1", "2", "")
	for _, c := range []cursor{{hour: 493000, index: 5}, {hour: 0}, {hour: 493000, index: 999, empties: 3}} {
		f.Add(c.encode(fp))
	}
	f.Add("+/+/")
	f.Add("not base64 at all")
	f.Add(" /+/qvE8AgA1EU1d") // a '+' turned into a space by a client that forgot to encode
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s, fp)
		if err != nil {
			return
		}
		if c.index < 0 || c.empties < 0 {
			t.Fatalf("%q decoded to %+v", s, c)
		}
		if again, err := decodeCursor(c.encode(fp), fp); err != nil || again != c {
			t.Fatalf("%q decoded to %+v, which does not round-trip", s, c)
		}
	})
}
