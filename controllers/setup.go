package controllers

import (
	"context"
	"errors"
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

	"github.com/frontline-dev/frontline/internal/polling"
	"github.com/frontline-dev/frontline/internal/sources"
)

// Options configure the reconcilers.
type Options struct {
	// Sources are the metrics sources queues and plans may name (required):
	// the default one, the platform's, and the addresses it allows.
	Sources *sources.Registry
	// Clock is injected so tests control time; defaults to the real clock.
	Clock clock.WithTicker
	// PollTick is how often the poller checks for due polls (default 250ms).
	PollTick time.Duration
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
	if o.Sources == nil {
		return errors.New("no metrics sources: open them with sources.Open")
	}
	o.Sources.Log = mgr.GetLogger().WithName("sources")
	o.Sources.Reloaded = recordSourcesReload
	// Every replica keeps its sources current, so a new leader starts with
	// the file as it is now.
	if err := mgr.Add(o.Sources); err != nil {
		return err
	}
	if err := IndexQueuesByPolicy(ctx, mgr); err != nil {
		return err
	}
	store := polling.NewStore()
	pollEvents := make(chan event.GenericEvent, 1024)
	if err := mgr.Add(&polling.Poller{
		Client:  mgr.GetClient(),
		Sources: o.Sources,
		Store:   store,
		Events:  pollEvents,
		Clock:   o.Clock,
		Log:     mgr.GetLogger().WithName("poller"),
		Tick:    o.PollTick,
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
		Surges:     PlanSurges{Client: mgr.GetClient(), Clock: o.Clock},
		Workers:    o.MaxConcurrentReconciles,
	}).SetupWithManager(mgr); err != nil {
		return err
	}
	if err := (&SurgePlanReconciler{
		Client:   mgr.GetClient(),
		Recorder: mgr.GetEventRecorder("frontline"),
		Clock:    o.Clock,
		Sources:  o.Sources,
		Workers:  o.MaxConcurrentReconciles,
	}).SetupWithManager(mgr); err != nil {
		return err
	}
	return (&SLAPolicyReconciler{Client: mgr.GetClient(), MinStatusInterval: 2 * time.Second, Workers: o.MaxConcurrentReconciles,
		Clock: o.Clock, Recorder: mgr.GetEventRecorder("frontline")}).SetupWithManager(mgr)
}
