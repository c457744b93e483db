package controllers

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/conditions"
)

// patchStatusIfChanged patches the status subresource from before to obj,
// and makes no request when status did not change.
func patchStatusIfChanged[T client.Object](ctx context.Context, c client.Client, before, obj T, status func(T) any) error {
	if equality.Semantic.DeepEqual(status(before), status(obj)) {
		return nil
	}
	return c.Status().Patch(ctx, obj, client.MergeFrom(before))
}

// finishReconcile patches status if it changed, then emits the reconcile's
// Events, and counts failed reconciles. Defer it with the reconcile's named
// error. Events wait for the patch: one about a status the apiserver
// refused would describe a change nobody can see, and the retry would
// emit it again.
func finishReconcile[T client.Object](ctx context.Context, c client.Client, kind string, before, obj T, status func(T) any, rec *pendingEvents, retErr *error) {
	err := patchStatusIfChanged(ctx, c, before, obj, status)
	if err != nil && *retErr == nil {
		*retErr = err
	}
	if err == nil {
		rec.flush()
	}
	if *retErr != nil {
		reconcileErrors.WithLabelValues(kind).Inc()
	}
}

// pendingEvents holds a reconcile's Events until its status patch lands.
type pendingEvents struct {
	to     events.EventRecorder
	events []func()
}

var _ events.EventRecorder = &pendingEvents{}

// Eventf queues an Event.
func (p *pendingEvents) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...any) {
	p.events = append(p.events, func() { p.to.Eventf(regarding, related, eventtype, reason, action, note, args...) })
}

func (p *pendingEvents) flush() {
	if p == nil {
		return // a controller without Events
	}
	for _, emit := range p.events {
		emit()
	}
	p.events = nil
}

// stallUndecodable marks an object whose stored body did not decode
// (supportv1alpha1's DecodeError): Stalled and not Ready, naming the error,
// with a Warning Event when that is news. Nothing else is done with it, and
// the rest of the cluster is served as usual.
func stallUndecodable(obj runtime.Object, conds *[]metav1.Condition, observed *int64, generation int64, decodeErr error, rec events.EventRecorder) {
	msg := fmt.Sprintf("the stored object cannot be decoded (%v): it is left alone until it is fixed or applied again", decodeErr)
	stall(obj, conds, observed, generation, supportv1alpha1.ReasonUndecodable, "Decode", msg, rec)
}

// stall marks an object Stalled (and not Ready) for reason, saying msg,
// with observedGeneration at generation so kstatus reports it Failed, and
// a Warning Event when that is news.
func stall(obj runtime.Object, conds *[]metav1.Condition, observed *int64, generation int64, reason, action, msg string, rec events.EventRecorder) {
	old := meta.FindStatusCondition(*conds, supportv1alpha1.ConditionStalled)
	news := old == nil || old.Status != metav1.ConditionTrue || old.Reason != reason || old.Message != msg
	*observed = generation
	conditions.For(conds, generation).Stalled(reason, msg)
	if news && rec != nil {
		rec.Eventf(obj, nil, corev1.EventTypeWarning, reason, action, "%s", msg)
	}
}
