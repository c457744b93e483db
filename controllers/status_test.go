package controllers

import (
	"context"
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scheme"
)

// TestEventsOnlyAfterTheStatusPatch: a reconcile's Events are emitted once
// its status patch lands, and dropped when the patch fails (the retry
// decides again). A pure unit of finishReconcile: the fake client stands
// in for the apiserver's answer to the patch, which is all it decides on.
func TestEventsOnlyAfterTheStatusPatch(t *testing.T) {
	for _, tc := range []struct {
		name       string
		patchErr   error
		wantEvents int
	}{
		{"patch lands", nil, 1},
		{"patch refused", errors.New("conflict"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "q"}}
			c := fake.NewClientBuilder().WithScheme(scheme.New()).WithObjects(q).WithStatusSubresource(q).
				WithInterceptorFuncs(interceptor.Funcs{SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
					if tc.patchErr != nil {
						return tc.patchErr
					}
					return c.SubResource(sub).Patch(ctx, obj, p, opts...)
				}}).Build()
			recorder := events.NewFakeRecorder(10)
			rec := &pendingEvents{to: recorder}
			before := q.DeepCopy()
			q.Status.ObservedGeneration = 3
			rec.Eventf(q, nil, corev1.EventTypeNormal, "Scaling", "Scale", "Scaled agents from %d to %d replicas", 2, 5)
			if len(recorder.Events) != 0 {
				t.Fatal("an Event left before the patch")
			}
			var err error
			finishReconcile(context.Background(), c, "SupportQueue", before, q, func(o *supportv1alpha1.SupportQueue) any { return o.Status }, rec, &err)
			if got := len(recorder.Events); got != tc.wantEvents {
				t.Errorf("%d Events, want %d", got, tc.wantEvents)
			}
			if (err != nil) != (tc.patchErr != nil) {
				t.Errorf("reconcile error %v, patch error %v", err, tc.patchErr)
			}
		})
	}
}
