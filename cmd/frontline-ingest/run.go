package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/frontline-dev/frontline/internal/ingest"
	"github.com/frontline-dev/frontline/internal/ingest/config"
	"github.com/frontline-dev/frontline/internal/ingest/metrics"
	"github.com/frontline-dev/frontline/internal/ingest/opentickets"
	"github.com/frontline-dev/frontline/internal/version"
)

type flags struct {
	config        string
	listen        string
	metricsListen string
	secretReload  time.Duration
	drainDelay    time.Duration
	shutdownGrace time.Duration
	logLevel      string
	logFormat     string
	showVersion   bool
}

func parseFlags(args []string, out io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("frontline-ingest", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&f.config, "config", "", "path of the YAML configuration (sources and routing rules); required")
	fs.StringVar(&f.listen, "listen", ":8080", "address for webhooks and the /healthz, /readyz probes")
	fs.StringVar(&f.metricsListen, "metrics-listen", ":9090", "address for /metrics")
	fs.DurationVar(&f.secretReload, "secret-reload-interval", 10*time.Second, "how often secret files are re-read (0 disables)")
	fs.DurationVar(&f.drainDelay, "drain-delay", 5*time.Second, "on shutdown, time between failing /readyz and closing the listener, so endpoints drop the pod first")
	fs.DurationVar(&f.shutdownGrace, "shutdown-grace", 20*time.Second, "on shutdown, time left for in-flight requests")
	fs.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error (debug logs every rejected webhook)")
	fs.StringVar(&f.logFormat, "log-format", "json", "json or text")
	fs.BoolVar(&f.showVersion, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if f.config == "" && !f.showVersion {
		return nil, errors.New("--config is required")
	}
	return f, nil
}

func newLogger(f *flags, out io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch f.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(out, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(out, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be json or text, not %q", f.logFormat)
}

// run serves until ctx ends, then drains. In backlog mode single the
// sources' openTickets counts correct the backlog every
// backlog.correctionInterval; counter, when not nil, replaces them (tests
// and embedders).
// It returns the process exit code: 0 after a clean shutdown, 1 on a
// runtime failure, 2 on bad flags or configuration.
func run(ctx context.Context, args []string, stderr io.Writer, counter metrics.OpenTicketCounter) int {
	f, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			_, _ = fmt.Fprintln(stderr, "frontline-ingest:", err)
		}
		return 2
	}
	if f.showVersion {
		_, _ = fmt.Fprintln(stderr, "frontline-ingest", version.Version)
		return 0
	}
	log, err := newLogger(f, stderr)
	if err != nil {
		_, _ = fmt.Fprintln(stderr, "frontline-ingest:", err)
		return 2
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		log.Error("invalid configuration", "err", err)
		return 2
	}
	srv, err := ingest.New(cfg, ingest.Options{Logger: log})
	if err != nil {
		log.Error("cannot start", "err", err)
		return 2
	}

	if counter == nil && cfg.HasOpenTickets() {
		ot, err := opentickets.New(cfg, opentickets.Options{Metrics: srv.Metrics()})
		if err != nil {
			log.Error("invalid configuration", "err", err)
			return 2
		}
		ot.Report(log, srv.Metrics())
		log.Info("backlog corrections planned", "queues", len(ot.Corrected()), "uncorrected", len(ot.Skipped()),
			"interval", cfg.CorrectionInterval().String())
		counter = ot
	}

	webhooks := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	metricsMux := http.NewServeMux()
	metricsMux.Handle("GET /metrics", srv.MetricsHandler())
	metricsSrv := &http.Server{Handler: metricsMux, ReadHeaderTimeout: 5 * time.Second}

	webhookLn, err := net.Listen("tcp", f.listen)
	if err != nil {
		log.Error("cannot listen", "addr", f.listen, "err", err)
		return 1
	}
	metricsLn, err := net.Listen("tcp", f.metricsListen)
	if err != nil {
		_ = webhookLn.Close()
		log.Error("cannot listen", "addr", f.metricsListen, "err", err)
		return 1
	}

	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	var wg sync.WaitGroup
	if f.secretReload > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); srv.WatchSecrets(bg, f.secretReload) }()
	}
	if counter != nil && cfg.BacklogMode() == config.BacklogSingle {
		wg.Add(1)
		go func() { defer wg.Done(); srv.Metrics().RunCorrections(bg, counter, cfg.CorrectionInterval(), log) }()
	}

	failed := make(chan error, 2)
	go func() { failed <- serve(webhooks, webhookLn) }()
	go func() { failed <- serve(metricsSrv, metricsLn) }()
	log.Info("frontline-ingest started", "version", version.Version, "webhooks", webhookLn.Addr().String(),
		"metrics", metricsLn.Addr().String(), "sources", len(cfg.Sources), "rules", len(cfg.Rules),
		"backlog", cfg.BacklogMode(), "dedupWindow", cfg.DedupWindow().String(), "dedupMaxEntries", cfg.DedupMaxEntries())

	code := 0
	select {
	case <-ctx.Done():
		log.Info("shutting down: failing readiness, then draining", "drainDelay", f.drainDelay.String())
		srv.SetReady(false)
		select {
		case <-time.After(f.drainDelay):
		case err := <-failed:
			log.Error("server failed while draining", "err", err)
			code = 1
		}
	case err := <-failed:
		log.Error("server failed", "err", err)
		code = 1
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), f.shutdownGrace)
	defer cancel()
	if err := webhooks.Shutdown(shutdownCtx); err != nil {
		log.Error("webhook server did not drain in time", "err", err)
		code = 1
	}
	// Metrics last, so a final scrape still sees the drained counts.
	if err := metricsSrv.Shutdown(shutdownCtx); err != nil {
		log.Error("metrics server did not stop in time", "err", err)
		code = 1
	}
	stopBG()
	wg.Wait()
	log.Info("stopped")
	return code
}

// serve runs one server; a normal Shutdown is not a failure.
func serve(s *http.Server, ln net.Listener) error {
	if err := s.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
