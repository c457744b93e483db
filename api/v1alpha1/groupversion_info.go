// Package v1alpha1 contains the Frontline API: SupportQueue, SLAPolicy and
// SurgePlan in group support.frontline.dev.
//
// +kubebuilder:object:generate=true
// +groupName=support.frontline.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of every Frontline kind.
	GroupVersion = schema.GroupVersion{Group: "support.frontline.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the Frontline kinds with a runtime.Scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the Frontline kinds to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&SupportQueue{}, &SupportQueueList{},
		&SLAPolicy{}, &SLAPolicyList{},
		&SurgePlan{}, &SurgePlanList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
