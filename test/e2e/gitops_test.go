//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/test/testenv"
)

// gitPlan is a SurgePlan as kept in Git: its normal mode is written out
// (Auto), as the sample does; its one trigger reads a quiet 0. Short
// cooldowns so the test can watch it follow Git again.
func gitPlan(t *testing.T, extraAgents int) string {
	t.Helper()
	manifest := fmt.Sprintf(`apiVersion: support.frontline.dev/v1alpha1
kind: SurgePlan
metadata: {name: gitops-drill, namespace: %s}
spec:
  mode: Auto
  queueSelector: {matchLabels: {desk: gitops-drill}}
  triggers: {external: [{name: drill, query: "vector(0)", above: "1"}]}
  actions: {agents: {extraReplicas: %d}}
  cooldown: {minActive: 10s, quietFor: 5s, coolingDownFor: 5s}
`, ns, extraAgents)
	path := filepath.Join(t.TempDir(), "plan.yaml")
	if err := os.WriteFile(path, []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func drillPlan(t *testing.T) *supportv1alpha1.SurgePlan {
	t.Helper()
	p := &supportv1alpha1.SurgePlan{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "gitops-drill"}, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func waitDrill(t *testing.T, phase supportv1alpha1.SurgePhase, timeout time.Duration) *supportv1alpha1.SurgePlan {
	t.Helper()
	var p *supportv1alpha1.SurgePlan
	eventually(t, timeout, func() error {
		if p = drillPlan(t); p.Status.Phase != phase {
			return fmt.Errorf("plan %s (%s: %s), want %s", p.Status.Phase, p.Status.Reason, p.Status.Message, phase)
		}
		return nil
	})
	return p
}

// TestGitOpsSyncKeepsOverride: on-call forces a surge on a plan whose
// Git YAML sets mode Auto; the same YAML is then applied by another field
// manager with server-side apply and --force-conflicts (as Argo CD does)
// and with client-side kubectl apply carrying a change from Git. Both
// applies succeed, the change takes effect, the plan stays Active until
// the override expires, then follows Git; off and auto work the same way.
func TestGitOpsSyncKeepsOverride(t *testing.T) {
	argoSync := func(extra int) error {
		return kubectl("apply", "--server-side", "--field-manager", "argocd-controller", "--force-conflicts", "-f", gitPlan(t, extra))
	}
	if err := argoSync(2); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = k8s.Delete(ctx, &supportv1alpha1.SurgePlan{ObjectMeta: drillPlan(t).ObjectMeta}) }()
	waitDrill(t, supportv1alpha1.SurgePhaseArmed, 30*time.Second)

	plugin := func(args ...string) string { t.Helper(); return testenv.Plugin(t, kubeconfig, ns, args...) }
	plugin("surge", "on", "gitops-drill", "--for", "60s", "--reason", "gitops drill")
	onAt := time.Now()
	waitDrill(t, supportv1alpha1.SurgePhaseActive, 30*time.Second)

	// Git syncs mid-incident: both kinds of apply succeed.
	if err := argoSync(2); err != nil {
		t.Fatalf("server-side apply during the override: %v", err)
	}
	if err := kubectl("apply", "-f", gitPlan(t, 3)); err != nil {
		t.Fatalf("client-side apply during the override: %v", err)
	}
	// The plan stays Active; the change from Git takes effect.
	for end := time.Now().Add(15 * time.Second); time.Now().Before(end); time.Sleep(time.Second) {
		p := drillPlan(t)
		if p.Status.Phase != supportv1alpha1.SurgePhaseActive || p.Annotations[supportv1alpha1.AnnotationSurgeOverride] != "Always" {
			t.Fatalf("after the syncs: phase %s, override %q", p.Status.Phase, p.Annotations[supportv1alpha1.AnnotationSurgeOverride])
		}
	}
	eventually(t, 15*time.Second, func() error {
		p := drillPlan(t)
		if p.Spec.Actions.Agents == nil || p.Spec.Actions.Agents.ExtraReplicas != 3 || p.Status.ObservedGeneration != p.Generation {
			return fmt.Errorf("Git's change not in effect: spec %+v, observed %d of %d", p.Spec.Actions.Agents, p.Status.ObservedGeneration, p.Generation)
		}
		return nil
	})

	// The override expires: the plan follows Git (Auto, quiet) and cools
	// down; status and an Event say the override ended.
	p := waitDrill(t, supportv1alpha1.SurgePhaseCoolingDown, 2*time.Minute)
	if held := time.Since(onAt); held < 55*time.Second {
		t.Errorf("left Active %v after surge on --for 60s", held.Round(time.Second))
	}
	if m := p.Status.Manual; m == nil || !m.Expired || m.By == "" || m.Reason != "gitops drill" {
		t.Errorf("status.manual %+v, want the expired override with who and why", m)
	}
	if !drillEvent(t, "ManualExpired") {
		t.Error("no Event for the override's end")
	}

	// Off holds through a sync the same way; auto hands back to Git.
	plugin("surge", "off", "gitops-drill", "--reason", "drill")
	waitDrill(t, supportv1alpha1.SurgePhaseDisabled, 30*time.Second)
	if err := argoSync(3); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * time.Second)
	if p := drillPlan(t); p.Status.Phase != supportv1alpha1.SurgePhaseDisabled {
		t.Errorf("a sync ended surge off: phase %s", p.Status.Phase)
	}
	out := plugin("surge", "auto", "gitops-drill")
	if !strings.Contains(out, "-> spec.mode Auto") {
		t.Errorf("surge auto printed %q", out)
	}
	waitDrill(t, supportv1alpha1.SurgePhaseArmed, 30*time.Second)
}

func drillEvent(t *testing.T, reason string) bool {
	t.Helper()
	var list corev1.EventList
	if err := k8s.List(ctx, &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, e := range list.Items {
		if e.InvolvedObject.Name == "gitops-drill" && e.Reason == reason {
			return true
		}
	}
	return false
}
