package controllers

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/frontline-dev/frontline/internal/sources"
	"github.com/frontline-dev/frontline/test/promtest"
	"github.com/frontline-dev/frontline/test/testenv"
	"github.com/frontline-dev/frontline/test/ticketsim"
)

// The suite runs the real reconcilers against a real kube-apiserver and
// etcd (envtest) and a real Prometheus scraping a ticket exporter.
var (
	env    *testenv.Env
	prom   *promtest.Server
	sim    *ticketsim.Sim
	writes writeCounter
)

// writeCounter counts the manager's mutating API requests, per namespace.
type writeCounter struct {
	mu   sync.Mutex
	byNS map[string]int
}

func (w *writeCounter) in(ns string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.byNS[ns]
}

func (w *writeCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			// Events and leases are not the reconcilers' writes to objects.
			if !strings.Contains(r.URL.Path, "/events") && !strings.Contains(r.URL.Path, "/leases") {
				ns := ""
				if parts := strings.Split(r.URL.Path, "/namespaces/"); len(parts) > 1 {
					ns, _, _ = strings.Cut(parts[1], "/")
				}
				w.mu.Lock()
				if w.byNS == nil {
					w.byNS = map[string]int{}
				}
				w.byNS[ns]++
				w.mu.Unlock()
			}
		}
		return rt.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestMain(m *testing.M) {
	ctrl.SetLogger(zap.New(zap.UseDevMode(true), zap.Level(zapcore.Level(zapLevel()))))
	// Zones written by tests (a daylight-saving change minutes away) are
	// read from here first; real zones still come from the system. Go reads
	// ZONEINFO once, at the first LoadLocation.
	dir, err := os.MkdirTemp("", "frontline-zoneinfo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testZoneInfo = dir
	_ = os.Setenv("ZONEINFO", dir)
	code := m.Run()
	cluster.stop()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// testZoneInfo is the ZONEINFO directory tests write their zones into.
var testZoneInfo string

// cluster is the apiserver, etcd, Prometheus, ticket exporter and manager
// the envtest tests share. It starts with the first test that asks for it
// (newNamespace), so the package's pure tests run without it: with -short
// (make test-unit) the tests that need it are skipped, and make test runs
// them all.
var cluster sharedCluster

type sharedCluster struct {
	once    sync.Once
	err     error
	started bool
	dir     string
}

func needsCluster(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the envtest cluster: run without -short (make test)")
	}
	cluster.once.Do(func() { cluster.err = startCluster() })
	if cluster.err != nil {
		t.Fatal(cluster.err)
	}
}

func startCluster() error {
	var err error
	cluster.started = true
	if env, err = testenv.Start(); err != nil {
		return err
	}
	if sim, err = ticketsim.Start(100 * time.Millisecond); err != nil {
		return err
	}
	root, _ := testenv.RepoRoot()
	bin, err := promtest.Binary(root)
	if err != nil {
		return err
	}
	if cluster.dir, err = os.MkdirTemp("", "frontline-prom-"); err != nil {
		return err
	}
	if prom, err = promtest.Start(bin, cluster.dir, []string{sim.Address()}); err != nil {
		return err
	}
	if sourcesFile, err = writeSources(cluster.dir); err != nil {
		return err
	}
	return startManager()
}

// stop stops what started, the manager before the apiserver goes away.
func (c *sharedCluster) stop() {
	if !c.started {
		return
	}
	if manager.cancel != nil {
		stopManager()
	}
	if prom != nil {
		prom.Stop()
	}
	if sim != nil {
		sim.Close()
	}
	if env != nil {
		_ = env.Stop()
	}
	if c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
}

// sourcesFile is the operator's sources config: the suite's Prometheus as
// the default source and as "local" (with a tenant header), and loopback
// addresses allowed (tests start stand-in endpoints there).
var sourcesFile string

func writeSources(dir string) (string, error) {
	path := filepath.Join(dir, "sources.yaml")
	cfg := fmt.Sprintf(`sources:
- name: local
  address: %s
  tenancy: Shared
  headers: {X-Scope-OrgID: frontline-tests}
allowedAddresses:
- regex: 'http://127\.0\.0\.1:[0-9]+'
`, prom.URL())
	return path, os.WriteFile(path, []byte(cfg), 0o600)
}

// manager is the running operator; tests may stop and start it again to
// simulate a restart or a failover.
var manager struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func startManager() error {
	cfg := rest.CopyConfig(env.Config)
	cfg.Wrap(writes.wrap)
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 env.Scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  CacheOptions(nil),
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	})
	if err != nil {
		return err
	}
	srcs, err := sources.Open(sourcesFile, prom.URL())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := Setup(ctx, mgr, Options{Sources: srcs, PollTick: 250 * time.Millisecond}); err != nil {
		cancel()
		return err
	}
	manager.cancel, manager.done = cancel, make(chan struct{})
	go func(done chan struct{}) {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "manager:", err)
		}
	}(manager.done)
	return nil
}

func stopManager() {
	manager.cancel()
	<-manager.done
}

func zapLevel() int8 {
	if os.Getenv("FRONTLINE_TEST_VERBOSE") != "" {
		return -1
	}
	return 2 // errors only
}

// eventually retries check until it returns nil or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	testenv.Eventually(t, timeout, 250*time.Millisecond, check)
}

func newNamespace(t *testing.T) string {
	t.Helper()
	needsCluster(t)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "sq-"}}
	if err := env.Client.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}
