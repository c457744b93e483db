// Package promtest runs a real Prometheus server for integration tests,
// scraping given targets every second. It can be stopped and started again
// on the same port and data, to inject an outage.
package promtest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Server is a Prometheus process.
type Server struct {
	bin, dir, addr string
	cmd            *exec.Cmd
	exited         chan struct{}
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

// Start writes a config scraping targets (host:port) every second and
// starts Prometheus on a free loopback port.
func Start(bin, dir string, targets []string) (*Server, error) {
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
	s := &Server{bin: bin, dir: dir, addr: addr}
	return s, s.Start()
}

// URL is the HTTP API base address.
func (s *Server) URL() string { return "http://" + s.addr }

// Start (re)starts the process and waits until it is ready.
func (s *Server) Start() error {
	s.cmd = exec.Command(s.bin,
		"--config.file="+filepath.Join(s.dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(s.dir, "data"),
		"--web.listen-address="+s.addr,
		"--log.level=warn")
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
		resp, err := http.Get(s.URL() + "/-/ready")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
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
