package controllers

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/queuestatus"
)

// SLAPolicyReconciler reports, on each SLAPolicy, the queues that use it and
// how they stand against its targets. Sizing happens in the queue
// reconciler, which re-sizes every referencing queue when a policy changes.
type SLAPolicyReconciler struct {
	client.Client
	// MinStatusInterval spaces one policy's status writes: its status lists
	// every queue, so a burst of queue changes (thousands created at once)
	// becomes one write per interval instead of one large write per change.
	// A policy edit is reported at once.
	MinStatusInterval time.Duration
	// Workers is MaxConcurrentReconciles.
	Workers int
	// Clock is injected so tests control time; defaults to the real clock.
	Clock clock.PassiveClock
	// Recorder emits the policy's Events (nil: none).
	Recorder events.EventRecorder

	mu        sync.Mutex
	lastWrite map[types.NamespacedName]time.Time
}

// wait says how long the policy's next status write must wait.
func (r *SLAPolicyReconciler) wait(key types.NamespacedName, now time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastWrite[key].Add(r.MinStatusInterval).Sub(now)
}

func (r *SLAPolicyReconciler) clock() clock.PassiveClock {
	if r.Clock == nil {
		return clock.RealClock{}
	}
	return r.Clock
}

// forget drops a deleted policy's pacing entry, so the map holds only
// policies that exist.
func (r *SLAPolicyReconciler) forget(key types.NamespacedName) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.lastWrite, key)
}

func (r *SLAPolicyReconciler) wrote(key types.NamespacedName, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastWrite == nil {
		r.lastWrite = map[types.NamespacedName]time.Time{}
	}
	r.lastWrite[key] = now
}

// Reconcile summarises the policy's queues.
func (r *SLAPolicyReconciler) Reconcile(ctx context.Context, req ctrl.Request) (result ctrl.Result, retErr error) {
	p := &supportv1alpha1.SLAPolicy{}
	if err := r.Get(ctx, req.NamespacedName, p); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(req.NamespacedName)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if err := p.DecodeError(); err != nil {
		before := p.DeepCopy()
		rec := &pendingEvents{to: r.Recorder}
		defer finishReconcile(ctx, r.Client, "SLAPolicy", before, p, func(o *supportv1alpha1.SLAPolicy) any { return o.Status }, rec, &retErr)
		stallUndecodable(p, &p.Status.Conditions, &p.Status.ObservedGeneration, p.Generation, err, rec)
		return ctrl.Result{}, nil
	}
	now := r.clock().Now()
	if wait := r.wait(req.NamespacedName, now); wait > 0 && p.Status.ObservedGeneration == p.Generation {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	before := p.DeepCopy()
	defer finishReconcile(ctx, r.Client, "SLAPolicy", before, p, func(o *supportv1alpha1.SLAPolicy) any { return o.Status }, nil, &retErr)
	var queues supportv1alpha1.SupportQueueList
	if err := r.List(ctx, &queues, client.InNamespace(p.Namespace), client.MatchingFields{slaPolicyRefIndex: p.Name}); err != nil {
		return ctrl.Result{}, err
	}
	p.Status = queuestatus.PolicySummary(p.Status, p.Generation, queues.Items)
	if !equality.Semantic.DeepEqual(before.Status, p.Status) {
		r.wrote(req.NamespacedName, now) // finishReconcile writes it
	}
	return ctrl.Result{}, nil
}

// SetupWithManager watches policies and the queues that reference them.
func (r *SLAPolicyReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		For(&supportv1alpha1.SLAPolicy{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&supportv1alpha1.SupportQueue{}, handler.EnqueueRequestsFromMapFunc(policyOfQueue)).
		Named("slapolicy").
		WithOptions(controller.Options{MaxConcurrentReconciles: max(r.Workers, 1)}).
		Complete(r)
}

func policyOfQueue(_ context.Context, o client.Object) []reconcile.Request {
	q := o.(*supportv1alpha1.SupportQueue)
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: q.Namespace, Name: q.Spec.SLAPolicyRef.Name}}}
}

// IndexQueuesByPolicy registers the field index both reconcilers use.
func IndexQueuesByPolicy(ctx context.Context, mgr ctrl.Manager) error {
	return mgr.GetFieldIndexer().IndexField(ctx, &supportv1alpha1.SupportQueue{}, slaPolicyRefIndex,
		func(o client.Object) []string {
			return []string{o.(*supportv1alpha1.SupportQueue).Spec.SLAPolicyRef.Name}
		})
}
