package admission

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
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

// TestSimulatorRejectsWhatTheAPIServerRejects: the five commonest mistakes,
// each rejected by `simulate` (internal/defaults) with the message the
// apiserver gives for the same file.
func TestSimulatorRejectsWhatTheAPIServerRejects(t *testing.T) {
	ns := newNamespace(t)
	for _, tc := range []struct {
		name, base string
		edit       func(map[string]any)
		message    string // in both errors
	}{
		{"minReplicas above maxReplicas", baseQueue, set("spec.agents.minReplicas", 20), "agents.minReplicas must be less than or equal to agents.maxReplicas"},
		{"an unknown channel", baseQueue, set("spec.channel", "whatsapp"), `Unsupported value: "whatsapp"`},
		{"a duration without a unit", baseQueue, set("spec.metrics.pollInterval", "15"), "spec.metrics.pollInterval"},
		{"a chat target without a service level", basePolicy, del("spec.targets.0.serviceLevel"), "serviceLevel is required for chat and phone targets"},
		{"a surge mode that is not one", basePlan, set("spec.mode", "Maybe"), `Unsupported value: "Maybe"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obj := parse(t, tc.base)
			tc.edit(obj.Object)
			obj.SetNamespace(ns)
			apiErr := env.Client.Create(context.Background(), obj, client.DryRunAll)
			if apiErr == nil || !strings.Contains(apiErr.Error(), tc.message) {
				t.Fatalf("apiserver: %v, want %q", apiErr, tc.message)
			}
			doc, err := yaml.Marshal(obj.Object)
			if err != nil {
				t.Fatal(err)
			}
			var into any
			switch obj.GetKind() {
			case "SupportQueue":
				into = &supportv1alpha1.SupportQueue{}
			case "SLAPolicy":
				into = &supportv1alpha1.SLAPolicy{}
			default:
				into = &supportv1alpha1.SurgePlan{}
			}
			simErr := defaults.Decode(doc, obj.GetKind(), into)
			if simErr == nil || !strings.Contains(simErr.Error(), tc.message) {
				t.Errorf("simulator: %v\napiserver: %v", simErr, apiErr)
			}
		})
	}
}
