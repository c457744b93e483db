package adapter

import (
	"strconv"
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// Generic form headers.
const (
	genericSignatureHeader = "X-Frontline-Signature"
	genericTimestampHeader = "X-Frontline-Timestamp"
)

// generic is Frontline's own documented form, for helpdesks without an
// adapter and for teams that relay events from their own systems:
//
//	X-Frontline-Timestamp: 1767225600
//	X-Frontline-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//	{"id":"evt-1","type":"solved","ticket_id":"42","created_at":"…","at":"…",
//	 "channel":"chat","group":"billing","tags":["vip"],"language":"ko"}
//
// Several comma-separated v1= values may be sent while a secret rotates.
type generic struct{}

func (generic) Vendor() string { return "generic" }

func (generic) Authenticate(d *event.Delivery, keys event.Keys, now time.Time, tolerance time.Duration) error {
	return verifyTimestamped(d, keys, now, tolerance, genericTimestampHeader, genericSignatureHeader, "v1=")
}

func (generic) Parse(d *event.Delivery) (event.Event, bool, error) {
	return parseNeutral(d.Body)
}

// verifyTimestamped checks "prefix<hex HMAC-SHA256(ts + "." + body)>" with a
// unix-seconds timestamp header, then the timestamp's age. Generic and
// Chatwoot sign this way.
func verifyTimestamped(d *event.Delivery, keys event.Keys, now time.Time, tolerance time.Duration, tsHeader, sigHeader, prefix string) error {
	ts := d.Header.Get(tsHeader)
	sig := d.Header.Get(sigHeader)
	if ts == "" || sig == "" {
		return badSignature("missing " + sigHeader + " or " + tsHeader)
	}
	ok := false
	for _, one := range strings.Split(sig, ",") {
		if macMatches(sha256New, keys, hexSignature(strings.TrimSpace(one), prefix), []byte(ts), []byte("."), d.Body) {
			ok = true
			break
		}
	}
	if !ok {
		return badSignature("signature does not match")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return badSignature("timestamp is not unix seconds")
	}
	return checkAge(time.Unix(sec, 0), now, tolerance)
}

// checkAge rejects a signed time further than tolerance from now, either
// way: an old one is a replay, a future one a wrong clock or a forgery.
func checkAge(signed, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		return nil
	}
	if d := now.Sub(signed); d > tolerance || d < -tolerance {
		return event.ErrStale
	}
	return nil
}

// neutralBody is the generic form; Zendesk triggers and any other template
// can render it too.
type neutralBody struct {
	ID        flexString `json:"id"`
	Type      string     `json:"type"`
	TicketID  flexString `json:"ticket_id"`
	CreatedAt flexTime   `json:"created_at"`
	At        flexTime   `json:"at"`
	Channel   string     `json:"channel"`
	Group     string     `json:"group"`
	Brand     string     `json:"brand"`
	Inbox     string     `json:"inbox"`
	Tags      tagList    `json:"tags"`
	Language  string     `json:"language"`
}

func parseNeutral(body []byte) (event.Event, bool, error) {
	var b neutralBody
	if err := decode(body, &b); err != nil {
		return event.Event{}, false, err
	}
	if b.ID == "" {
		return event.Event{}, false, malformed("missing id")
	}
	if b.Type == "" {
		return event.Event{}, false, malformed("missing type")
	}
	kind := event.ParseKind(b.Type)
	if kind == event.KindUnknown {
		// A newer sender's type: well-formed, just not counted.
		return event.Event{}, false, nil
	}
	return event.Event{
		Key:       string(b.ID),
		Kind:      kind,
		TicketID:  string(b.TicketID),
		CreatedAt: b.CreatedAt.Time,
		At:        b.At.Time,
		Attrs: event.Attributes{
			Group:    b.Group,
			Brand:    b.Brand,
			Inbox:    b.Inbox,
			Channel:  b.Channel,
			Language: b.Language,
			Tags:     b.Tags,
		},
	}, true, nil
}
