package sources

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/utils/lru"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/metrics"
)

// DefaultReloadInterval is how often the sources file is checked for a
// change. The kubelet takes up to a minute or so to update a mounted
// ConfigMap; this adds at most ten seconds.
const DefaultReloadInterval = 10 * time.Second

// maxAddressClients bounds the clients of allow-listed addresses, which
// tenants choose: addresses no longer used must not pile up. The least
// recently used goes first, its idle connections closed; the platform's
// named sources are never evicted, so tenants writing many addresses
// cannot cost them their connections.
const maxAddressClients = 64

// Registry is the live set of sources and a client for each one in use,
// shared by the poller and the plans. It re-reads its file when the file
// changes: a valid file replaces the set (and its clients), an invalid one
// is logged and reported through Reloaded, and the last good set stays.
// Credential files are not part of this: clients read them for every
// request.
type Registry struct {
	// NewAPI builds a client (default metrics.NewHTTPAPI); tests may swap
	// it.
	NewAPI func(address string, o metrics.ClientOptions) (metrics.API, error)
	// ReloadInterval is how often the file is checked (default 10s).
	ReloadInterval time.Duration
	// Log receives reloads and refused files.
	Log logr.Logger
	// Reloaded, if set, is told the outcome of every reload of a changed
	// file (nil on success).
	Reloaded func(error)

	path, defaultAddress string

	mu  sync.Mutex
	set *Set
	raw []byte
	// named are the clients of the platform's named sources; addressed
	// those of allow-listed addresses (least recently used evicted).
	named     map[supportv1alpha1.PrometheusSource]metrics.API
	addressed *lru.Cache
}

// Open loads the sources file at path (none when empty) with the default
// source at defaultAddress. An invalid file, or a credential file that
// cannot be read, is an error naming the file, the source and the field:
// the operator does not start on a configuration it cannot use.
func Open(path, defaultAddress string) (*Registry, error) {
	r := &Registry{path: path, defaultAddress: defaultAddress}
	var raw []byte
	if path != "" {
		var err error
		if raw, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("sources config: %w", err)
		}
	}
	set, err := r.build(raw)
	if err != nil {
		return nil, err
	}
	r.set, r.raw = set, raw
	return r, nil
}

func (r *Registry) build(raw []byte) (*Set, error) {
	set, err := Build(raw, r.defaultAddress)
	if err != nil && r.path != "" {
		return nil, fmt.Errorf("sources config %s: %w", r.path, err)
	}
	return set, err
}

// Names lists the named sources.
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.set.Names()
}

// API is the client for a queue's or plan's prometheus (nil: the default
// source), and the source it reads; a *Refusal when the source is not
// defined or the address not allowed.
func (r *Registry) API(p *supportv1alpha1.PrometheusSource) (metrics.API, Source, error) {
	ref := Ref(p)
	r.mu.Lock()
	defer r.mu.Unlock()
	src, err := r.set.Resolve(ref)
	if err != nil {
		return nil, Source{}, err
	}
	if a, ok := r.cached(ref); ok {
		return a, src, nil
	}
	newAPI := r.NewAPI
	if newAPI == nil {
		newAPI = metrics.NewHTTPAPI
	}
	a, err := newAPI(src.Address, src.Client)
	if err != nil {
		return nil, src, err // in the client's words: an address may hold credentials
	}
	r.keep(ref, a)
	return a, src, nil
}

// cached is the client already built for ref. r.mu is held.
func (r *Registry) cached(ref supportv1alpha1.PrometheusSource) (metrics.API, bool) {
	if ref.Source != "" {
		a, ok := r.named[ref]
		return a, ok
	}
	if r.addressed == nil {
		return nil, false
	}
	a, ok := r.addressed.Get(ref)
	if !ok {
		return nil, false
	}
	api, _ := a.(metrics.API)
	return api, true
}

// keep caches a client for ref. r.mu is held.
func (r *Registry) keep(ref supportv1alpha1.PrometheusSource, a metrics.API) {
	if ref.Source != "" {
		if r.named == nil {
			r.named = map[supportv1alpha1.PrometheusSource]metrics.API{}
		}
		r.named[ref] = a
		return
	}
	if r.addressed == nil {
		r.addressed = lru.NewWithEvictionFunc(maxAddressClients, func(_ lru.Key, v any) { metrics.CloseIdle(v) })
	}
	r.addressed.Add(ref, a)
}

// dropClients drops every cached client, closing their idle connections.
// r.mu is held.
func (r *Registry) dropClients() {
	for _, a := range r.named {
		metrics.CloseIdle(a)
	}
	r.named = nil
	if r.addressed != nil {
		r.addressed.Clear() // calls the eviction function for each
	}
}

// Reload re-reads the file; changed reports whether a new set is in use.
// An unchanged file costs one read.
func (r *Registry) Reload() (changed bool, err error) {
	if r.path == "" {
		return false, nil
	}
	raw, err := os.ReadFile(r.path)
	if err != nil {
		return false, fmt.Errorf("sources config: %w", err)
	}
	r.mu.Lock()
	same := bytes.Equal(raw, r.raw)
	r.mu.Unlock()
	if same {
		return false, nil
	}
	set, err := r.build(raw)
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.set, r.raw = set, raw
	r.dropClients()
	return true, nil
}

// NeedLeaderElection: every replica keeps its sources current.
func (r *Registry) NeedLeaderElection() bool { return false }

// Start re-reads the file on its interval until ctx ends.
func (r *Registry) Start(ctx context.Context) error {
	if r.path == "" {
		<-ctx.Done()
		return nil
	}
	every := r.ReloadInterval
	if every <= 0 {
		every = DefaultReloadInterval
	}
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		changed, err := r.Reload()
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		switch {
		case msg != "" && msg != lastErr:
			// Logged once per distinct problem, not every interval.
			r.Log.Error(err, "sources config refused; the last good one stays in use")
		case changed:
			r.Log.Info("sources config reloaded", "sources", r.Names())
		}
		// A file put back as it was (after a refused edit) changes
		// nothing, and is a recovery all the same.
		if r.Reloaded != nil && (changed || msg != "" || lastErr != "") {
			r.Reloaded(err)
		}
		lastErr = msg
	}
}
