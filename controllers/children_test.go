package controllers

import (
	"encoding/json"
	"reflect"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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

// TestPodTemplateCarriesTheWholeWorkloadTemplate: every field of a
// workload template, set, reaches the Deployment's pod template as written.
// The template below sets every field the API has (checked), so a field
// added to the API fails here until it is carried.
func TestPodTemplateCarriesTheWholeWorkloadTemplate(t *testing.T) {
	secs := int64(30)
	tmpl := supportv1alpha1.WorkloadTemplate{
		Image: "agent:2", ImagePullPolicy: corev1.PullAlways, Command: []string{"/agent"}, Args: []string{"--serve"},
		Env: []corev1.EnvVar{{Name: "A", Value: "1"}, {Name: "CPU", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.cpu"}}}},
		Resources: &corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
			Claims:   []corev1.ResourceClaim{{Name: "gpu", Request: "one"}},
		},
		PodLabels:      map[string]string{"team": "support"},
		PodAnnotations: map[string]string{"prometheus.io/scrape": "true"},
		NodeSelector:   map[string]string{"pool": "support"},
		Tolerations: []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "support", Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &secs},
			{Operator: corev1.TolerationOpExists}},
		ServiceAccountName: "agents",
		PriorityClassName:  "support-critical",
	}
	v := reflect.ValueOf(tmpl)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("the test's template leaves %s unset: set it, and check it below", v.Type().Field(i).Name)
		}
	}
	q := &supportv1alpha1.SupportQueue{ObjectMeta: metav1.ObjectMeta{Name: "retail", Namespace: "n", UID: "u"}}
	raw, err := json.Marshal(deployment(q, RoleAgents, tmpl, 3))
	if err != nil {
		t.Fatal(err)
	}
	var d appsv1.Deployment
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	pod := d.Spec.Template
	c := pod.Spec.Containers[0]
	for _, check := range []struct {
		field    string
		got, set any
	}{
		{"image", c.Image, tmpl.Image},
		{"imagePullPolicy", c.ImagePullPolicy, tmpl.ImagePullPolicy},
		{"command", c.Command, tmpl.Command},
		{"args", c.Args, tmpl.Args},
		{"env", c.Env[len(c.Env)-len(tmpl.Env):], tmpl.Env},
		{"resources", c.Resources, *tmpl.Resources},
		{"podLabels", pod.Labels["team"], tmpl.PodLabels["team"]},
		{"podAnnotations", pod.Annotations, tmpl.PodAnnotations},
		{"nodeSelector", pod.Spec.NodeSelector, tmpl.NodeSelector},
		{"tolerations", pod.Spec.Tolerations, tmpl.Tolerations},
		{"serviceAccountName", pod.Spec.ServiceAccountName, tmpl.ServiceAccountName},
		{"priorityClassName", pod.Spec.PriorityClassName, tmpl.PriorityClassName},
	} {
		if !equality.Semantic.DeepEqual(check.got, check.set) {
			t.Errorf("%s: pod template has %+v, the queue set %+v", check.field, check.got, check.set)
		}
	}
}
