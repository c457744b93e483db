// Command manager runs the Frontline operator: it sizes support queues from
// ticket traffic and switches surge plans on and off.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"strings"
	_ "time/tzdata" // scheduled events name IANA zones; the image has no zoneinfo

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/frontline-dev/frontline/controllers"
	"github.com/frontline-dev/frontline/internal/memlimit"
	"github.com/frontline-dev/frontline/internal/metrics"
	"github.com/frontline-dev/frontline/internal/scheme"
	"github.com/frontline-dev/frontline/internal/sources"
	"github.com/frontline-dev/frontline/internal/version"
)

// options are the manager's command-line settings.
type options struct {
	metricsAddr       string
	secureMetrics     bool
	probeAddr         string
	leaderElect       bool
	leaderElectionNS  string
	prometheusAddress string
	sourcesConfig     string
	watchNamespaces   string
	enableHTTP2       bool
	workers           int
	showVersion       bool
	pprofAddr         string
}

func main() {
	var o options
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", ":8443", "Address of the metrics endpoint; \"0\" disables it.")
	flag.BoolVar(&o.secureMetrics, "metrics-secure", true, "Serve metrics over HTTPS with authentication and authorization (TokenReview, SubjectAccessReview).")
	flag.StringVar(&o.probeAddr, "health-probe-bind-address", ":8081", "Address of the /healthz and /readyz probes.")
	flag.BoolVar(&o.leaderElect, "leader-elect", false, "Elect a leader so that only one replica acts at a time.")
	flag.StringVar(&o.leaderElectionNS, "leader-election-namespace", "", "Namespace of the leader-election Lease (defaults to the pod's namespace).")
	flag.StringVar(&o.prometheusAddress, "prometheus-address", "http://prometheus.monitoring:9090", "Address of the metrics source named \"default\", read by queues and plans that name none (a source named default in --sources-config replaces it).")
	flag.StringVar(&o.sourcesConfig, "sources-config", "", "File of the metrics sources the platform defines (names, addresses, credential files, TLS, headers, tenancy) and the addresses queues may write; re-read when it changes. Empty: only the default source, no address allowed. See docs/connect-your-prometheus.md.")
	flag.StringVar(&o.watchNamespaces, "watch-namespaces", "", "Comma-separated namespaces to watch; empty watches all.")
	flag.BoolVar(&o.enableHTTP2, "enable-http2", false, "Serve metrics over HTTP/2 (off by default: HTTP/2 rapid-reset CVEs).")
	flag.IntVar(&o.workers, "max-concurrent-reconciles", 4, "Objects each controller (queues, surge plans, SLA policies) reconciles at once.")
	flag.StringVar(&o.pprofAddr, "pprof-bind-address", "0", "Address of Go's pprof endpoints for profiling; \"0\" (the default) disables them.")
	flag.BoolVar(&o.showVersion, "version", false, "Print the version and exit.")
	zapOpts := zap.Options{Development: false}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()

	if o.showVersion {
		fmt.Println("frontline", version.Version)
		return
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	if err := run(o); err != nil {
		ctrl.Log.Error(err, "manager stopped")
		os.Exit(1)
	}
}

func run(o options) error {
	log := ctrl.Log.WithName("setup")
	log.Info(memlimit.Set("/sys/fs/cgroup"))

	// A configuration the operator cannot use stops it here, naming the
	// file, the source and the field, rather than at the first poll.
	srcs, err := sources.Open(o.sourcesConfig, o.prometheusAddress)
	if err != nil {
		return err
	}

	var tlsOpts []func(*tls.Config)
	if !o.enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	metricsOpts := metricsserver.Options{
		BindAddress:   o.metricsAddr,
		SecureServing: o.secureMetrics,
		TLSOpts:       tlsOpts,
	}
	if o.secureMetrics {
		metricsOpts.FilterProvider = filters.WithAuthenticationAndAuthorization
	}

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                        scheme.New(),
		Metrics:                       metricsOpts,
		HealthProbeBindAddress:        o.probeAddr,
		LeaderElection:                o.leaderElect,
		LeaderElectionID:              "frontline.support.frontline.dev",
		LeaderElectionNamespace:       o.leaderElectionNS,
		LeaderElectionReleaseOnCancel: true,
		Cache:                         controllers.CacheOptions(splitNamespaces(o.watchNamespaces)),
		PprofBindAddress:              o.pprofAddr,
	})
	if err != nil {
		return fmt.Errorf("creating manager: %w", err)
	}

	ctx := ctrl.SetupSignalHandler()
	if err := controllers.Setup(ctx, mgr, controllers.Options{Sources: srcs, MaxConcurrentReconciles: o.workers}); err != nil {
		return fmt.Errorf("setting up reconcilers: %w", err)
	}

	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("adding health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("adding readiness check: %w", err)
	}

	log.Info("starting manager", "version", version.Version, "leaderElection", o.leaderElect,
		"prometheus", metrics.SourceLabel(o.prometheusAddress), "sources", srcs.Names(), "namespaces", o.watchNamespaces)
	return mgr.Start(ctx)
}

func splitNamespaces(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}
