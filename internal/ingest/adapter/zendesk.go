package adapter

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// zendesk reads Zendesk webhooks: ticket event subscriptions
// (zen:event-type:ticket.created, zen:event-type:ticket.status_changed) and,
// for webhooks connected to triggers, a trigger body in the generic form.
//
// Signature: base64(HMAC-SHA256(secret, timestamp + body)); the timestamp
// (RFC 3339) is checked against the tolerance.
type zendesk struct{}

func (zendesk) Vendor() string { return "zendesk" }

func (zendesk) Authenticate(d *event.Delivery, keys event.Keys, now time.Time, tolerance time.Duration) error {
	sig := d.Header.Get("X-Zendesk-Webhook-Signature")
	ts := d.Header.Get("X-Zendesk-Webhook-Signature-Timestamp")
	if sig == "" || ts == "" {
		return badSignature("missing X-Zendesk-Webhook-Signature or its timestamp")
	}
	if !macMatches(sha256New, keys, base64Signature(sig), []byte(ts), d.Body) {
		return badSignature("signature does not match")
	}
	signed, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return badSignature("timestamp is not RFC 3339")
	}
	return checkAge(signed, now, tolerance)
}

type zendeskEvent struct {
	Type   string   `json:"type"`
	ID     string   `json:"id"`
	Time   flexTime `json:"time"`
	Detail struct {
		ID        flexString `json:"id"`
		CreatedAt flexTime   `json:"created_at"`
		GroupID   flexString `json:"group_id"`
		BrandID   flexString `json:"brand_id"`
		Tags      tagList    `json:"tags"`
		Via       struct {
			Channel string `json:"channel"`
		} `json:"via"`
	} `json:"detail"`
	Event struct {
		Current json.RawMessage `json:"current"`
	} `json:"event"`
}

const zendeskEventPrefix = "zen:event-type:"

func (zendesk) Parse(d *event.Delivery) (event.Event, bool, error) {
	var z zendeskEvent
	if err := decode(d.Body, &z); err != nil {
		return event.Event{}, false, err
	}
	if !strings.HasPrefix(z.Type, zendeskEventPrefix) {
		// A webhook connected to a trigger sends the body the trigger
		// defines: Frontline's generic form (see the docs' template).
		return parseNeutral(d.Body)
	}
	if z.ID == "" || z.Detail.ID == "" {
		return event.Event{}, false, malformed("zendesk event without id or detail.id")
	}
	var kind event.Kind
	switch strings.TrimPrefix(z.Type, zendeskEventPrefix) {
	case "ticket.created":
		kind = event.KindCreated
	case "ticket.status_changed":
		var current string
		// current is a string for status changes; anything else is not one.
		if json.Unmarshal(z.Event.Current, &current) == nil && strings.EqualFold(current, "solved") {
			kind = event.KindSolved
		}
	}
	if kind == event.KindUnknown {
		return event.Event{}, false, nil
	}
	return event.Event{
		Key:       z.ID,
		Kind:      kind,
		TicketID:  string(z.Detail.ID),
		CreatedAt: z.Detail.CreatedAt.Time,
		At:        z.Time.Time,
		Attrs: event.Attributes{
			Group:   string(z.Detail.GroupID),
			Brand:   string(z.Detail.BrandID),
			Channel: z.Detail.Via.Channel,
			Tags:    z.Detail.Tags,
		},
	}, true, nil
}
