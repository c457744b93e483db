package controllers

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
)

// Every source of a user's variable reaches the workload: the copy is the
// API's own JSON, so a source added to the API is not dropped (as
// resourceFieldRef and fileKeyRef were by a field-by-field copy).
func TestQueueEnvKeepsEverySource(t *testing.T) {
	user := []corev1.EnvVar{
		{Name: "PLAIN", Value: "x"},
		{Name: "EMPTY"},
		{Name: "SECRET", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}},
		{Name: "CPU", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "agents", Resource: "limits.cpu", Divisor: resource.MustParse("1m")}}},
		{Name: "FILE", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{VolumeName: "cfg", Path: "env", Key: "TOKEN"}}},
	}
	q := &supportv1alpha1.SupportQueue{}
	got := queueEnv(q, user)[5:]
	if len(got) != len(user) {
		t.Fatalf("%d variables, want %d", len(got), len(user))
	}
	for i, e := range user {
		ac := got[i]
		if *ac.Name != e.Name || (e.Value == "") != (ac.Value == nil) {
			t.Errorf("%s: name or value differ: %+v", e.Name, ac)
		}
		if e.ValueFrom == nil {
			continue
		}
		if ac.ValueFrom == nil {
			t.Fatalf("%s: valueFrom dropped", e.Name)
		}
		switch {
		case e.ValueFrom.ResourceFieldRef != nil:
			r := ac.ValueFrom.ResourceFieldRef
			if r == nil || *r.Resource != "limits.cpu" || *r.ContainerName != "agents" || !equality.Semantic.DeepEqual(*r.Divisor, resource.MustParse("1m")) {
				t.Errorf("resourceFieldRef not carried: %+v", r)
			}
		case e.ValueFrom.FileKeyRef != nil:
			r := ac.ValueFrom.FileKeyRef
			if r == nil || *r.VolumeName != "cfg" || *r.Path != "env" || *r.Key != "TOKEN" {
				t.Errorf("fileKeyRef not carried: %+v", r)
			}
		case e.ValueFrom.SecretKeyRef != nil:
			if r := ac.ValueFrom.SecretKeyRef; r == nil || *r.Name != "s" || *r.Key != "k" {
				t.Errorf("secretKeyRef not carried: %+v", r)
			}
		}
	}
}
