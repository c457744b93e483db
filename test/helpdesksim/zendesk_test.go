package helpdesksim

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest"
	"github.com/frontline-dev/frontline/internal/ingest/config"
)

const secret = "c2ltdWxhdGVkLXplbmRlc2stc2VjcmV0"

// startIngest runs frontline-ingest's handler with one zendesk source
// routing two queues by their tags, behind wrap (nil: none).
func startIngest(t *testing.T, wrap func(http.Handler) http.Handler) (*ingest.Server, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "zendesk")
	if err := os.WriteFile(file, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(fmt.Appendf(nil, `sources:
  - {name: zendesk, vendor: zendesk, secretFile: %s}
rules:
  - {sources: [zendesk], match: {tags: [%s]}, target: {namespace: support, queue: chat}}
  - {sources: [zendesk], match: {tags: [%s]}, target: {namespace: support, queue: email}}
`, file, Tag("support", "chat"), Tag("support", "email")))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ingest.New(cfg, ingest.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return srv, ts.URL + "/webhooks/zendesk"
}

func value(t *testing.T, srv *ingest.Server, name, queue string) float64 {
	t.Helper()
	v, _ := srv.Metrics().Value(name, "namespace", "support", "queue", queue)
	return v
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%s: not within 5 s", what)
		}
	}
}

// TestTicketsReachTheIngestsSeries: tickets sent by the simulated account
// are accepted by a real ingest handler and become the queue's series:
// created when created (not before), solved a handle time later with
// exactly that handle time, and a ticket without a handle time stays open.
func TestTicketsReachTheIngestsSeries(t *testing.T) {
	srv, url := startIngest(t, nil)
	z := NewZendesk(url, []byte(secret))
	defer z.Close()
	now := time.Now()
	for range 3 {
		z.Ticket("support", "chat", now, time.Second)
	}
	z.Ticket("support", "email", now.Add(400*time.Millisecond), 0)
	waitFor(t, "three chat tickets created", func() bool { return value(t, srv, "frontline_tickets_created_total", "chat") == 3 })
	if time.Since(now) < 300*time.Millisecond {
		if got := value(t, srv, "frontline_tickets_created_total", "email"); got != 0 {
			t.Errorf("the email ticket was sent %v before it was created", 400*time.Millisecond-time.Since(now))
		}
	}
	waitFor(t, "chat tickets solved", func() bool { return value(t, srv, "frontline_ticket_handle_seconds_count", "chat") == 3 })
	if sum := value(t, srv, "frontline_ticket_handle_seconds_sum", "chat"); sum != 3 {
		t.Errorf("handle time sum %v s, want 3 (three tickets of 1 s)", sum)
	}
	if b := value(t, srv, "frontline_queue_backlog", "chat"); b != 0 {
		t.Errorf("chat backlog %v after every ticket was solved", b)
	}
	waitFor(t, "the email ticket created", func() bool { return value(t, srv, "frontline_tickets_created_total", "email") == 1 })
	if b := value(t, srv, "frontline_queue_backlog", "email"); b != 1 {
		t.Errorf("email backlog %v, want the one open ticket", b)
	}
	s := z.Stats()
	if s.Answered["accepted"] != 7 || len(s.Answered) != 1 || s.Failed != 0 || s.Dropped != 0 || s.Pending != 0 {
		t.Errorf("stats %+v, want 7 accepted and nothing else", s)
	}
}

// TestRetriesAreCountedOnce: a delivery answered 503 is retried with the
// same event, which the ingest counts once; a wrong secret is answered
// bad_signature and not retried.
func TestRetriesAreCountedOnce(t *testing.T) {
	var calls atomic.Int64
	srv, url := startIngest(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The first attempt reaches the ingest, then fails on the way back.
			next.ServeHTTP(discard{w, calls.Add(1) == 1}, r)
		})
	})
	z := NewZendesk(url, []byte(secret))
	defer z.Close()
	z.Ticket("support", "chat", time.Now(), 0)
	waitFor(t, "answered", func() bool { return z.Stats().Answered["duplicate"] == 1 })
	if got := value(t, srv, "frontline_tickets_created_total", "chat"); got != 1 {
		t.Errorf("created %v after a retried delivery, want 1", got)
	}
	if s := z.Stats(); s.Retried != 1 || s.Failed != 0 {
		t.Errorf("stats %+v, want one retry", s)
	}

	wrong := NewZendesk(url, []byte("another secret"))
	defer wrong.Close()
	wrong.Ticket("support", "chat", time.Now(), 0)
	waitFor(t, "refused", func() bool { return wrong.Stats().Answered["bad_signature"] == 1 })
	if s := wrong.Stats(); s.Retried != 0 {
		t.Errorf("a refused delivery was retried: %+v", s)
	}
}

// discard answers 503 in place of the handler's answer when fail is set.
type discard struct {
	http.ResponseWriter
	fail bool
}

func (d discard) WriteHeader(code int) {
	if d.fail {
		code = http.StatusServiceUnavailable
	}
	d.ResponseWriter.WriteHeader(code)
}
