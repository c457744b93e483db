// Package v1alpha1 contains the Frontline API: SupportQueue, SLAPolicy and
// SurgePlan in group support.frontline.dev.
//
// +kubebuilder:object:generate=true
// +groupName=support.frontline.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of every Frontline kind.
	GroupVersion = schema.GroupVersion{Group: "support.frontline.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the Frontline kinds with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the Frontline kinds to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
