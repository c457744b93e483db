package adapter

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// zammad reads Zammad's default webhook payload ({"ticket":…,"article":…}),
// sent by the triggers that name the webhook.
//
// Signature: X-Hub-Signature = "sha1=" + hex(HMAC-SHA1(token, body)), the
// webhook's "HMAC SHA1 Signature Token". Zammad signs no timestamp.
//
// The payload does not say what happened, so the kind comes from the
// trigger's name (X-Zammad-Trigger) through the source's triggerKinds, or,
// for unmapped triggers, from the ticket state: "closed" is a solve, "new"
// a creation; anything else is ignored.
type zammad struct {
	triggers map[string]event.Kind
}

func newZammad(s Settings) (event.Adapter, error) {
	return zammad{triggers: s.TriggerKinds}, nil
}

func (zammad) Vendor() string { return "zammad" }

func (zammad) Authenticate(d *event.Delivery, keys event.Keys, _ time.Time, _ time.Duration) error {
	return verifyHubSignature(d, keys)
}

type zammadBody struct {
	Ticket *struct {
		ID                flexString      `json:"id"`
		State             json.RawMessage `json:"state"`
		Group             json.RawMessage `json:"group"`
		Organization      json.RawMessage `json:"organization"`
		CreateArticleType string          `json:"create_article_type"`
		Tags              tagList         `json:"tags"`
		CreatedAt         flexTime        `json:"created_at"`
		UpdatedAt         flexTime        `json:"updated_at"`
		CloseAt           flexTime        `json:"close_at"`
		FirstResponseAt   flexTime        `json:"first_response_at"`
	} `json:"ticket"`
}

func (z zammad) Parse(d *event.Delivery) (event.Event, bool, error) {
	var b zammadBody
	if err := decode(d.Body, &b); err != nil {
		return event.Event{}, false, err
	}
	t := b.Ticket
	if t == nil || t.ID == "" {
		return event.Event{}, false, malformed("missing ticket.id")
	}
	state := zammadName(t.State)
	kind, mapped := z.triggers[d.Header.Get("X-Zammad-Trigger")]
	if !mapped {
		switch strings.ToLower(state) {
		case "new":
			kind = event.KindCreated
		case "closed":
			kind = event.KindSolved
		}
	}
	if kind == event.KindUnknown {
		return event.Event{}, false, nil
	}
	id := string(t.ID)
	ev := event.Event{
		Kind:      kind,
		TicketID:  id,
		CreatedAt: t.CreatedAt.Time,
		Attrs: event.Attributes{
			Group:   zammadName(t.Group),
			Brand:   zammadName(t.Organization),
			Channel: t.CreateArticleType,
			Tags:    t.Tags,
		},
	}
	// X-Zammad-Delivery is documented only as a random id, not as stable
	// across Zammad's retries, so the key is built from the ticket.
	switch kind {
	case event.KindCreated:
		ev.Key = key(id, "created")
	case event.KindFirstReply:
		ev.At = t.FirstResponseAt.Time
		ev.Key = key(id, "first_reply", stamp(ev.At))
	case event.KindSolved:
		ev.At = t.CloseAt.Time
		if ev.At.IsZero() {
			ev.At = t.UpdatedAt.Time
		}
		ev.Key = key(id, "solved", stamp(ev.At))
	}
	return ev, true, nil
}

// zammadName reads a reference Zammad renders either as its name or as an
// object with a name.
func zammadName(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.Name
	}
	return ""
}
