package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest/metrics"
)

// syncBuffer is a log sink the server goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("sources:\n  - {name: a, vendor: nope, secretFile: /x}\nrules: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no config", nil, "--config is required"},
		{"unknown flag", []string{"--nope"}, "flag provided but not defined"},
		{"invalid config", []string{"--config", bad}, `unknown vendor \"nope\"`},
		{"missing config file", []string{"--config", filepath.Join(dir, "absent.yaml")}, "no such file"},
		{"bad log level", []string{"--config", bad, "--log-level", "loud"}, "--log-level"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out syncBuffer
			if code := run(context.Background(), c.args, &out, nil); code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			if !strings.Contains(out.String(), c.want) {
				t.Fatalf("output lacks %q:\n%s", c.want, out.String())
			}
		})
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

// TestRunServesAndDrains starts the binary's run loop on loopback, posts
// one signed webhook, reads it back on /metrics, and shuts down cleanly.
func TestRunServesAndDrains(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "config.yaml")
	cfg := "sources:\n  - {name: relay, vendor: generic, secretFile: " + secretFile + "}\nrules:\n  - target: {namespace: support, queue: general}\n"
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startRun(t, cfgFile, nil)
	web, prom, out := r.web, r.prom, r.out

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get("http://" + web + "/readyz")
		if err == nil && resp.StatusCode == http.StatusOK {
			_ = resp.Body.Close()
			break
		}
		if err == nil {
			_ = resp.Body.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("never ready: %v\n%s", err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	body := []byte(`{"id":"e1","type":"created","ticket_id":"1"}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	m := hmac.New(sha256.New, []byte("s3cret"))
	m.Write([]byte(ts + "."))
	m.Write(body)
	req, _ := http.NewRequest(http.MethodPost, "http://"+web+"/webhooks/relay", bytes.NewReader(body))
	req.Header.Set("X-Frontline-Timestamp", ts)
	req.Header.Set("X-Frontline-Signature", "v1="+hex.EncodeToString(m.Sum(nil)))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook status %d", resp.StatusCode)
	}

	resp, err = client.Get("http://" + prom + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(text), `frontline_tickets_created_total{namespace="support",queue="general"} 1`) {
		t.Fatalf("/metrics lacks the counted ticket:\n%s", text)
	}

	if code := r.stop(t); code != 0 {
		t.Fatalf("exit %d after shutdown:\n%s", code, out.String())
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatalf("secret in the log:\n%s", out.String())
	}
}

// ingestRun is run serving on free ports, as a test starts it.
type ingestRun struct {
	web, prom string
	out       *syncBuffer
	cancel    context.CancelFunc
	done      chan int
}

// startRun starts run with the config file and the correction counter
// (nil: what the config builds), logging text into out.
func startRun(t *testing.T, cfgFile string, counter metrics.OpenTicketCounter) *ingestRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &ingestRun{web: freePort(t), prom: freePort(t), out: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		r.done <- run(ctx, []string{"--config", cfgFile, "--listen", r.web, "--metrics-listen", r.prom, "--drain-delay", "0s", "--log-format", "text"}, r.out, counter)
	}()
	return r
}

// stop shuts the run down and returns its exit code.
func (r *ingestRun) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("did not shut down")
		return -1
	}
}
