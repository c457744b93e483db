package ingest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/config"
)

// testNow is the harness clock; signed timestamps are made from it.
var testNow = time.Date(2099, 7, 4, 6, 3, 20, 0, time.UTC)

const testSecret = "whsec-test-7f3a9c"

// testSources: one per vendor and option; each source routes to the queue
// of its own name, so a test reads a source's effect on its own series.
var testSources = []struct{ name, vendor, extra string }{
	{"zendesk", "zendesk", ""},
	{"intercom", "intercom", ""},
	{"intercom-fr", "intercom", "handleTime: first_reply"},
	{"freshdesk", "freshdesk", "basicAuthUser: frontline"},
	{"zammad", "zammad", `triggerKinds: {"frontline: created": created, "frontline: closed": solved}`},
	{"chatwoot", "chatwoot", ""},
	{"chatwoot-fr", "chatwoot", "handleTime: first_reply"},
	{"chatwoot-token", "chatwoot", "auth: token"},
	{"generic", "generic", ""},
}

type harness struct {
	t      *testing.T
	srv    *Server
	h      http.Handler
	dir    string
	logBuf *bytes.Buffer
}

// newHarness writes secrets and a config for every test source; extraYAML
// is appended to the config (top-level keys).
func newHarness(t *testing.T, extraYAML string) *harness {
	t.Helper()
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("sources:\n")
	for _, s := range testSources {
		path := filepath.Join(dir, s.name)
		if err := os.WriteFile(path, []byte(testSecret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&cfg, "  - name: %s\n    vendor: %s\n    secretFile: %s\n", s.name, s.vendor, path)
		if s.extra != "" {
			fmt.Fprintf(&cfg, "    %s\n", s.extra)
		}
	}
	cfg.WriteString("rules:\n")
	for _, s := range testSources {
		fmt.Fprintf(&cfg, "  - sources: [%s]\n    target: {namespace: support, queue: %s}\n", s.name, s.name)
	}
	cfg.WriteString(extraYAML)
	c, err := config.Parse([]byte(cfg.String()))
	if err != nil {
		t.Fatalf("config: %v\n%s", err, cfg.String())
	}
	logBuf := &bytes.Buffer{}
	srv, err := New(c, Options{
		Logger: slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, srv: srv, h: srv.Handler(), dir: dir, logBuf: logBuf}
}

func (h *harness) post(path string, hdr http.Header, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

// value reads a series of the source's own queue.
func (h *harness) queueValue(name, queue string) float64 {
	v, ok := h.srv.Metrics().Value(name, "namespace", "support", "queue", queue)
	if !ok {
		h.t.Fatalf("no series %s for queue %s", name, queue)
	}
	return v
}

func (h *harness) outcomes(source, outcome string) float64 {
	v, _ := h.srv.Metrics().Value("frontline_ingest_requests_total", "source", source, "outcome", outcome)
	return v
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signer produces the headers a vendor would send for body at time at.
type signer func(secret string, body []byte, at time.Time) http.Header

func signZendesk(secret string, body []byte, at time.Time) http.Header {
	ts := at.UTC().Format(time.RFC3339)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write(body)
	return http.Header{
		"X-Zendesk-Webhook-Signature":           {base64.StdEncoding.EncodeToString(m.Sum(nil))},
		"X-Zendesk-Webhook-Signature-Timestamp": {ts},
		"X-Zendesk-Webhook-Id":                  {"01F1KRFQ6BG29CNWFR60NK5FNY"},
		"X-Zendesk-Webhook-Invocation-Id":       {"8350205582"},
	}
}

func hubSHA1(secret string, body []byte) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

func signIntercom(secret string, body []byte, _ time.Time) http.Header {
	return http.Header{"X-Hub-Signature": {hubSHA1(secret, body)}, "User-Agent": {"intercom-parrot-service-client/1.0"}}
}

func zammadSigner(trigger string) signer {
	return func(secret string, body []byte, _ time.Time) http.Header {
		return http.Header{
			"X-Hub-Signature":   {hubSHA1(secret, body)},
			"X-Zammad-Trigger":  {trigger},
			"X-Zammad-Delivery": {"c7c09be4-2e2d-4d39-a6a9-52c1b34c5e81"},
			"User-Agent":        {"Zammad User Agent"},
		}
	}
}

func signFreshdesk(secret string, _ []byte, _ time.Time) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("frontline:"+secret))}}
}

func timestamped(sigHeader, tsHeader, prefix string) signer {
	return func(secret string, body []byte, at time.Time) http.Header {
		ts := strconv.FormatInt(at.Unix(), 10)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(ts + "."))
		m.Write(body)
		return http.Header{sigHeader: {prefix + hex.EncodeToString(m.Sum(nil))}, tsHeader: {ts}}
	}
}

var (
	signChatwoot = timestamped("X-Chatwoot-Signature", "X-Chatwoot-Timestamp", "sha256=")
	signGeneric  = timestamped("X-Frontline-Signature", "X-Frontline-Timestamp", "v1=")
)

func signToken(secret string, _ []byte, _ time.Time) http.Header {
	return http.Header{"X-Frontline-Token": {secret}}
}
