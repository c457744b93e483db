package controllers

import (
	"context"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/frontline-dev/frontline/internal/metrics"
)

// Options configure the reconcilers.
type Options struct {
	// DefaultPrometheus is used by queues that do not name one.
	DefaultPrometheus string
	// Clock is injected so tests control time; defaults to the real clock.
	Clock clock.WithTicker
	// PollTick is how often the poller checks for due polls (default 250ms).
	PollTick time.Duration
	// NewPrometheusAPI builds Prometheus clients (default: HTTP API).
	NewPrometheusAPI func(address string) (metrics.API, error)
	// MaxConcurrentReconciles per controller (default 4) for queues, plans
	// and policies: they are independent, a surge wakes many queues at once,
	// and a plan waiting on a slow Prometheus must not hold up the others.
	MaxConcurrentReconciles int
}

// CacheOptions caches only what the operator owns: children carry the
// managed-by label, so Deployments, Services, ConfigMaps and PDBs of other
// workloads never fill the operator's memory.
func CacheOptions(namespaces []string) cache.Options {
	owned := cache.ByObject{Label: labels.SelectorFromSet(labels.Set{LabelManagedBy: ManagedByValue})}
	opts := cache.Options{ByObject: map[client.Object]cache.ByObject{
		&appsv1.Deployment{}:            owned,
		&corev1.Service{}:               owned,
		&corev1.ConfigMap{}:             owned,
		&policyv1.PodDisruptionBudget{}: owned,
	}}
	if len(namespaces) > 0 {
		opts.DefaultNamespaces = map[string]cache.Config{}
		for _, n := range namespaces {
			opts.DefaultNamespaces[n] = cache.Config{}
		}
	}
	return opts
}

// Setup registers the poller and the reconcilers with the manager.
func Setup(ctx context.Context, mgr ctrl.Manager, o Options) error {
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = 4
	}
	if err := IndexQueuesByPolicy(ctx, mgr); err != nil {
		return err
	}
	store := NewReadingStore()
	pollEvents := make(chan event.GenericEvent, 1024)
	if err := mgr.Add(&Poller{
		Client:         mgr.GetClient(),
		DefaultAddress: o.DefaultPrometheus,
		Store:          store,
		Events:         pollEvents,
		Clock:          o.Clock,
		Log:            mgr.GetLogger().WithName("poller"),
		NewAPI:         o.NewPrometheusAPI,
		Tick:           o.PollTick,
	}); err != nil {
		return err
	}
	if err := (&SupportQueueReconciler{
		Client:     mgr.GetClient(),
		APIReader:  mgr.GetAPIReader(),
		Recorder:   mgr.GetEventRecorder("frontline"),
		Clock:      o.Clock,
		Readings:   store,
		PollEvents: pollEvents,
		Surges:     PlanSurges{Client: mgr.GetClient()},
		Workers:    o.MaxConcurrentReconciles,
	}).SetupWithManager(mgr); err != nil {
		return err
	}
	if err := (&SurgePlanReconciler{
		Client:            mgr.GetClient(),
		Recorder:          mgr.GetEventRecorder("frontline"),
		Clock:             o.Clock,
		DefaultPrometheus: o.DefaultPrometheus,
		NewAPI:            o.NewPrometheusAPI,
		Workers:           o.MaxConcurrentReconciles,
	}).SetupWithManager(mgr); err != nil {
		return err
	}
	return (&SLAPolicyReconciler{Client: mgr.GetClient(), MinStatusInterval: 2 * time.Second, Workers: o.MaxConcurrentReconciles,
		Clock: o.Clock, Recorder: mgr.GetEventRecorder("frontline")}).SetupWithManager(mgr)
}
