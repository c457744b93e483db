package controllers

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// applyChild server-side applies desired unless the fields this operator
// already owns on the live object say exactly the same: a pass with nothing
// to change makes no request. live is an empty object of the child's type,
// filled from the cache; extract reads our managed fields from it.
func applyChild[O client.Object, AC runtime.ApplyConfiguration](ctx context.Context, c client.Client, key types.NamespacedName,
	live O, desired AC, extract func(O, string) (AC, error)) error {
	switch err := c.Get(ctx, key, live); {
	case apierrors.IsNotFound(err):
	case err != nil:
		return err
	default:
		owned, err := extract(live, FieldManager)
		if err != nil {
			return fmt.Errorf("reading managed fields of %s: %w", key, err)
		}
		if equality.Semantic.DeepEqual(owned, desired) {
			return nil
		}
	}
	if err := c.Apply(ctx, desired, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return fmt.Errorf("applying %s: %w", key, err)
	}
	return nil
}
