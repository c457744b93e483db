package controllers

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// applyIfChanged server-side applies desired unless the fields this
// operator already owns on live say exactly the same: a pass with nothing
// to change makes no request. live is nil when the object does not exist;
// extract reads our managed fields from it.
func applyIfChanged[T runtime.ApplyConfiguration](ctx context.Context, c client.Client, desired T, live client.Object, extract func() (T, error)) (bool, error) {
	if live != nil {
		owned, err := extract()
		if err != nil {
			return false, fmt.Errorf("reading managed fields: %w", err)
		}
		if equality.Semantic.DeepEqual(owned, desired) {
			return false, nil
		}
	}
	if err := c.Apply(ctx, desired, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return false, err
	}
	return true, nil
}
