package adapter

import (
	"errors"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// TestSignZendeskIsWhatTheAdapterVerifies: a body signed by SignZendesk
// passes the zendesk adapter's check with the same secret, and fails it
// with another secret, another body or a timestamp past the tolerance.
func TestSignZendeskIsWhatTheAdapterVerifies(t *testing.T) {
	a := mustAdapter(t, "zendesk", Settings{})
	secret, body := []byte("dGhpcyBpcyBhIHNlY3JldA"), readFixture(t, "zendesk/ticket_created.json")
	at := time.Date(2099, 7, 4, 5, 33, 18, 500_000_000, time.UTC)
	signed := SignZendesk(secret, body, at)
	// check delivers sent (the body signed, or another) and verifies it
	// with key at now.
	check := func(key string, sent []byte, now time.Time) error {
		return a.Authenticate(&event.Delivery{Header: signed, Body: sent}, event.Keys{[]byte(key)}, now, 5*time.Minute)
	}
	if err := check(string(secret), body, at.Add(time.Second)); err != nil {
		t.Fatalf("signed delivery refused: %v", err)
	}
	if ts := signed.Get("X-Zendesk-Webhook-Signature-Timestamp"); ts != "2099-07-04T05:33:18Z" {
		t.Errorf("timestamp %q, want RFC 3339 in seconds", ts)
	}
	if err := check("another secret", body, at); !errors.Is(err, event.ErrBadSignature) {
		t.Errorf("another secret: %v, want a bad signature", err)
	}
	if err := check(string(secret), append([]byte(" "), body...), at); !errors.Is(err, event.ErrBadSignature) {
		t.Errorf("another body: %v, want a bad signature", err)
	}
	if err := check(string(secret), body, at.Add(6*time.Minute)); !errors.Is(err, event.ErrStale) {
		t.Errorf("six minutes later: %v, want stale", err)
	}
}
