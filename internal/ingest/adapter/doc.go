// Package adapter holds one adapter per helpdesk: each verifies what its
// vendor signs and turns the vendor's payload into an event.Event.
//
// Verified schemes (see docs/connect-your-helpdesk.md for the sources):
//
//   - zendesk:   X-Zendesk-Webhook-Signature = base64(HMAC-SHA256(secret,
//     timestamp + body)), timestamp in X-Zendesk-Webhook-Signature-Timestamp.
//   - intercom:  X-Hub-Signature = "sha1=" + hex(HMAC-SHA1(client secret, body)).
//   - zammad:    X-Hub-Signature = "sha1=" + hex(HMAC-SHA1(token, body)).
//   - chatwoot:  X-Chatwoot-Signature = "sha256=" + hex(HMAC-SHA256(secret,
//     timestamp + "." + body)), timestamp in X-Chatwoot-Timestamp; older
//     versions sign nothing, so a shared token is accepted instead.
//   - freshdesk: automation webhooks are not signed: HTTP basic auth, a
//     shared X-Frontline-Token header or a token in the URL.
//   - generic:   X-Frontline-Signature = "v1=" + hex(HMAC-SHA256(secret,
//     timestamp + "." + body)), timestamp in X-Frontline-Timestamp.
//
// Every comparison is constant-time and no error carries a secret.
package adapter
