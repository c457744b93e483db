// Package promtest runs a real Prometheus server for integration tests,
// scraping given targets every second. It can be stopped and started again
// on the same port and data, to inject an outage, and can guard its API as
// real deployments do (basic auth, TLS, client certificates) through
// Prometheus's own --web.config.file.
package promtest

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-dev/frontline/test/testenv"
)

// Server is a Prometheus process.
type Server struct {
	bin, dir, addr string
	o              Options
	cmd            *exec.Cmd
	exited         chan struct{}
}

// Options guard the server's HTTP API.
type Options struct {
	// WebConfig is the content of Prometheus's --web.config.file:
	// basic_auth_users (bcrypt hashes) and tls_server_config (with
	// client_auth_type and client_ca_file for client certificates).
	// Prometheus reads it again for every request.
	WebConfig string
	// ClientTLS makes the server's address https; the readiness probe
	// connects with it (the CA, a client certificate the server accepts).
	ClientTLS *tls.Config
	// Username and Password pass the web config's basic auth in the
	// readiness probe.
	Username, Password string
}

// Binary finds prometheus: bin/prometheus in the repository (installed by
// hack/install-prometheus.sh), then PATH.
func Binary(repoRoot string) (string, error) {
	if p := filepath.Join(repoRoot, "bin", "prometheus"); fileExists(p) {
		return p, nil
	}
	if p, err := exec.LookPath("prometheus"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("prometheus not found: run hack/install-prometheus.sh (make test does)")
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// BinaryFor is Binary for a test of this repository: it fails the test
// when there is none.
func BinaryFor(t testing.TB) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := Binary(root)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Start writes a config scraping targets (host:port) every second and
// starts Prometheus on a free loopback port.
func Start(bin, dir string, targets []string) (*Server, error) {
	return StartWith(bin, dir, targets, Options{})
}

// StartWith is Start with the API guarded as o says.
func StartWith(bin, dir string, targets []string, o Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
- job_name: tickets
  static_configs:
  - targets: ['%s']
`, strings.Join(targets, "','"))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	if o.WebConfig != "" {
		if err := os.WriteFile(filepath.Join(dir, "web.yml"), []byte(o.WebConfig), 0o600); err != nil {
			return nil, err
		}
	}
	s := &Server{bin: bin, dir: dir, addr: addr, o: o}
	return s, s.Start()
}

// URL is the HTTP API base address.
func (s *Server) URL() string {
	if s.o.ClientTLS != nil {
		return "https://" + s.addr
	}
	return "http://" + s.addr
}

// ready probes /-/ready as the web config asks.
func (s *Server) ready() bool {
	req, err := http.NewRequest(http.MethodGet, s.URL()+"/-/ready", nil)
	if err != nil {
		return false
	}
	if s.o.Username != "" {
		req.SetBasicAuth(s.o.Username, s.o.Password)
	}
	transport := &http.Transport{TLSClientConfig: s.o.ClientTLS}
	defer transport.CloseIdleConnections()
	resp, err := (&http.Client{Transport: transport, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// Start (re)starts the process and waits until it is ready.
func (s *Server) Start() error {
	args := []string{
		"--config.file=" + filepath.Join(s.dir, "prometheus.yml"),
		"--storage.tsdb.path=" + filepath.Join(s.dir, "data"),
		"--web.listen-address=" + s.addr,
		"--log.level=warn"}
	if s.o.WebConfig != "" {
		args = append(args, "--web.config.file="+filepath.Join(s.dir, "web.yml"))
	}
	s.cmd = exec.Command(s.bin, args...)
	logFile, err := os.OpenFile(filepath.Join(s.dir, "prometheus.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.exited = make(chan struct{})
	go func() { _ = s.cmd.Wait(); _ = logFile.Close(); close(s.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if s.ready() {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("prometheus exited; see %s", filepath.Join(s.dir, "prometheus.log"))
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("prometheus not ready after 30s")
}

// Stop kills the process and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}
