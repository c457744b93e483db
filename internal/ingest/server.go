package ingest

import (
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/frontline-dev/frontline/internal/ingest/adapter"
	"github.com/frontline-dev/frontline/internal/ingest/config"
	"github.com/frontline-dev/frontline/internal/ingest/dedup"
	"github.com/frontline-dev/frontline/internal/ingest/event"
	"github.com/frontline-dev/frontline/internal/ingest/metrics"
	"github.com/frontline-dev/frontline/internal/ingest/routing"
)

// Server handles webhooks for every configured source.
type Server struct {
	log       *slog.Logger
	now       func() time.Time
	metrics   *metrics.Metrics
	dedup     *dedup.Window
	routes    *routing.Table
	queues    []*metrics.Queue // parallel to the routing rules
	sources   map[string]*source
	bodyLimit int64
	ready     atomic.Bool
}

// source is one configured helpdesk account at run time.
type source struct {
	name       string
	vendor     string
	adapter    event.Adapter
	secretFile string
	keys       atomic.Pointer[event.Keys] // swapped on secret reload
	tolerance  time.Duration
	// firstReply: first replies, not solves, feed handle time.
	firstReply bool
	metrics    *metrics.Source
}

// Options are the Server's collaborators; zero values pick the defaults.
type Options struct {
	Logger *slog.Logger
	// Now is the clock (tests set it).
	Now func() time.Time
}

// New builds a Server from a validated config, reading every secret.
func New(cfg *config.Config, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		log:       opts.Logger,
		now:       opts.Now,
		metrics:   metrics.New(cfg.BacklogMode() == config.BacklogSingle),
		dedup:     dedup.New(cfg.DedupWindow(), cfg.DedupMaxEntries()),
		routes:    routing.NewTable(cfg.Rules),
		sources:   make(map[string]*source, len(cfg.Sources)),
		bodyLimit: cfg.BodyLimit(),
	}
	s.metrics.RegisterDedup(s.dedup.Len, s.dedup.Evictions)
	for _, r := range s.routes.Rules() {
		s.queues = append(s.queues, s.metrics.Queue(r.Target))
	}
	for i := range cfg.Sources {
		c := &cfg.Sources[i]
		a, err := adapter.New(c.Vendor, c.AdapterSettings())
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", c.Name, err)
		}
		keys, err := config.ReadSecret(c.SecretFile)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", c.Name, err)
		}
		src := &source{
			name:       c.Name,
			vendor:     c.Vendor,
			adapter:    a,
			secretFile: c.SecretFile,
			tolerance:  cfg.SourceTolerance(c),
			firstReply: c.HandleFromFirstReply(),
			metrics:    s.metrics.Source(c.Name, c.Vendor),
		}
		src.keys.Store(&keys)
		s.sources[c.Name] = src
	}
	s.ready.Store(true)
	return s, nil
}

// Metrics exposes the registry and series (for /metrics and tests).
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// SetReady flips /readyz; shutdown clears it first so traffic drains.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// Handler serves the webhooks and the probes:
//
//	POST /webhooks/{source}          the source's helpdesk posts here
//	POST /webhooks/{source}/{token}  same, secret in the URL (unsigned vendors)
//	GET  /healthz                    process is alive
//	GET  /readyz                     config and secrets loaded, not draining
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/webhooks/{source}", s.serveWebhook)
	mux.HandleFunc("/webhooks/{source}/{token}", s.serveWebhook)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// MetricsHandler serves the dedicated registry.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{Registry: s.metrics.Registry})
}
