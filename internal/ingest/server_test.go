package ingest

import (
	"bytes"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/config"
)

func TestRequestRejections(t *testing.T) {
	body := fixture(t, "generic/created.json")
	cases := []struct {
		name    string
		method  string
		path    string
		body    io.Reader
		length  int64 // -1: unknown (chunked)
		code    int
		source  string
		outcome string
	}{
		{"unknown source", http.MethodPost, "/webhooks/nope", bytes.NewReader(body), int64(len(body)), http.StatusNotFound, "", "unknown_source"},
		{"not a POST", http.MethodGet, "/webhooks/generic", nil, 0, http.StatusMethodNotAllowed, "generic", "method_not_allowed"},
		{"declared length over the limit", http.MethodPost, "/webhooks/generic", bytes.NewReader(make([]byte, 2048)), 2048, http.StatusRequestEntityTooLarge, "generic", "too_large"},
		{"streamed body over the limit", http.MethodPost, "/webhooks/generic", io.MultiReader(bytes.NewReader(make([]byte, 2048))), -1, http.StatusRequestEntityTooLarge, "generic", "too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, "maxBodyBytes: 1024\n")
			req := httptest.NewRequest(c.method, c.path, c.body)
			req.ContentLength = c.length
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, req)
			if rec.Code != c.code {
				t.Fatalf("status %d, want %d", rec.Code, c.code)
			}
			if got := h.outcomes(c.source, c.outcome); got != 1 {
				t.Fatalf("outcome %s counted %v, want 1", c.outcome, got)
			}
		})
	}
}

func TestUnknownSourcesShareOneSeries(t *testing.T) {
	h := newHarness(t, "")
	for _, p := range []string{"/webhooks/a", "/webhooks/b", "/webhooks/c/d"} {
		h.post(p, nil, []byte("{}"))
	}
	if got := h.outcomes("", "unknown_source"); got != 3 {
		t.Fatalf("unknown_source %v, want 3", got)
	}
	for _, name := range []string{"a", "b", "c"} {
		if _, ok := h.srv.Metrics().Value("frontline_ingest_requests_total", "source", name); ok {
			t.Fatalf("a series was created for the unknown source %q", name)
		}
	}
}

// newServer builds a server from a config whose SECRET placeholder is
// replaced by a secret file's path.
func newServer(t *testing.T, yaml string) (*Server, string) {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(testSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Parse([]byte(strings.ReplaceAll(yaml, "SECRET", secret)))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(c, Options{Now: func() time.Time { return testNow }, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return srv, secret
}

func post(srv *Server, path string, hdr http.Header, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec
}

func TestUnroutedIsCountedAndAcknowledged(t *testing.T) {
	srv, _ := newServer(t, `
sources: [{name: g, vendor: generic, secretFile: SECRET}]
rules:
  - match: {channel: [voice]}
    target: {namespace: support, queue: voice}
`)
	body := fixture(t, "generic/created.json") // channel chat
	rec := post(srv, "/webhooks/g", signGeneric(testSecret, body, testNow), body)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "unrouted") {
		t.Fatalf("answer %d %s, want 200 unrouted (a retry would not help)", rec.Code, rec.Body)
	}
	if v, _ := srv.Metrics().Value("frontline_ingest_unrouted_total", "vendor", "generic"); v != 1 {
		t.Fatalf("unrouted_total %v, want 1", v)
	}
	if v, _ := srv.Metrics().Value("frontline_tickets_created_total", "queue", "voice"); v != 0 {
		t.Fatalf("an unrouted event was counted on a queue")
	}
}

func TestFirstMatchingRuleWins(t *testing.T) {
	srv, _ := newServer(t, `
sources: [{name: g, vendor: generic, secretFile: SECRET}]
rules:
  - name: korean-vip-chat
    match: {channel: [chat], language: [ko], tags: [vip]}
    target: {namespace: support-kr, queue: vip-chat}
  - name: chat
    match: {channel: [chat]}
    target: {namespace: support, queue: chat}
`)
	body := fixture(t, "generic/created.json") // chat, ko, vip
	post(srv, "/webhooks/g", signGeneric(testSecret, body, testNow), body)
	if v, _ := srv.Metrics().Value("frontline_tickets_created_total", "namespace", "support-kr", "queue", "vip-chat"); v != 1 {
		t.Fatalf("first rule got %v, want 1", v)
	}
	if v, _ := srv.Metrics().Value("frontline_tickets_created_total", "namespace", "support", "queue", "chat"); v != 0 {
		t.Fatalf("second rule also counted the event")
	}
}

func TestTokenInPath(t *testing.T) {
	cases := []struct {
		name, path string
		hdr        http.Header
		code       int
	}{
		{"freshdesk right token", "/webhooks/freshdesk/" + testSecret, nil, http.StatusOK},
		{"freshdesk wrong token", "/webhooks/freshdesk/guess", nil, http.StatusUnauthorized},
		{"freshdesk token header", "/webhooks/freshdesk", http.Header{"X-Frontline-Token": {testSecret}}, http.StatusOK},
		{"freshdesk wrong basic user", "/webhooks/freshdesk", http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("mallory:"+testSecret))}}, http.StatusUnauthorized},
		{"chatwoot token in path", "/webhooks/chatwoot-token/" + testSecret, nil, http.StatusOK},
		{"signing chatwoot ignores a path token", "/webhooks/chatwoot/" + testSecret, nil, http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, "")
			src := strings.Split(c.path, "/")[2]
			body := fixture(t, "freshdesk/ticket_created.json")
			if strings.HasPrefix(src, "chatwoot") {
				body = fixture(t, "chatwoot/conversation_created.json")
			}
			if rec := h.post(c.path, c.hdr, body); rec.Code != c.code {
				t.Fatalf("status %d, want %d (%s)", rec.Code, c.code, rec.Body)
			}
		})
	}
}

func TestSecretRotationAndReload(t *testing.T) {
	h := newHarness(t, "")
	body := fixture(t, "generic/created.json")
	secretFile := filepath.Join(h.dir, "generic")

	// Rotation: old and new secret both valid while the file lists both.
	if err := os.WriteFile(secretFile, []byte(testSecret+"\nnew-secret-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.srv.ReloadSecrets()
	if rec := h.post("/webhooks/generic", signGeneric("new-secret-2", body, testNow), body); rec.Code != http.StatusOK {
		t.Fatalf("new secret refused during rotation: %d", rec.Code)
	}
	// Old secret removed: refused.
	if err := os.WriteFile(secretFile, []byte("new-secret-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.srv.ReloadSecrets()
	body2 := fixture(t, "generic/solved.json")
	if rec := h.post("/webhooks/generic", signGeneric(testSecret, body2, testNow), body2); rec.Code != http.StatusUnauthorized {
		t.Fatalf("removed secret still accepted: %d", rec.Code)
	}
	// An emptied file keeps the last good secret.
	if err := os.WriteFile(secretFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h.srv.ReloadSecrets()
	if rec := h.post("/webhooks/generic", signGeneric("new-secret-2", body2, testNow), body2); rec.Code != http.StatusOK {
		t.Fatalf("an empty secret file dropped the secret: %d", rec.Code)
	}
	if v, _ := h.srv.Metrics().Value("frontline_ingest_secret_reloads_total", "source", "generic", "result", "failed"); v != 1 {
		t.Fatalf("failed reloads %v, want 1", v)
	}
	if v, _ := h.srv.Metrics().Value("frontline_ingest_secret_reloads_total", "source", "generic", "result", "changed"); v != 2 {
		t.Fatalf("changed reloads %v, want 2", v)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	h := newHarness(t, "")
	body := fixture(t, "generic/created.json")
	// A request carrying the right secret in the wrong place, a wrong
	// signature, and a reload: none may put a secret in the log.
	h.post("/webhooks/generic", signGeneric("attacker-guess", body, testNow), body)
	h.post("/webhooks/freshdesk/"+testSecret+"x", nil, fixture(t, "freshdesk/ticket_created.json"))
	h.post("/webhooks/freshdesk", http.Header{"X-Frontline-Token": {"wrong-" + testSecret}}, fixture(t, "freshdesk/ticket_created.json"))
	h.srv.ReloadSecrets()
	logs := h.logBuf.String()
	if !strings.Contains(logs, "webhook rejected") {
		t.Fatalf("rejections were not logged at debug level:\n%s", logs)
	}
	for _, secret := range []string{testSecret, "attacker-guess"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log contains %q:\n%s", secret, logs)
		}
	}
}

func TestHandleTimeSkipped(t *testing.T) {
	h := newHarness(t, "")
	// A solve without created_at cannot give a handle time; one solved
	// before it was created is a clock problem. Both are counted.
	for _, b := range []string{
		`{"id":"s1","type":"solved","ticket_id":"1","at":"2099-07-04T06:00:00Z"}`,
		`{"id":"s2","type":"solved","ticket_id":"2","created_at":"2099-07-04T07:00:00Z","at":"2099-07-04T06:00:00Z"}`,
	} {
		if rec := h.post("/webhooks/generic", signGeneric(testSecret, []byte(b), testNow), []byte(b)); rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	}
	for _, reason := range []string{"no_created_at", "negative"} {
		if v, _ := h.srv.Metrics().Value("frontline_ingest_handle_time_skipped_total", "vendor", "generic", "reason", reason); v != 1 {
			t.Errorf("skipped{%s} = %v, want 1", reason, v)
		}
	}
	if got := h.queueValue("frontline_ticket_handle_seconds_count", "generic"); got != 0 {
		t.Fatalf("handle count %v, want 0", got)
	}
	if got := h.queueValue("frontline_queue_backlog", "generic"); got != -2 {
		t.Fatalf("backlog %v, want -2 (both solves still lower it)", got)
	}
}

func TestSingleBacklogModeFloorsAtZero(t *testing.T) {
	srv, _ := newServer(t, `
backlog: {mode: single}
sources: [{name: g, vendor: generic, secretFile: SECRET}]
rules: [{target: {namespace: support, queue: q}}]
`)
	body := fixture(t, "generic/solved.json") // a ticket created before we started
	post(srv, "/webhooks/g", signGeneric(testSecret, body, testNow), body)
	if v, _ := srv.Metrics().Value("frontline_queue_backlog", "queue", "q"); v != 0 {
		t.Fatalf("backlog %v, want 0", v)
	}
}

func TestProbesAndMetricsEndpoint(t *testing.T) {
	h := newHarness(t, "")
	get := func(handler http.Handler, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	if rec := get(h.h, "/healthz"); rec.Code != http.StatusOK {
		t.Fatalf("healthz %d", rec.Code)
	}
	if rec := get(h.h, "/readyz"); rec.Code != http.StatusOK {
		t.Fatalf("readyz %d", rec.Code)
	}
	h.srv.SetReady(false)
	if rec := get(h.h, "/readyz"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz while draining %d, want 503", rec.Code)
	}
	body := fixture(t, "generic/created.json")
	h.post("/webhooks/generic", signGeneric(testSecret, body, testNow), body)
	text := get(h.srv.MetricsHandler(), "/metrics").Body.String()
	for _, want := range []string{
		`frontline_tickets_created_total{namespace="support",queue="generic"} 1`,
		`frontline_queue_backlog{namespace="support",queue="generic"} 1`,
		`frontline_ticket_handle_seconds_count{namespace="support",queue="zendesk"} 0`,
		`frontline_ingest_requests_total{outcome="accepted",source="generic",vendor="generic"} 1`,
		`frontline_ingest_request_duration_seconds_count{vendor="generic"} 1`,
		`frontline_ingest_dedup_entries 1`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
