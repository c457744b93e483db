package adapter

import (
	"strings"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

// intercom reads Intercom notification_event webhooks for conversations.
//
// Signature: X-Hub-Signature = "sha1=" + hex(HMAC-SHA1(client secret, body)).
// Intercom signs no timestamp, so replays are bounded only by the
// de-duplication window.
//
// Topics: conversation.user.created → created; conversation.admin.closed →
// solved; conversation.admin.replied → first_reply when the reply is the
// conversation's first admin reply (statistics.first_admin_reply_at).
type intercom struct{}

func (intercom) Vendor() string { return "intercom" }

func (intercom) Authenticate(d *event.Delivery, keys event.Keys, _ time.Time, _ time.Duration) error {
	return verifyHubSignature(d, keys)
}

type intercomNotification struct {
	Type      string   `json:"type"`
	ID        string   `json:"id"`
	Topic     string   `json:"topic"`
	CreatedAt flexTime `json:"created_at"`
	Data      struct {
		Item intercomConversation `json:"item"`
	} `json:"data"`
}

type intercomConversation struct {
	Type           string     `json:"type"`
	ID             flexString `json:"id"`
	CreatedAt      flexTime   `json:"created_at"`
	UpdatedAt      flexTime   `json:"updated_at"`
	TeamAssigneeID flexString `json:"team_assignee_id"`
	Source         struct {
		Type string `json:"type"`
	} `json:"source"`
	Tags struct {
		Tags []struct {
			Name string `json:"name"`
		} `json:"tags"`
	} `json:"tags"`
	Statistics struct {
		FirstAdminReplyAt flexTime `json:"first_admin_reply_at"`
		LastCloseAt       flexTime `json:"last_close_at"`
	} `json:"statistics"`
	ConversationParts struct {
		Parts []struct {
			PartType  string   `json:"part_type"`
			CreatedAt flexTime `json:"created_at"`
			Author    struct {
				Type string `json:"type"`
			} `json:"author"`
		} `json:"conversation_parts"`
	} `json:"conversation_parts"`
}

func (intercom) Parse(d *event.Delivery) (event.Event, bool, error) {
	var n intercomNotification
	if err := decode(d.Body, &n); err != nil {
		return event.Event{}, false, err
	}
	if n.Type != "notification_event" || n.Topic == "" {
		return event.Event{}, false, malformed("not an intercom notification_event")
	}
	c := &n.Data.Item
	var ev event.Event
	switch n.Topic {
	case "conversation.user.created":
		ev = event.Event{Kind: event.KindCreated, Key: n.ID}
	case "conversation.admin.closed":
		at := c.Statistics.LastCloseAt.Time
		if at.IsZero() {
			at = n.CreatedAt.Time
		}
		ev = event.Event{Kind: event.KindSolved, Key: n.ID, At: at}
	case "conversation.admin.replied":
		first := c.Statistics.FirstAdminReplyAt.Time
		if first.IsZero() || !intercomRepliedAt(c, first) {
			return event.Event{}, false, nil
		}
		// Keyed on the conversation: however many notifications carry the
		// first reply, it is one first reply.
		ev = event.Event{Kind: event.KindFirstReply, Key: key(string(c.ID), "first_reply"), At: first}
	default:
		return event.Event{}, false, nil // ping and every other topic
	}
	if n.ID == "" || c.ID == "" {
		return event.Event{}, false, malformed("intercom notification without id or conversation id")
	}
	ev.TicketID = string(c.ID)
	ev.CreatedAt = c.CreatedAt.Time
	ev.Attrs = event.Attributes{
		Group:   string(c.TeamAssigneeID),
		Channel: intercomChannel(c.Source.Type),
		Tags:    intercomTags(c),
	}
	return ev, true, nil
}

// intercomRepliedAt: the notification carries the admin comment made at the
// conversation's first admin reply time.
func intercomRepliedAt(c *intercomConversation, first time.Time) bool {
	for _, p := range c.ConversationParts.Parts {
		if p.Author.Type == "admin" && p.PartType == "comment" && p.CreatedAt.Equal(first) {
			return true
		}
	}
	return false
}

// intercomChannel names Messenger conversations "chat"; other source types
// (email, whatsapp, phone_call …) keep their name.
func intercomChannel(sourceType string) string {
	if sourceType == "conversation" {
		return "chat"
	}
	return strings.ToLower(sourceType)
}

func intercomTags(c *intercomConversation) []string {
	if len(c.Tags.Tags) == 0 {
		return nil
	}
	out := make([]string, 0, len(c.Tags.Tags))
	for _, t := range c.Tags.Tags {
		out = append(out, t.Name)
	}
	return out
}

// verifyHubSignature checks X-Hub-Signature: "sha1=" and the hex HMAC-SHA1
// of the body, as Intercom and Zammad both sign (neither sends a
// timestamp).
func verifyHubSignature(d *event.Delivery, keys event.Keys) error {
	sig := d.Header.Get("X-Hub-Signature")
	if sig == "" {
		return badSignature("missing X-Hub-Signature")
	}
	if !macMatches(sha1New, keys, hexSignature(sig, "sha1="), d.Body) {
		return badSignature("signature does not match")
	}
	return nil
}
