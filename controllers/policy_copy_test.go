package controllers

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// A queue's reconcile reads its SLAPolicy straight from the cache: the
// copy it takes has the spec and metadata, not the status or managed
// fields that grow with the queues, and changing the copy leaves the
// cache's object as it was.
func TestPolicyWithoutStatusLeavesTheCacheAlone(t *testing.T) {
	shared := &supportv1alpha1.SLAPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: "desk", Name: "default", Generation: 3, Labels: map[string]string{"team": "support"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "frontline", Operation: metav1.ManagedFieldsOperationUpdate, Subresource: "status"}}},
		Spec:   supportv1alpha1.SLAPolicySpec{Targets: []supportv1alpha1.SLATarget{{Channel: supportv1alpha1.ChannelChat, Priority: "standard"}}, MaxOccupancy: "0.85"},
		Status: supportv1alpha1.SLAPolicyStatus{QueueCount: 2, Queues: []supportv1alpha1.QueueSLAStatus{{Name: "a"}, {Name: "b"}}},
	}
	before := shared.DeepCopy()

	got := policyWithoutStatus(shared)
	if !reflect.DeepEqual(got.Spec, shared.Spec) || got.Name != "default" || got.Generation != 3 || got.Labels["team"] != "support" {
		t.Fatalf("the copy lost spec or metadata: %+v", got)
	}
	if got.ManagedFields != nil || !reflect.DeepEqual(got.Status, supportv1alpha1.SLAPolicyStatus{}) {
		t.Errorf("the copy kept what grows with the queues: managedFields %v, status %+v", got.ManagedFields, got.Status)
	}

	got.Labels["team"] = "changed"
	got.Spec.Targets[0].Priority = "changed"
	got.Spec.Targets = append(got.Spec.Targets, supportv1alpha1.SLATarget{Channel: supportv1alpha1.ChannelEmail})
	if !reflect.DeepEqual(shared, before) {
		t.Errorf("changing the copy changed the cache's object:\n%+v\nwas\n%+v", shared, before)
	}
}
