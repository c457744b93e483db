package adapter

import (
	"encoding/base64"
	"net/http"
	"time"
)

// SignZendesk returns the headers Zendesk signs a webhook body with when
// it sends it at the given time: X-Zendesk-Webhook-Signature-Timestamp
// (RFC 3339, seconds, UTC) and X-Zendesk-Webhook-Signature, base64 of
// HMAC-SHA256(secret, timestamp + body). It is the sending side of what
// the zendesk adapter verifies, for simulated helpdesks and tests.
func SignZendesk(secret, body []byte, at time.Time) http.Header {
	ts := at.UTC().Format(time.RFC3339)
	h := http.Header{}
	h.Set("X-Zendesk-Webhook-Signature", base64.StdEncoding.EncodeToString(macOf(sha256New, secret, nil, []byte(ts), body)))
	h.Set("X-Zendesk-Webhook-Signature-Timestamp", ts)
	return h
}
