package sources

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/metrics"
)

// countingAPIs stands in for metrics.NewHTTPAPI and counts the clients built.
type countingAPIs struct {
	mu    sync.Mutex
	built map[string]int
}

func (c *countingAPIs) newAPI(address string, _ metrics.ClientOptions) (metrics.API, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.built == nil {
		c.built = map[string]int{}
	}
	c.built[address]++
	return nil, nil
}

func (c *countingAPIs) count(address string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.built[address]
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	// As the kubelet updates a ConfigMap volume: the new file replaces the
	// old in one rename.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func reason(err error) string {
	var refused *Refusal
	if errors.As(err, &refused) {
		return refused.Reason
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestReloadKeepsTheLastGoodFile: a changed file replaces the sources and
// their clients; a broken one is refused and the last good one stays.
func TestReloadKeepsTheLastGoodFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sources.yaml")
	writeFile(t, path, "sources:\n- {name: mimir, address: http://mimir-a:8080}\n")
	reg, err := Open(path, "http://prometheus.monitoring:9090")
	if err != nil {
		t.Fatal(err)
	}
	apis := &countingAPIs{}
	reg.NewAPI = apis.newAPI
	mimir := &supportv1alpha1.PrometheusSource{Source: "mimir"}
	for range 3 {
		if _, src, err := reg.API(mimir); err != nil || src.Address != "http://mimir-a:8080" {
			t.Fatalf("mimir: %+v %v", src, err)
		}
	}
	if n := apis.count("http://mimir-a:8080"); n != 1 {
		t.Errorf("%d clients built for one source", n)
	}

	if changed, err := reg.Reload(); changed || err != nil {
		t.Errorf("an unchanged file: changed %v, %v", changed, err)
	}
	writeFile(t, path, "sources:\n- {name: mimir, address: http://mimir-b:8080, tenancy: Everyone}\n")
	if changed, err := reg.Reload(); changed || err == nil {
		t.Errorf("a broken file: changed %v, %v", changed, err)
	}
	if _, src, err := reg.API(mimir); err != nil || src.Address != "http://mimir-a:8080" {
		t.Errorf("after a refused file, mimir reads %+v (%v), want the last good one", src, err)
	}

	writeFile(t, path, "sources:\n- {name: thanos, address: http://thanos:10902}\n")
	if changed, err := reg.Reload(); !changed || err != nil {
		t.Fatalf("a good file: changed %v, %v", changed, err)
	}
	if _, _, err := reg.API(mimir); reason(err) != supportv1alpha1.ReasonSourceNotFound {
		t.Errorf("mimir after its removal: %v", err)
	}
	if _, src, err := reg.API(&supportv1alpha1.PrometheusSource{Source: "thanos"}); err != nil || src.Address != "http://thanos:10902" {
		t.Errorf("thanos: %+v %v", src, err)
	}
	if _, src, err := reg.API(nil); err != nil || src.Name != DefaultName {
		t.Errorf("the default source after a reload: %+v %v", src, err)
	}
}

// TestStartReportsReloads: the running registry picks up a change within
// its interval, and reports a refused file and the recovery from it.
func TestStartReportsReloads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sources.yaml")
	good := "sources:\n- {name: mimir, address: http://mimir:8080}\n"
	writeFile(t, path, good)
	reg, err := Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	reg.NewAPI = (&countingAPIs{}).newAPI
	reg.ReloadInterval = 10 * time.Millisecond
	outcomes := make(chan error, 16)
	reg.Reloaded = func(err error) { outcomes <- err }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = reg.Start(ctx) }()
	defer func() { cancel(); <-done }()

	next := func() error {
		t.Helper()
		select {
		case err := <-outcomes:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("no reload reported")
			return nil
		}
	}
	writeFile(t, path, "sources: [{name: mimir}]\n")
	if err := next(); err == nil {
		t.Error("a file without an address was applied")
	}
	writeFile(t, path, good) // put back as it was: nothing changes, and it is a recovery
	for err := next(); err != nil; err = next() {
		// the refused file may be reported again before the fix is read
	}
	writeFile(t, path, "sources:\n- {name: market, address: http://prices:9090, tenancy: Shared}\n")
	if err := next(); err != nil {
		t.Fatal(err)
	}
	if _, src, err := reg.API(&supportv1alpha1.PrometheusSource{Source: "market"}); err != nil || src.Tenancy != TenancyShared {
		t.Errorf("market after the reload: %+v %v", src, err)
	}
}

// closingAPI is a client that counts the times its idle connections are
// closed.
type closingAPI struct {
	metrics.API
	closed *atomic.Int32
}

func (c closingAPI) CloseIdleConnections() { c.closed.Add(1) }

// TestAddressesCannotEvictNamedSources: tenants writing many allow-listed
// addresses (200 paths below an admitted prefix) cost the platform's named
// source nothing: its client is built once and kept. The addresses'
// clients stay bounded, the least recently used dropped with its idle
// connections closed, and a reload drops them all.
func TestAddressesCannotEvictNamedSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sources.yaml")
	writeFile(t, path, "sources:\n- {name: mimir, address: http://mimir:8080}\nallowedAddresses:\n- prefix: http://prom.team-a:9090/\n")
	reg, err := Open(path, "http://prometheus.monitoring:9090")
	if err != nil {
		t.Fatal(err)
	}
	built, closed := map[string]int{}, &atomic.Int32{}
	reg.NewAPI = func(address string, _ metrics.ClientOptions) (metrics.API, error) {
		built[address]++
		return closingAPI{closed: closed}, nil
	}
	mimir := &supportv1alpha1.PrometheusSource{Source: "mimir"}
	for i := range 200 {
		if _, _, err := reg.API(mimir); err != nil {
			t.Fatal(err)
		}
		if _, _, err := reg.API(&supportv1alpha1.PrometheusSource{Address: fmt.Sprintf("http://prom.team-a:9090/x%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if built["http://mimir:8080"] != 1 {
		t.Errorf("the named source's client was built %d times, want once", built["http://mimir:8080"])
	}
	if n := int(closed.Load()); n != 200-maxAddressClients {
		t.Errorf("%d dropped clients closed their idle connections, want %d", n, 200-maxAddressClients)
	}
	writeFile(t, path, "sources:\n- {name: mimir, address: http://mimir-b:8080}\nallowedAddresses:\n- prefix: http://prom.team-a:9090/\n")
	if changed, err := reg.Reload(); !changed || err != nil {
		t.Fatalf("reload: %v %v", changed, err)
	}
	if n := int(closed.Load()); n != 200+1 {
		t.Errorf("after a reload %d clients closed, want every one (%d)", n, 200+1)
	}
}
