package adapter

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// chatwoot reads Chatwoot account webhooks: conversation_created → created,
// conversation_status_changed to "resolved" → solved, conversation_updated
// whose changed_attributes set first_reply_created_at → first_reply.
//
// Signature (versions that sign): X-Chatwoot-Signature = "sha256=" +
// hex(HMAC-SHA256(webhook secret, timestamp + "." + body)), with the unix
// timestamp in X-Chatwoot-Timestamp, checked against the tolerance. With
// auth "token" (versions that do not sign) the secret travels in the
// X-Frontline-Token header or as the URL's last segment.
type chatwoot struct{ tokenAuth bool }

func newChatwoot(s Settings) (event.Adapter, error) {
	switch s.Auth {
	case "", AuthSignature:
		return chatwoot{}, nil
	case AuthToken:
		return chatwoot{tokenAuth: true}, nil
	}
	return nil, fmt.Errorf("chatwoot auth must be %q or %q, not %q", AuthSignature, AuthToken, s.Auth)
}

func (chatwoot) Vendor() string { return "chatwoot" }

func (c chatwoot) Authenticate(d *event.Delivery, keys event.Keys, now time.Time, tolerance time.Duration) error {
	if !c.tokenAuth {
		return verifyTimestamped(d, keys, now, tolerance, "X-Chatwoot-Timestamp", "X-Chatwoot-Signature", "sha256=")
	}
	tok := d.Header.Get(tokenHeader)
	if tok == "" {
		tok = d.PathToken
	}
	if !tokenMatches(keys, tok) {
		return badSignature("missing or wrong token")
	}
	return nil
}

type chatwootBody struct {
	Event     string     `json:"event"`
	ID        flexString `json:"id"`
	Status    string     `json:"status"`
	InboxID   flexString `json:"inbox_id"`
	Channel   string     `json:"channel"`
	Labels    tagList    `json:"labels"`
	CreatedAt flexTime   `json:"created_at"`
	UpdatedAt flexTime   `json:"updated_at"`
	Timestamp flexTime   `json:"timestamp"`
	Meta      struct {
		Team struct {
			Name string `json:"name"`
		} `json:"team"`
	} `json:"meta"`
	AdditionalAttributes struct {
		BrowserLanguage string `json:"browser_language"`
	} `json:"additional_attributes"`
	ChangedAttributes json.RawMessage `json:"changed_attributes"`
}

func (chatwoot) Parse(d *event.Delivery) (event.Event, bool, error) {
	var b chatwootBody
	if err := decode(d.Body, &b); err != nil {
		return event.Event{}, false, err
	}
	if b.Event == "" {
		return event.Event{}, false, malformed("missing event")
	}
	var ev event.Event
	switch b.Event {
	case "conversation_created":
		ev.Kind = event.KindCreated
	case "conversation_status_changed", "conversation_resolved":
		if b.Status != "resolved" {
			return event.Event{}, false, nil
		}
		ev.Kind = event.KindSolved
		ev.At = firstSet(b.UpdatedAt.Time, b.Timestamp.Time)
	case "conversation_updated":
		at, ok := chatwootFirstReply(b.ChangedAttributes)
		if !ok {
			return event.Event{}, false, nil
		}
		ev.Kind, ev.At = event.KindFirstReply, at
	default:
		return event.Event{}, false, nil // messages, contacts, typing …
	}
	if b.ID == "" {
		return event.Event{}, false, malformed("conversation event without id")
	}
	id := string(b.ID)
	ev.TicketID = id
	ev.CreatedAt = b.CreatedAt.Time
	// Keyed on the conversation rather than X-Chatwoot-Delivery, which older
	// versions do not send: a conversation is created once, and a resolve
	// is told apart by its time.
	ev.Key = key(id, ev.Kind.String(), stamp(ev.At))
	ev.Attrs = event.Attributes{
		Group:    b.Meta.Team.Name,
		Inbox:    string(b.InboxID),
		Channel:  strings.ToLower(strings.TrimPrefix(b.Channel, "Channel::")),
		Language: b.AdditionalAttributes.BrowserLanguage,
		Tags:     b.Labels,
	}
	return ev, true, nil
}

// chatwootFirstReply finds first_reply_created_at going from null to a
// time in changed_attributes ([{"attr":{"current_value":…,"previous_value":…}}]).
// A shape it cannot read is not a first reply.
func chatwootFirstReply(raw json.RawMessage) (time.Time, bool) {
	var changes []map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &changes) != nil {
		return time.Time{}, false
	}
	for _, c := range changes {
		v, ok := c["first_reply_created_at"]
		if !ok {
			continue
		}
		var change struct {
			Current  flexTime `json:"current_value"`
			Previous flexTime `json:"previous_value"`
		}
		if json.Unmarshal(v, &change) != nil || !change.Previous.IsZero() || change.Current.IsZero() {
			return time.Time{}, false
		}
		return change.Current.Time, true
	}
	return time.Time{}, false
}

func firstSet(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
