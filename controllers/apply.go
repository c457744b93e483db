package controllers

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// NameConflictError: an object with a child's name exists that its owner
// did not create. It is left untouched: applying over it would take it
// (a Service's selector is atomic, and the owner reference would let the
// garbage collector delete it with the queue).
type NameConflictError struct {
	Kind string
	Key  types.NamespacedName
}

func (e *NameConflictError) Error() string {
	return fmt.Sprintf("%s %q exists and was not created by this queue; it is left untouched (rename or delete it)", e.Kind, e.Key.Name)
}

// childApplier applies one owner's children.
type childApplier struct {
	client client.Client
	// reader is uncached: the cache holds only labelled children, so an
	// unlabelled object with a child's name is invisible to it.
	reader client.Reader
	owner  metav1.Object
}

// applyChild server-side applies desired unless the fields this operator
// already owns on the live object say exactly the same: a pass with nothing
// to change makes no request. live is an empty object of the child's type,
// filled from the cache; extract reads our managed fields from it. An
// object with the child's name that the owner does not control is never
// applied over (NameConflictError).
func applyChild[O client.Object, AC runtime.ApplyConfiguration](ctx context.Context, a childApplier, key types.NamespacedName,
	live O, desired AC, extract func(O, string) (AC, error)) error {
	switch err := a.client.Get(ctx, key, live); {
	case apierrors.IsNotFound(err):
		if err := a.notTaken(ctx, key, live); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if !metav1.IsControlledBy(live, a.owner) {
			return a.conflict(key, live)
		}
		owned, err := extract(live, FieldManager)
		if err != nil {
			return fmt.Errorf("reading managed fields of %s: %w", key, err)
		}
		if equality.Semantic.DeepEqual(owned, desired) {
			return nil
		}
	}
	if err := a.client.Apply(ctx, desired, client.FieldOwner(FieldManager), client.ForceOwnership); err != nil {
		return fmt.Errorf("applying %s: %w", key, err)
	}
	return nil
}

// notTaken asks the apiserver, past the label-filtered cache, whether an
// object with the child's name exists that the owner does not control.
func (a childApplier) notTaken(ctx context.Context, key types.NamespacedName, example client.Object) error {
	gvk, err := apiutil.GVKForObject(example, a.client.Scheme())
	if err != nil {
		return err
	}
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(gvk)
	switch err := a.reader.Get(ctx, key, m); {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return fmt.Errorf("checking whether %s exists: %w", key, err)
	case !metav1.IsControlledBy(m, a.owner):
		return a.conflict(key, example)
	}
	return nil // ours, with its labels removed: applying restores them
}

func (a childApplier) conflict(key types.NamespacedName, example client.Object) error {
	kind := fmt.Sprintf("%T", example)
	if gvk, err := apiutil.GVKForObject(example, a.client.Scheme()); err == nil {
		kind = gvk.Kind
	}
	return &NameConflictError{Kind: kind, Key: key}
}
