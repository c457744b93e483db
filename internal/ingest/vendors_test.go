package ingest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// effect is what an accepted fixture must do to its source's queue.
type effect int

const (
	effectCreated    effect = iota // created_total +1, backlog +1
	effectSolved                   // backlog −1, one handle time observed
	effectFirstReply               // one handle time observed, backlog unchanged
	effectIgnored                  // nothing counted
)

type vendorCase struct {
	source  string
	fixture string
	sign    signer
	effect  effect
	// handle is the handle time a solve or first reply must record.
	handle time.Duration
	// timestamped vendors sign a time, so a stale one is rejected.
	timestamped bool
}

var vendorCases = []vendorCase{
	{"zendesk", "zendesk/ticket_created.json", signZendesk, effectCreated, 0, true},
	{"zendesk", "zendesk/ticket_status_changed_solved.json", signZendesk, effectSolved, 30 * time.Minute, true},
	{"zendesk", "zendesk/trigger_solved.json", signZendesk, effectSolved, 30 * time.Minute, true},
	{"zendesk", "zendesk/ticket_priority_changed.json", signZendesk, effectIgnored, 0, true},
	{"intercom", "intercom/conversation_user_created.json", signIntercom, effectCreated, 0, false},
	{"intercom", "intercom/conversation_admin_closed.json", signIntercom, effectSolved, 30 * time.Minute, false},
	{"intercom", "intercom/conversation_admin_replied.json", signIntercom, effectIgnored, 0, false}, // solves feed handle time here
	{"intercom-fr", "intercom/conversation_admin_replied.json", signIntercom, effectFirstReply, 5 * time.Minute, false},
	{"intercom", "intercom/ping.json", signIntercom, effectIgnored, 0, false},
	{"freshdesk", "freshdesk/ticket_created.json", signFreshdesk, effectCreated, 0, false},
	{"freshdesk", "freshdesk/ticket_resolved.json", signFreshdesk, effectSolved, 90 * time.Minute, false},
	{"zammad", "zammad/ticket_created.json", zammadSigner("frontline: created"), effectCreated, 0, false},
	{"zammad", "zammad/ticket_closed.json", zammadSigner("frontline: closed"), effectSolved, 90 * time.Minute, false},
	{"zammad", "zammad/ticket_created.json", zammadSigner("some other trigger"), effectCreated, 0, false}, // state "new"
	{"chatwoot", "chatwoot/conversation_created.json", signChatwoot, effectCreated, 0, true},
	{"chatwoot", "chatwoot/conversation_status_changed_resolved.json", signChatwoot, effectSolved, 900*time.Second + 500*time.Millisecond, true},
	{"chatwoot-fr", "chatwoot/conversation_updated_first_reply.json", signChatwoot, effectFirstReply, 112 * time.Second, true},
	{"chatwoot-token", "chatwoot/conversation_created.json", signToken, effectCreated, 0, false},
	{"generic", "generic/created.json", signGeneric, effectCreated, 0, true},
	{"generic", "generic/solved.json", signGeneric, effectSolved, 12 * time.Minute, true},
}

func (c vendorCase) name() string {
	return c.source + "/" + strings.TrimSuffix(c.fixture[strings.Index(c.fixture, "/")+1:], ".json")
}

// TestVendorFixtureCountedOnce: a signed fixture is accepted and counted;
// the same delivery again (a vendor retry) is a duplicate and changes
// nothing.
func TestVendorFixtureCountedOnce(t *testing.T) {
	for _, c := range vendorCases {
		t.Run(c.name(), func(t *testing.T) {
			h := newHarness(t, "")
			body := fixture(t, c.fixture)
			hdr := c.sign(testSecret, body, testNow)

			want := "accepted"
			if c.effect == effectIgnored {
				want = "ignored"
			}
			for attempt := 0; attempt < 2; attempt++ {
				rec := h.post("/webhooks/"+c.source, hdr, body)
				if rec.Code != http.StatusOK {
					t.Fatalf("attempt %d: status %d, body %s", attempt, rec.Code, rec.Body)
				}
				if !strings.Contains(rec.Body.String(), want) && attempt == 0 {
					t.Fatalf("first delivery answered %s, want %s", rec.Body, want)
				}
				if c.effect != effectIgnored && attempt == 1 && !strings.Contains(rec.Body.String(), "duplicate") {
					t.Fatalf("retry answered %s, want duplicate", rec.Body)
				}
			}
			h.assertEffect(c.source, c.effect, c.handle)
			if c.effect != effectIgnored {
				if got := h.outcomes(c.source, "accepted"); got != 1 {
					t.Errorf("accepted outcome %v, want 1", got)
				}
				if got := h.outcomes(c.source, "duplicate"); got != 1 {
					t.Errorf("duplicate outcome %v, want 1", got)
				}
			} else if got := h.outcomes(c.source, "ignored"); got != 2 {
				t.Errorf("ignored outcome %v, want 2", got)
			}
		})
	}
}

func (h *harness) assertEffect(queue string, e effect, handle time.Duration) {
	h.t.Helper()
	created := h.queueValue("frontline_tickets_created_total", queue)
	backlog := h.queueValue("frontline_queue_backlog", queue)
	count := h.queueValue("frontline_ticket_handle_seconds_count", queue)
	sum := h.queueValue("frontline_ticket_handle_seconds_sum", queue)
	type want struct{ created, backlog, count, sum float64 }
	w := map[effect]want{
		effectCreated:    {1, 1, 0, 0},
		effectSolved:     {0, -1, 1, handle.Seconds()},
		effectFirstReply: {0, 0, 1, handle.Seconds()},
		effectIgnored:    {0, 0, 0, 0},
	}[e]
	if got := (want{created, backlog, count, sum}); got != w {
		h.t.Fatalf("queue %s: created %v backlog %v handle count %v sum %v; want %+v", queue, created, backlog, count, sum, w)
	}
}

// TestVendorRejections: a wrong signature, a stale timestamp and a body
// that is not the vendor's each get a 4xx, count nothing, and are counted
// in the outcome metric.
func TestVendorRejections(t *testing.T) {
	for _, c := range vendorCases {
		if c.effect == effectIgnored {
			continue
		}
		t.Run(c.name()+"/bad_signature", func(t *testing.T) {
			h := newHarness(t, "")
			body := fixture(t, c.fixture)
			rec := h.post("/webhooks/"+c.source, c.sign("not-the-secret", body, testNow), body)
			h.assertRejected(rec, c.source, http.StatusUnauthorized, "bad_signature")
		})
		// Unsigned vendors (Freshdesk, Chatwoot with a token) authenticate
		// the sender, not the body.
		if c.source != "freshdesk" && c.source != "chatwoot-token" {
			t.Run(c.name()+"/tampered_body", func(t *testing.T) {
				h := newHarness(t, "")
				body := fixture(t, c.fixture)
				hdr := c.sign(testSecret, body, testNow)
				tampered := append([]byte(" "), body...) // still valid JSON
				rec := h.post("/webhooks/"+c.source, hdr, tampered)
				h.assertRejected(rec, c.source, http.StatusUnauthorized, "bad_signature")
			})
		}
		t.Run(c.name()+"/missing_signature", func(t *testing.T) {
			h := newHarness(t, "")
			rec := h.post("/webhooks/"+c.source, http.Header{}, fixture(t, c.fixture))
			h.assertRejected(rec, c.source, http.StatusUnauthorized, "bad_signature")
		})
		if c.timestamped {
			t.Run(c.name()+"/stale", func(t *testing.T) {
				h := newHarness(t, "")
				body := fixture(t, c.fixture)
				rec := h.post("/webhooks/"+c.source, c.sign(testSecret, body, testNow.Add(-6*time.Minute)), body)
				h.assertRejected(rec, c.source, http.StatusUnauthorized, "stale")
			})
			t.Run(c.name()+"/future", func(t *testing.T) {
				h := newHarness(t, "")
				body := fixture(t, c.fixture)
				rec := h.post("/webhooks/"+c.source, c.sign(testSecret, body, testNow.Add(6*time.Minute)), body)
				h.assertRejected(rec, c.source, http.StatusUnauthorized, "stale")
			})
		}
		t.Run(c.name()+"/malformed", func(t *testing.T) {
			h := newHarness(t, "")
			body := []byte(`{"id": "x", "type": `) // cut off: not JSON
			rec := h.post("/webhooks/"+c.source, c.sign(testSecret, body, testNow), body)
			h.assertRejected(rec, c.source, http.StatusBadRequest, "malformed")
		})
	}
}

func (h *harness) assertRejected(rec interface {
	Result() *http.Response
}, source string, code int, outcome string) {
	h.t.Helper()
	res := rec.Result()
	_ = res.Body.Close()
	if got := res.StatusCode; got != code {
		h.t.Fatalf("status %d, want %d", got, code)
	}
	if got := h.outcomes(source, outcome); got != 1 {
		h.t.Fatalf("outcome %s counted %v, want 1", outcome, got)
	}
	if got := h.outcomes(source, "accepted"); got != 0 {
		h.t.Fatalf("a rejected delivery was accepted (%v)", got)
	}
	h.assertEffect(source, effectIgnored, 0)
}
