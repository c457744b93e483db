package controllers

import (
	"context"

	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// patchStatusIfChanged patches the status subresource from before to obj,
// and makes no request when status did not change.
func patchStatusIfChanged[T client.Object](ctx context.Context, c client.Client, before, obj T, status func(T) any) error {
	if equality.Semantic.DeepEqual(status(before), status(obj)) {
		return nil
	}
	return c.Status().Patch(ctx, obj, client.MergeFrom(before))
}

// finishReconcile patches status if it changed and counts failed
// reconciles. Defer it with the reconcile's named error.
func finishReconcile[T client.Object](ctx context.Context, c client.Client, kind string, before, obj T, status func(T) any, retErr *error) {
	if err := patchStatusIfChanged(ctx, c, before, obj, status); err != nil && *retErr == nil {
		*retErr = err
	}
	if *retErr != nil {
		reconcileErrors.WithLabelValues(kind).Inc()
	}
}
