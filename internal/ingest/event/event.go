// Package event is the vendor-neutral vocabulary of frontline-ingest: the
// Event every helpdesk adapter produces, the Delivery it reads, and the
// errors that decide how a delivery is rejected.
package event

import "time"

// Kind is what happened to a ticket.
type Kind uint8

// The kinds Frontline counts. Anything else a helpdesk reports is ignored.
const (
	KindUnknown Kind = iota
	KindCreated
	KindFirstReply
	KindSolved
)

func (k Kind) String() string {
	switch k {
	case KindCreated:
		return "created"
	case KindFirstReply:
		return "first_reply"
	case KindSolved:
		return "solved"
	}
	return "unknown"
}

// ParseKind reads the wire names used by the generic form and settings.
func ParseKind(s string) Kind {
	switch s {
	case "created":
		return KindCreated
	case "first_reply":
		return KindFirstReply
	case "solved":
		return KindSolved
	}
	return KindUnknown
}

// Event is one ticket event, already stripped of everything vendor-specific.
type Event struct {
	// Key de-duplicates retries: the vendor's event or delivery id where it
	// has a stable one, else a key built from the ticket (see each adapter).
	Key string
	// Kind is created, first_reply or solved.
	Kind Kind
	// TicketID is the helpdesk's ticket or conversation id.
	TicketID string
	// CreatedAt is when the ticket was created; zero when the vendor does
	// not say.
	CreatedAt time.Time
	// At is when this event happened (the reply or the solve); zero when
	// the vendor does not say.
	At time.Time
	// Attrs are what routing rules match on.
	Attrs Attributes
}

// Attributes are the routing inputs. Empty means the vendor did not say.
type Attributes struct {
	Group    string
	Brand    string
	Inbox    string
	Channel  string
	Language string
	Tags     []string
}
