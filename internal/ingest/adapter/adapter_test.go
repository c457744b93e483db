package adapter

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/event"
)

func mustAdapter(t *testing.T, vendor string, s Settings) event.Adapter {
	t.Helper()
	a, err := New(vendor, s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestParseFixtures pins what each adapter reads from its vendor's
// documented payloads: kind, key, ticket, times and routing attributes.
func TestParseFixtures(t *testing.T) {
	cases := []struct {
		vendor  string
		fixture string
		header  http.Header
		want    event.Event
	}{
		{"zendesk", "zendesk/ticket_created.json", nil, event.Event{
			Key: "cbe4028c-7239-495d-b020-f22348516046", Kind: event.KindCreated, TicketID: "35436",
			CreatedAt: utc("2099-07-04T05:33:17Z"), At: utc("2099-07-04T05:33:18Z"),
			Attrs: event.Attributes{Group: "8447388090238", Brand: "8447346621310", Channel: "web_form", Tags: []string{"printer", "vip"}}}},
		{"zendesk", "zendesk/trigger_solved.json", nil, event.Event{
			Key: "35436-solved-2099-07-04T06:03Z", Kind: event.KindSolved, TicketID: "35436",
			CreatedAt: utc("2099-07-04T05:33:00Z"), At: utc("2099-07-04T06:03:00Z"),
			Attrs: event.Attributes{Group: "Support", Brand: "Acme", Channel: "Web Form", Language: "en-US", Tags: []string{"printer", "vip"}}}},
		{"intercom", "intercom/conversation_admin_closed.json", nil, event.Event{
			Key: "notif_c51d8e20-23bc-11e4-9464-79b01267cc2e", Kind: event.KindSolved, TicketID: "1911149811",
			CreatedAt: time.Unix(4086057600, 0).UTC(), At: time.Unix(4086059400, 0).UTC(),
			Attrs: event.Attributes{Group: "5017691", Channel: "chat", Tags: []string{"Billing"}}}},
		{"intercom", "intercom/conversation_admin_replied.json", nil, event.Event{
			Key: "1911149811|first_reply", Kind: event.KindFirstReply, TicketID: "1911149811",
			CreatedAt: time.Unix(4086057600, 0).UTC(), At: time.Unix(4086057900, 0).UTC(),
			Attrs: event.Attributes{Group: "5017691", Channel: "chat", Tags: []string{"Billing"}}}},
		{"freshdesk", "freshdesk/ticket_created.json", nil, event.Event{
			Key: "4217|created", Kind: event.KindCreated, TicketID: "4217", CreatedAt: utc("2099-07-04T05:33:17Z"),
			Attrs: event.Attributes{Group: "Billing", Brand: "Acme Cloud", Channel: "chat", Tags: []string{"vip", "refund"}}}},
		{"zammad", "zammad/ticket_closed.json", http.Header{"X-Zammad-Trigger": {"unmapped"}}, event.Event{
			Key: "81|solved|" + stamp(utc("2020-11-13T16:04:35.282Z")), Kind: event.KindSolved, TicketID: "81",
			CreatedAt: utc("2020-11-13T14:34:35.282Z"), At: utc("2020-11-13T16:04:35.282Z"),
			Attrs: event.Attributes{Group: "Service Desk", Brand: "Awesome Customer Inc.", Channel: "phone"}}},
		{"chatwoot", "chatwoot/conversation_status_changed_resolved.json", nil, event.Event{
			Key: "10|solved|" + stamp(time.Unix(1627064208, 5e8).UTC()), Kind: event.KindSolved, TicketID: "10",
			CreatedAt: time.Unix(1627063308, 0).UTC(), At: time.Unix(1627064208, 5e8).UTC(),
			Attrs: event.Attributes{Group: "Billing", Inbox: "1", Channel: "webwidget", Language: "ko", Tags: []string{"billing", "vip"}}}},
		{"chatwoot", "chatwoot/conversation_updated_first_reply.json", nil, event.Event{
			Key: "10|first_reply|" + stamp(utc("2021-07-23T18:03:40Z")), Kind: event.KindFirstReply, TicketID: "10",
			CreatedAt: time.Unix(1627063308, 0).UTC(), At: utc("2021-07-23T18:03:40Z"),
			Attrs: event.Attributes{Group: "Billing", Inbox: "1", Channel: "webwidget", Language: "ko", Tags: []string{"billing", "vip"}}}},
		{"generic", "generic/solved.json", nil, event.Event{
			Key: "evt_01J9ZQB1D2E3F4G5H6J7K8M9N0", Kind: event.KindSolved, TicketID: "T-1001",
			CreatedAt: utc("2099-07-04T05:33:17Z"), At: utc("2099-07-04T05:45:17Z"),
			Attrs: event.Attributes{Group: "billing", Channel: "chat", Language: "ko", Tags: []string{"vip"}}}},
	}
	for _, c := range cases {
		t.Run(c.fixture, func(t *testing.T) {
			h := c.header
			if h == nil {
				h = http.Header{}
			}
			ev, ok, err := mustAdapter(t, c.vendor, Settings{}).Parse(&event.Delivery{Header: h, Body: readFixture(t, c.fixture)})
			if err != nil || !ok {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
			if !sameEvent(ev, c.want) {
				t.Fatalf("got  %+v\nwant %+v", ev, c.want)
			}
		})
	}
}

func sameEvent(a, b event.Event) bool {
	if a.Key != b.Key || a.Kind != b.Kind || a.TicketID != b.TicketID || !a.CreatedAt.Equal(b.CreatedAt) || !a.At.Equal(b.At) {
		return false
	}
	x, y := a.Attrs, b.Attrs
	if x.Group != y.Group || x.Brand != y.Brand || x.Inbox != y.Inbox || x.Channel != y.Channel || x.Language != y.Language || len(x.Tags) != len(y.Tags) {
		return false
	}
	for i := range x.Tags {
		if x.Tags[i] != y.Tags[i] {
			return false
		}
	}
	return true
}

func TestFreshdeskKind(t *testing.T) {
	cases := []struct {
		explicit, triggered string
		want                event.Kind
	}{
		{"solved", "{ticket_action:created}", event.KindSolved}, // the template's word wins
		{"", "{ticket_action:created}", event.KindCreated},
		{"", "{status:{from:Open,to:Resolved}}", event.KindSolved},
		{"", "{status:{from:Pending,to:Closed}}", event.KindSolved},
		{"", "{status:{from:2,to:4}}", event.KindSolved},
		{"", "{status:{from:Resolved,to:Closed}}", event.KindUnknown}, // already solved once
		{"", "{status:{from:4,to:6}}", event.KindUnknown},
		{"", "{priority:{from:Low,to:High}}", event.KindUnknown},
		{"", "", event.KindUnknown},
	}
	for _, c := range cases {
		if got := freshdeskKind(c.explicit, c.triggered); got != c.want {
			t.Errorf("freshdeskKind(%q, %q) = %v, want %v", c.explicit, c.triggered, got, c.want)
		}
	}
}

func TestZammadKind(t *testing.T) {
	a := mustAdapter(t, "zammad", Settings{TriggerKinds: map[string]event.Kind{"agent replied": event.KindFirstReply}})
	cases := []struct {
		trigger, state string
		want           event.Kind
		ok             bool
	}{
		{"agent replied", "open", event.KindFirstReply, true},
		{"x", "new", event.KindCreated, true},
		{"x", "closed", event.KindSolved, true},
		{"x", "open", event.KindUnknown, false},
		{"x", "pending reminder", event.KindUnknown, false},
	}
	for _, c := range cases {
		body := []byte(`{"ticket":{"id":7,"state":"` + c.state + `","group":"Users","created_at":"2020-01-01T00:00:00Z","first_response_at":"2020-01-01T00:05:00Z"}}`)
		ev, ok, err := a.Parse(&event.Delivery{Header: http.Header{"X-Zammad-Trigger": {c.trigger}}, Body: body})
		if err != nil || ok != c.ok || ev.Kind != c.want {
			t.Errorf("trigger %q state %q: kind %v ok %v err %v; want %v %v", c.trigger, c.state, ev.Kind, ok, err, c.want, c.ok)
		}
		if ok && ev.Attrs.Group != "Users" {
			t.Errorf("group rendered as a string not read: %q", ev.Attrs.Group)
		}
	}
}

func TestIntercomLaterReplyIsNotFirst(t *testing.T) {
	body := []byte(`{"type":"notification_event","id":"notif_2","topic":"conversation.admin.replied","created_at":200,
	 "data":{"item":{"type":"conversation","id":"9","created_at":100,
	  "statistics":{"first_admin_reply_at":150},
	  "conversation_parts":{"conversation_parts":[{"part_type":"comment","created_at":190,"author":{"type":"admin"}}]}}}}`)
	_, ok, err := mustAdapter(t, "intercom", Settings{}).Parse(&event.Delivery{Header: http.Header{}, Body: body})
	if err != nil || ok {
		t.Fatalf("a second admin reply was read as the first (ok=%v err=%v)", ok, err)
	}
}

func TestGenericMalformed(t *testing.T) {
	a := mustAdapter(t, "generic", Settings{})
	cases := map[string]string{
		"not json":           `{"id":`,
		"missing id":         `{"type":"created"}`,
		"missing type":       `{"id":"x"}`,
		"unreadable time":    `{"id":"x","type":"created","created_at":"yesterday"}`,
		"id of wrong type":   `{"id":{"a":1},"type":"created"}`,
		"tags of wrong type": `{"id":"x","type":"created","tags":{"a":1}}`,
		"empty body":         ``,
	}
	for name, body := range cases {
		_, ok, err := a.Parse(&event.Delivery{Header: http.Header{}, Body: []byte(body)})
		if ok || !errors.Is(err, event.ErrMalformed) {
			t.Errorf("%s: ok=%v err=%v, want malformed", name, ok, err)
		}
	}
	// An unknown type from a newer sender is well-formed, just not counted.
	if _, ok, err := a.Parse(&event.Delivery{Header: http.Header{}, Body: []byte(`{"id":"x","type":"reopened"}`)}); ok || err != nil {
		t.Errorf("unknown type: ok=%v err=%v, want ignored", ok, err)
	}
}

func TestParseTime(t *testing.T) {
	cases := map[string]time.Time{
		"2021-03-25T05:09:27Z":      utc("2021-03-25T05:09:27Z"),
		"2013-12-12T05:35Z":         utc("2013-12-12T05:35:00Z"),
		"2020-03-03 13:05:57 UTC":   utc("2020-03-03T13:05:57Z"),
		"1627063308":                time.Unix(1627063308, 0),
		"2020-11-13T14:34:35.282Z":  utc("2020-11-13T14:34:35.282Z"),
		"":                          {},
		"2021-03-25T07:09:27+02:00": utc("2021-03-25T05:09:27Z"),
	}
	for in, want := range cases {
		got, err := parseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseTime("next tuesday"); err == nil {
		t.Error("nonsense time accepted")
	}
}

func TestAuthenticateAnyOfSeveralSecrets(t *testing.T) {
	a := mustAdapter(t, "intercom", Settings{})
	body := []byte(`{"type":"notification_event"}`)
	m := hmac.New(sha1.New, []byte("new"))
	m.Write(body)
	d := &event.Delivery{Header: http.Header{"X-Hub-Signature": {"sha1=" + hex.EncodeToString(m.Sum(nil))}}, Body: body}
	if err := a.Authenticate(d, event.Keys{[]byte("old"), []byte("new")}, time.Now(), 0); err != nil {
		t.Fatalf("signature by the second secret refused: %v", err)
	}
	if err := a.Authenticate(d, event.Keys{[]byte("old")}, time.Now(), 0); !errors.Is(err, event.ErrBadSignature) {
		t.Fatalf("signature by a removed secret: %v", err)
	}
	d.Header.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	if err := a.Authenticate(d, event.Keys{[]byte("new")}, time.Now(), 0); !errors.Is(err, event.ErrBadSignature) {
		t.Fatalf("wrong prefix accepted: %v", err)
	}
}

func TestUnknownVendor(t *testing.T) {
	if _, err := New("helpscout", Settings{}); err == nil {
		t.Fatal("unknown vendor accepted")
	}
}
