package main

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// TestRunCorrectsBacklogFromOpenTickets: with backlog.mode single and a
// source's openTickets, the binary asks the helpdesk at start and the
// backlog gauge is its count; a queue it cannot count is reported.
func TestRunCorrectsBacklogFromOpenTickets(t *testing.T) {
	const token = "zd-api-token-9f8e7d"
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("bot@acme.example/token:"+token))
	helpdesk := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/search/count" || r.Header.Get("Authorization") != want {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		// https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/#show-results-count
		switch r.URL.Query().Get("query") {
		case "type:ticket status<solved tags:vip":
			_, _ = io.WriteString(w, `{"count": 42}`)
		default:
			t.Errorf("unexpected query %q", r.URL.Query().Get("query"))
			http.Error(w, "no", http.StatusBadRequest)
		}
	}))
	defer helpdesk.Close()

	dir := t.TempDir()
	secretFile, tokenFile := filepath.Join(dir, "secret"), filepath.Join(dir, "token")
	for f, v := range map[string]string{secretFile: "s3cret\n", tokenFile: token + "\n"} {
		if err := os.WriteFile(f, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfgFile := filepath.Join(dir, "config.yaml")
	cfg := `backlog: {mode: single, correctionInterval: 1h}
sources:
  - name: zd
    vendor: zendesk
    secretFile: ` + secretFile + `
    openTickets: {url: "` + helpdesk.URL + `", email: bot@acme.example, tokenFile: ` + tokenFile + `}
rules:
  - {name: vip, match: {tags: [vip]}, target: {namespace: support, queue: vip}}
  - {name: chat, match: {channel: [chat]}, target: {namespace: support, queue: chat}}
`
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startRun(t, cfgFile, nil)
	prom, out := r.prom, r.out

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	var text string
	for {
		resp, err := client.Get("http://" + prom + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			text = string(b)
			if strings.Contains(text, `frontline_queue_backlog{namespace="support",queue="vip"} 42`) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("backlog never corrected:\n%s\n%s", text, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, line := range []string{
		`frontline_queue_backlog{namespace="support",queue="chat"} 0`,
		`frontline_ingest_backlog_uncorrected{namespace="support",queue="chat",reason="not_expressible"} 1`,
		`frontline_ingest_backlog_corrections_total{result="applied"} 1`,
		`frontline_ingest_open_ticket_requests_total{result="ok",source="zd"} 1`,
	} {
		if !strings.Contains(text, line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
	if code := r.stop(t); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	log := out.String()
	for _, wantLog := range []string{"backlog corrected from the helpdesk's open-ticket count", "backlog not corrected; it follows webhook events only", "queue=support/chat"} {
		if !strings.Contains(log, wantLog) {
			t.Errorf("log lacks %q:\n%s", wantLog, log)
		}
	}
	if strings.Contains(log, token) || strings.Contains(log, want[len("Basic "):]) {
		t.Fatalf("credential in the log:\n%s", log)
	}
}

func TestRunRefusesCorrectionInDeltaMode(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "config.yaml")
	cfg := "sources:\n  - name: zd\n    vendor: zendesk\n    secretFile: /x\n    openTickets: {url: \"https://acme.zendesk.com\", email: a@b.example, tokenFile: /t}\nrules:\n  - target: {namespace: a, queue: b}\n"
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	if code := run(context.Background(), []string{"--config", cfgFile}, &out, nil); code != 2 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), `needs backlog.mode \"single\"`) {
		t.Fatalf("output:\n%s", out.String())
	}
}

type fixedCounter int64

func (f fixedCounter) OpenTickets(context.Context, routing.Target) (int64, error) {
	return int64(f), nil
}

// TestRunUsesInjectedCounter: an embedder's counter corrects the backlog
// in single mode without any openTickets.
func TestRunUsesInjectedCounter(t *testing.T) {
	dir := t.TempDir()
	secretFile, cfgFile := filepath.Join(dir, "secret"), filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(secretFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := "backlog: {mode: single}\nsources:\n  - {name: relay, vendor: generic, secretFile: " + secretFile + "}\nrules:\n  - target: {namespace: support, queue: general}\n"
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startRun(t, cfgFile, fixedCounter(17))
	prom, out := r.prom, r.out
	defer r.stop(t)
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get("http://" + prom + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if strings.Contains(string(b), `frontline_queue_backlog{namespace="support",queue="general"} 17`) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("injected counter not used:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
