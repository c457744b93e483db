package adapter

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// tokenHeader carries a shared secret for helpdesks that sign nothing.
const tokenHeader = "X-Frontline-Token"

// freshdesk reads the JSON body of Freshdesk's "Trigger webhook" automation
// action, written in Advanced mode from the documented template (keys under
// "freshdesk_webhook", Freshdesk placeholders as values).
//
// Freshdesk signs nothing: the request must carry the source's secret as
// the basic-auth password ("Requires authentication"), in the
// X-Frontline-Token custom header, or as the URL's last segment. Nothing
// is timestamped, so replays are bounded only by de-duplication.
type freshdesk struct{ user string }

func (freshdesk) Vendor() string { return "freshdesk" }

func (f freshdesk) Authenticate(d *event.Delivery, keys event.Keys, _ time.Time, _ time.Duration) error {
	if auth := d.Header.Get("Authorization"); auth != "" {
		user, pass, ok := parseBasic(auth)
		if !ok {
			return badSignature("authorization is not basic auth")
		}
		if f.user != "" && !tokenMatches(event.Keys{[]byte(f.user)}, user) {
			return badSignature("basic auth user does not match")
		}
		if !tokenMatches(keys, pass) {
			return badSignature("basic auth password does not match")
		}
		return nil
	}
	if tok := d.Header.Get(tokenHeader); tok != "" {
		if !tokenMatches(keys, tok) {
			return badSignature("token does not match")
		}
		return nil
	}
	if !tokenMatches(keys, d.PathToken) {
		return badSignature("missing or wrong credentials")
	}
	return nil
}

func parseBasic(h string) (user, pass string, ok bool) {
	const prefix = "Basic "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(h[len(prefix):])
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	return user, pass, ok
}

type freshdeskBody struct {
	Webhook *struct {
		FrontlineKind  string     `json:"frontline_kind"`
		TriggeredEvent string     `json:"triggered_event"`
		TicketID       flexString `json:"ticket_id"`
		Status         string     `json:"ticket_status"`
		Group          string     `json:"ticket_group_name"`
		Product        string     `json:"ticket_product_name"`
		Source         string     `json:"ticket_source"`
		Tags           tagList    `json:"ticket_tags"`
		Language       string     `json:"ticket_language"`
		CreatedAt      flexTime   `json:"ticket_created_at"`
		UpdatedAt      flexTime   `json:"ticket_updated_at"`
	} `json:"freshdesk_webhook"`
}

func (freshdesk) Parse(d *event.Delivery) (event.Event, bool, error) {
	var b freshdeskBody
	if err := decode(d.Body, &b); err != nil {
		return event.Event{}, false, err
	}
	w := b.Webhook
	if w == nil || w.TicketID == "" {
		return event.Event{}, false, malformed("missing freshdesk_webhook.ticket_id")
	}
	kind := freshdeskKind(w.FrontlineKind, w.TriggeredEvent)
	if kind == event.KindUnknown {
		return event.Event{}, false, nil
	}
	id := string(w.TicketID)
	ev := event.Event{
		Kind:      kind,
		TicketID:  id,
		CreatedAt: w.CreatedAt.Time,
		Attrs: event.Attributes{
			Group:    w.Group,
			Brand:    w.Product,
			Channel:  strings.ToLower(w.Source),
			Language: w.Language,
			Tags:     w.Tags,
		},
	}
	// Freshdesk sends no delivery id: a ticket is created once; a solve or
	// reply is told apart by the update time the template carries.
	switch kind {
	case event.KindCreated:
		ev.Key = key(id, "created")
	default:
		ev.At = w.UpdatedAt.Time
		ev.Key = key(id, kind.String(), stamp(ev.At), w.TriggeredEvent)
	}
	return ev, true, nil
}

// freshdeskKind: the template's frontline_kind wins; otherwise the
// {{triggered_event}} placeholder is read: "{ticket_action:created}" or a
// status change into Resolved/Closed (names or ids 4/5) from another status.
func freshdeskKind(explicit, triggered string) event.Kind {
	if explicit != "" {
		return event.ParseKind(explicit)
	}
	t := strings.ToLower(strings.ReplaceAll(triggered, " ", ""))
	if strings.Contains(t, "ticket_action:created") {
		return event.KindCreated
	}
	if from, to, ok := freshdeskStatusChange(t); ok && freshdeskDone(to) && !freshdeskDone(from) {
		return event.KindSolved
	}
	return event.KindUnknown
}

// freshdeskStatusChange reads "{status:{from:X,to:Y}}".
func freshdeskStatusChange(t string) (from, to string, ok bool) {
	_, rest, ok := strings.Cut(t, "status:{from:")
	if !ok {
		return "", "", false
	}
	from, rest, ok = strings.Cut(rest, ",to:")
	if !ok {
		return "", "", false
	}
	to, _, ok = strings.Cut(rest, "}")
	return from, to, ok
}

func freshdeskDone(status string) bool {
	switch status {
	case "resolved", "closed", "4", "5":
		return true
	}
	return false
}
