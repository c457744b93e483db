package admission

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/defaults"
	"github.com/frontline-dev/frontline/test/testenv"
)

// TestSimulatorDefaultsMatchTheAPIServer: what `simulate` makes of a file
// (internal/defaults, from the embedded CRDs) is what the apiserver stores
// for the same file — for every sample and for the cases that drifted when
// the simulator copied the defaults by hand: an explicit zero that has a
// non-zero default, an inflowSpike without minInflowPerHour, a plan without
// historyLimit.
func TestSimulatorDefaultsMatchTheAPIServer(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{
		"queue with an explicit minReplicas 0 and defaults elsewhere": `
apiVersion: support.frontline.dev/v1alpha1
kind: SupportQueue
metadata: {name: zero-min}
spec:
  channel: email
  slaPolicyRef: {name: retail}
  agents: {template: {image: agent:1}, minReplicas: 0, maxReplicas: 10}
  chatbot: {template: {image: bot:1}, minReplicas: 0, maxReplicas: 5}
`,
		"plan with an inflowSpike and nothing else set": `
apiVersion: support.frontline.dev/v1alpha1
kind: SurgePlan
metadata: {name: spike-only}
spec:
  queueSelector: {matchLabels: {desk: retail}}
  triggers: {inflowSpike: {ratio: "3"}, backlog: {above: 100}}
  actions: {agents: {extraReplicas: 5}}
`,
	}
	files, _ := filepath.Glob(filepath.Join(root, "config", "samples", "support_v1alpha1_s*.yaml"))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(f)] = string(raw)
	}
	if len(docs) < 8 {
		t.Fatalf("%d documents, want the 6 samples and 2 edge cases", len(docs))
	}
	ns := newNamespace(t)
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
				t.Fatal(err)
			}
			u.SetNamespace(ns)
			if err := env.Client.Create(context.Background(), u); err != nil {
				t.Fatal(err)
			}
			var stored, simulated any
			switch u.GetKind() {
			case "SupportQueue":
				stored, simulated = &supportv1alpha1.SupportQueue{}, &supportv1alpha1.SupportQueue{}
			case "SLAPolicy":
				stored, simulated = &supportv1alpha1.SLAPolicy{}, &supportv1alpha1.SLAPolicy{}
			case "SurgePlan":
				stored, simulated = &supportv1alpha1.SurgePlan{}, &supportv1alpha1.SurgePlan{}
			default:
				t.Fatalf("kind %q", u.GetKind())
			}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, stored); err != nil {
				t.Fatal(err)
			}
			if err := defaults.Decode([]byte(doc), u.GetKind(), simulated); err != nil {
				t.Fatal(err)
			}
			if !equality.Semantic.DeepEqual(spec(stored), spec(simulated)) {
				a, _ := yaml.Marshal(spec(stored))
				b, _ := yaml.Marshal(spec(simulated))
				t.Errorf("the apiserver stored\n%s\nthe simulator reads\n%s", a, b)
			}
		})
	}
}

func spec(o any) any {
	switch v := o.(type) {
	case *supportv1alpha1.SupportQueue:
		return v.Spec
	case *supportv1alpha1.SLAPolicy:
		return v.Spec
	case *supportv1alpha1.SurgePlan:
		return v.Spec
	}
	return nil
}
