// Package chart tests the Helm chart with the pinned helm binary: lint, and
// rendering under the values users set.
package chart

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/test/testenv"
)

// HelmVersion is the pinned helm the Makefile installs into bin/.
const HelmVersion = "v3.22.0"

func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "bin", "helm-"+HelmVersion)
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s not found: run `make test` (it installs the pinned helm)", bin)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("helm %v: %v\n%s", args, err, errOut.String())
	}
	return out.String(), nil
}

func render(t *testing.T, sets ...string) []*unstructured.Unstructured {
	t.Helper()
	args := []string{"template", "frontline", "charts/frontline", "--namespace", "frontline-system"}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	out, err := helm(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	var objs []*unstructured.Unstructured
	for _, doc := range strings.Split(out, "\n---") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatalf("rendered YAML: %v\n%s", err, doc)
		}
		if len(u.Object) > 0 {
			objs = append(objs, u)
		}
	}
	return objs
}

func byKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func TestLint(t *testing.T) {
	if out, err := helm(t, "lint", "--strict", "charts/frontline"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// Every value at once (test/chart/all-values.yaml); a real apiserver
	// admits what it renders in test/admission.
	if out, err := helm(t, "lint", "--strict", "charts/frontline", "-f", "test/chart/all-values.yaml"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// all-values.yaml leaves the ingest's ServiceMonitor off (see there).
	if out, err := helm(t, "lint", "--strict", "charts/frontline", "-f", "test/chart/all-values.yaml", "--set", "ingest.serviceMonitor.enabled=true"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestDefaults(t *testing.T) {
	objs := render(t)
	crds := byKind(objs, "CustomResourceDefinition")
	if len(crds) != 3 {
		t.Fatalf("%d CRDs, want 3", len(crds))
	}
	for _, c := range crds {
		if c.GetAnnotations()["helm.sh/resource-policy"] != "keep" {
			t.Errorf("CRD %s not kept on uninstall", c.GetName())
		}
	}
	deps := byKind(objs, "Deployment")
	if len(deps) != 1 {
		t.Fatalf("%d Deployments", len(deps))
	}
	d := &appsv1.Deployment{}
	raw, _ := yaml.Marshal(deps[0].Object)
	if err := yaml.Unmarshal(raw, d); err != nil {
		t.Fatal(err)
	}
	pod := d.Spec.Template.Spec
	if pod.SecurityContext == nil || pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot {
		t.Error("pod does not run as non-root")
	}
	c := pod.Containers[0]
	if c.SecurityContext == nil || *c.SecurityContext.AllowPrivilegeEscalation || !*c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.Capabilities.Drop[0] != "ALL" {
		t.Errorf("container security context not restricted: %+v", c.SecurityContext)
	}
	args := strings.Join(c.Args, " ")
	for _, want := range []string{"--leader-elect", "--leader-election-namespace=frontline-system", "--metrics-bind-address=:8443"} {
		if !strings.Contains(args, want) {
			t.Errorf("args %q lack %s", args, want)
		}
	}
	if c.LivenessProbe == nil || c.ReadinessProbe == nil || c.Resources.Requests.Cpu().IsZero() {
		t.Error("probes or resources missing")
	}
	// The ClusterRole is generated from the reconcilers' RBAC markers.
	var manager *unstructured.Unstructured
	for _, r := range byKind(objs, "ClusterRole") {
		if strings.HasSuffix(r.GetName(), "-manager") {
			manager = r
		}
	}
	if manager == nil {
		t.Fatal("no manager ClusterRole")
	}
	rules, _, _ := unstructured.NestedSlice(manager.Object, "rules")
	if text := fmt.Sprint(rules); strings.Contains(text, "secrets") || strings.Contains(text, "*") {
		t.Errorf("manager role grants too much: %s", text)
	}
	if len(byKind(objs, "ServiceMonitor")) != 0 || len(byKind(objs, "PrometheusRule")) != 0 {
		t.Error("optional monitoring objects rendered by default")
	}
}

func TestOptions(t *testing.T) {
	objs := render(t, "crds.enabled=false", "replicaCount=2", "metrics.serviceMonitor.enabled=true",
		"prometheusRule.enabled=true", "grafanaDashboard.enabled=true", "watchNamespaces={exchange,vip}")
	if n := len(byKind(objs, "CustomResourceDefinition")); n != 0 {
		t.Errorf("%d CRDs with crds.enabled=false", n)
	}
	d := byKind(objs, "Deployment")[0]
	if r, _, _ := unstructured.NestedFieldNoCopy(d.Object, "spec", "replicas"); fmt.Sprint(r) != "2" {
		t.Errorf("replicas %v", r)
	}
	if !strings.Contains(fmt.Sprint(d.Object), "--watch-namespaces=exchange,vip") {
		t.Error("watch namespaces not passed")
	}
	rules := byKind(objs, "PrometheusRule")
	if len(rules) != 1 || !strings.Contains(fmt.Sprint(rules[0].Object), "FrontlineSLAAtRisk") {
		t.Error("PrometheusRule missing its alerts")
	}
	if len(byKind(objs, "ServiceMonitor")) != 1 {
		t.Error("ServiceMonitor missing")
	}
	if cms := byKind(objs, "ConfigMap"); len(cms) != 1 || !strings.Contains(fmt.Sprint(cms[0].Object), "Inflow vs agent capacity") {
		t.Error("dashboard ConfigMap missing")
	}
	objs = render(t, "crds.keep=false")
	if byKind(objs, "CustomResourceDefinition")[0].GetAnnotations()["helm.sh/resource-policy"] == "keep" {
		t.Error("crds.keep=false still keeps CRDs")
	}
}

// TestPlatformValues: the values a platform team sets, as the KEDA and
// Argo Rollouts charts take them.
func TestPlatformValues(t *testing.T) {
	digest := "sha256:" + strings.Repeat("a", 64)
	objs := render(t, "global.imageRegistry=mirror.example.com", "image.registry=ignored.example.com", "image.digest="+digest,
		"imagePullSecrets[0].name=regcred", "serviceAccount.name=frontline-sa", "serviceAccount.annotations.iam\\.example\\.com/role=frontline",
		"extraArgs={--zap-log-level=debug}", "env[0].name=GOMEMLIMIT", "env[0].value=200MiB", "podDisruptionBudget.enabled=true",
		"priorityClassName=system-cluster-critical", "nodeSelector.pool=ops", "metrics.serviceMonitor.enabled=true")
	d := &appsv1.Deployment{}
	raw, _ := yaml.Marshal(byKind(objs, "Deployment")[0].Object)
	if err := yaml.Unmarshal(raw, d); err != nil {
		t.Fatal(err)
	}
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if c.Image != "mirror.example.com/frontline-dev/frontline@"+digest {
		t.Errorf("image %q", c.Image)
	}
	if len(pod.ImagePullSecrets) != 1 || pod.ImagePullSecrets[0].Name != "regcred" || pod.ServiceAccountName != "frontline-sa" ||
		pod.PriorityClassName != "system-cluster-critical" || pod.NodeSelector["pool"] != "ops" {
		t.Errorf("pod spec %+v", pod)
	}
	if !strings.Contains(strings.Join(c.Args, " "), "--zap-log-level=debug") || len(c.Env) != 1 || c.Env[0].Value != "200MiB" {
		t.Errorf("args %v env %v", c.Args, c.Env)
	}
	sas := byKind(objs, "ServiceAccount")
	if len(sas) != 1 || sas[0].GetName() != "frontline-sa" || sas[0].GetAnnotations()["iam.example.com/role"] != "frontline" {
		t.Errorf("service accounts %v", sas)
	}
	for _, b := range append(byKind(objs, "ClusterRoleBinding"), byKind(objs, "RoleBinding")...) {
		if subjects := fmt.Sprint(b.Object["subjects"]); !strings.Contains(subjects, "frontline-sa") {
			t.Errorf("%s %s binds %s", b.GetKind(), b.GetName(), subjects)
		}
	}
	if len(byKind(objs, "PodDisruptionBudget")) != 1 {
		t.Error("no PodDisruptionBudget")
	}
	sm := byKind(objs, "ServiceMonitor")[0]
	if eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints"); fmt.Sprint(eps[0].(map[string]any)["honorLabels"]) != "true" {
		t.Errorf("ServiceMonitor endpoints %v: the queues' namespace label would be renamed", eps)
	}
	oncall := 0
	for _, r := range byKind(objs, "ClusterRole") {
		if r.GetName() == "frontline-oncall" {
			oncall++
		}
	}
	if oncall != 1 {
		t.Error("no frontline-oncall ClusterRole (the name docs/runbook.md gives)")
	}
	// NOTES.txt is checked by the end-to-end helm install (helm renders it
	// only against a cluster).

	// An existing ServiceAccount; image by tag from the chart's registry.
	objs = render(t, "serviceAccount.create=false", "serviceAccount.name=existing", "image.registry=r.example.com", "image.tag=1.2.3", "rbac.oncall.create=false")
	if n := len(byKind(objs, "ServiceAccount")); n != 0 {
		t.Errorf("%d ServiceAccounts with serviceAccount.create=false", n)
	}
	if img := fmt.Sprint(byKind(objs, "Deployment")[0].Object["spec"]); !strings.Contains(img, "r.example.com/frontline-dev/frontline:1.2.3") {
		t.Error("image.registry and tag not used")
	}
	for _, r := range byKind(objs, "ClusterRole") {
		if r.GetName() == "frontline-oncall" {
			t.Error("rbac.oncall.create=false still renders the on-call role")
		}
	}
}

// TestWatchNamespacesNarrowsRBAC: with watchNamespaces the manager gets a
// Role in each and no cluster-wide grant on workloads.
func TestWatchNamespacesNarrowsRBAC(t *testing.T) {
	objs := render(t, "watchNamespaces={support-eu,support-asia}")
	roles := byKind(objs, "Role")
	found := map[string]bool{}
	for _, r := range roles {
		if strings.HasSuffix(r.GetName(), "-manager") {
			found[r.GetNamespace()] = true
			if !strings.Contains(fmt.Sprint(r.Object["rules"]), "deployments") {
				t.Errorf("Role in %s lacks the manager's rules", r.GetNamespace())
			}
		}
	}
	if !found["support-eu"] || !found["support-asia"] || len(found) != 2 {
		t.Errorf("manager Roles in %v, want support-eu and support-asia", found)
	}
	for _, r := range byKind(objs, "ClusterRole") {
		if text := fmt.Sprint(r.Object["rules"]); strings.Contains(text, "deployments") || strings.Contains(text, "configmaps") {
			t.Errorf("ClusterRole %s still grants workloads cluster-wide: %s", r.GetName(), text)
		}
	}
	bindings := 0
	for _, b := range byKind(objs, "RoleBinding") {
		if strings.HasSuffix(b.GetName(), "-manager") {
			bindings++
		}
	}
	if bindings != 2 {
		t.Errorf("%d manager RoleBindings, want 2", bindings)
	}
}

func TestSchemaRejectsBadValues(t *testing.T) {
	for _, set := range []string{"replicaCount=0", "image.pullPolicy=Sometimes", "prometheusAddress=prometheus:9090", "typo=1",
		"image.digest=latest", "extraArgs={zap-log-level=debug}", "serviceAccount.typo=x",
		// The ingest's values are as strict.
		"ingest.typo=1", "ingest.enabled=yes", "ingest.replicaCount=0", "ingest.image.digest=latest", "ingest.existingSecret=Not_A_Name",
		"ingest.serviceMonitor.honorLabels=false", "ingest.serviceMonitor.interval=30", "ingest.networkPolicy.webhookCidrs={10.0.0.0/8}",
		"ingest.networkPolicy.webhookCIDRs={10.0.0.0}", "ingest.config.typo=1", "ingest.config.dedupe.window=1m",
		"ingest.config.sources[0].name=zd,ingest.config.sources[0].vendor=zendsk",
		"ingest.config.sources[0].name=zd,ingest.config.sources[0].vendor=zendesk,ingest.config.sources[0].secretFile=/etc/passwd",
		"ingest.config.sources[0].name=Zendesk_EU,ingest.config.sources[0].vendor=zendesk",
		"ingest.config.rules[0].target.namespace=support", "ingest.config.rules[0].target.namespace=support,ingest.config.rules[0].target.queue=VIP",
		"ingest.config.rules[0].match.chanel={chat}", "ingest.config.backlog.mode=absolute", "ingest.config.tolerance=soon"} {
		if _, err := helm(t, "template", "frontline", "charts/frontline", "--set", set); err == nil {
			t.Errorf("--set %s accepted", set)
		}
	}
}
