// Package clip bounds text written where the apiserver bounds it (an
// Event's note, a condition's message, a status field) or read from an
// untrusted source into a message.
package clip

import "unicode/utf8"

// String is s cut to at most max bytes, marked "…" when cut, never inside
// a UTF-8 sequence.
func String(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	if cut < 0 {
		return ""
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
