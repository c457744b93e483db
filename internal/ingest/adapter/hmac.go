package adapter

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // Intercom and Zammad sign with HMAC-SHA1; we verify what they send.
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// macMatches reports whether want is the HMAC of parts under any key.
// hmac.Equal is constant-time, so a near miss leaks nothing.
func macMatches(newHash func() hash.Hash, keys event.Keys, want []byte, parts ...[]byte) bool {
	if len(want) == 0 {
		return false
	}
	var sum [64]byte
	for _, k := range keys {
		if hmac.Equal(macOf(newHash, k, sum[:0], parts...), want) {
			return true
		}
	}
	return false
}

// macOf appends the HMAC of parts under key to dst: what a vendor signs
// and what macMatches checks.
func macOf(newHash func() hash.Hash, key, dst []byte, parts ...[]byte) []byte {
	m := hmac.New(newHash, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(dst)
}

// hexSignature decodes "prefix<hex>"; a missing prefix or bad hex gives nil.
func hexSignature(header, prefix string) []byte {
	if !strings.HasPrefix(header, prefix) {
		return nil
	}
	b, err := hex.DecodeString(strings.TrimSpace(header[len(prefix):]))
	if err != nil {
		return nil
	}
	return b
}

func base64Signature(header string) []byte {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil {
		return nil
	}
	return b
}

// tokenMatches compares a presented shared token with every key in
// constant time (per key).
func tokenMatches(keys event.Keys, got string) bool {
	if got == "" {
		return false
	}
	ok := 0
	for _, k := range keys {
		ok |= subtle.ConstantTimeCompare(k, []byte(got))
	}
	return ok == 1
}

func badSignature(what string) error {
	return fmt.Errorf("%w: %s", event.ErrBadSignature, what)
}

var (
	sha1New   = sha1.New
	sha256New = sha256.New
)
