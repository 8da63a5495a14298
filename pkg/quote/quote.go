// Package quote puts text a user or the API gave into a message: quoted, so
// that spaces and empty strings show, and shortened, so that a pasted document
// does not become the message.
package quote

import "strconv"

// most is how many characters of the text a message shows.
const most = 80

// Text quotes s for a message, cut after 80 characters.
func Text(s string) string {
	if r := []rune(s); len(r) > most {
		s = string(r[:most]) + "…"
	}
	return strconv.Quote(s)
}
