// Package chart tests the Helm chart with the pinned helm binary: lint, and
// rendering under the values users set.
package chart

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/sources"
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

// sourcesValues: metrics sources as a platform team sets them, every
// credential a file of a Secret the chart mounts.
const sourcesValues = `
metricsSources:
  sources:
    - name: thanos
      address: https://thanos-query.monitoring:10902
      tenancy: Shared
      bearerTokenFile: /etc/frontline/secrets/prom-token/token
      tls: {caFile: /etc/frontline/secrets/prom-token/ca.crt}
      queryTimeout: 15s
      bodyLimit: 16Mi
    - name: mimir
      address: http://mimir-query-frontend.mimir:8080/prometheus
      headers: {X-Scope-OrgID: "0042"}
    - name: default
      address: https://prometheus-k8s.monitoring:9090
      basicAuth: {username: frontline, passwordFile: /etc/frontline/secrets/prom-basic/password}
  allowedAddresses:
    - prefix: http://prometheus.team-a:9090
  secrets: [{name: prom-token}, {name: prom-basic}]
`

const (
	sourcesFlag = "--sources-config=/etc/frontline/config/sources.yaml"
	secretsDir  = "/etc/frontline/secrets/"
)

// TestMetricsSources: the chart's sources file is what the operator's own
// parser reads to the sources set in values, with its credentials in the
// mounted Secrets and never in the rendered objects.
func TestMetricsSources(t *testing.T) {
	set := checkSources(t, sourcesValues)
	if got := strings.Join(set.Names(), ","); got != "default,mimir,thanos" {
		t.Errorf("sources %s", got)
	}
	resolve := func(ref supportv1alpha1.PrometheusSource) sources.Source {
		t.Helper()
		src, err := set.Resolve(ref)
		if err != nil {
			t.Fatalf("%+v: %v", ref, err)
		}
		return src
	}
	th := resolve(supportv1alpha1.PrometheusSource{Source: "thanos"})
	if th.Tenancy != sources.TenancyShared || th.Client.Timeout != 15*time.Second || th.Client.MaxBodyBytes != 16<<20 ||
		!strings.HasSuffix(th.Client.BearerTokenFile, "/prom-token/token") || th.Client.TLS == nil {
		t.Errorf("thanos %+v", th)
	}
	// Quoted in values, the header stays a string.
	if m := resolve(supportv1alpha1.PrometheusSource{Source: "mimir"}); m.Tenancy != sources.TenancyTenant || m.Client.Headers["X-Scope-OrgID"] != "0042" {
		t.Errorf("mimir %+v", m)
	}
	if d := resolve(supportv1alpha1.PrometheusSource{}); d.Address != "https://prometheus-k8s.monitoring:9090" || d.Client.BasicAuth == nil {
		t.Errorf("the source named default does not replace prometheusAddress: %+v", d)
	}
	resolve(supportv1alpha1.PrometheusSource{Address: "http://prometheus.team-a:9090/api"})
	if _, err := set.Resolve(supportv1alpha1.PrometheusSource{Address: "http://prometheus.team-b:9090"}); err == nil {
		t.Error("an address outside allowedAddresses is admitted")
	}

	// Every value at once (all-values.yaml) is read as well.
	checkSources(t, readFile(t, "test/chart/all-values.yaml"))

	// A credential file in a Secret the chart does not mount fails the
	// install, not the operator's start.
	_, err := renderValues(t, sourcesValues, "metricsSources.secrets[1].name=prom-other")
	if err == nil || !strings.Contains(err.Error(), "basicAuth.passwordFile") || !strings.Contains(err.Error(), "{name: prom-basic}") {
		t.Errorf("a file in an unmounted Secret: %v", err)
	}
}

// TestMetricsSourcesOffByDefault: without sources, the manager runs as
// before: no ConfigMap, flag or mount.
func TestMetricsSourcesOffByDefault(t *testing.T) {
	objs := render(t)
	for _, cm := range byKind(objs, "ConfigMap") {
		if cm.GetName() == "frontline-sources" {
			t.Error("sources ConfigMap rendered by default")
		}
	}
	d := &appsv1.Deployment{}
	into(t, manager(t, objs), d)
	pod := d.Spec.Template.Spec
	if args := strings.Join(pod.Containers[0].Args, " "); strings.Contains(args, "--sources-config") {
		t.Errorf("args %s", args)
	}
	if len(pod.Volumes) != 0 || len(pod.Containers[0].VolumeMounts) != 0 {
		t.Errorf("volumes %v, mounts %v", pod.Volumes, pod.Containers[0].VolumeMounts)
	}
}

// TestMetricsSourcesSchema: the schema refuses, at install, what the
// operator would refuse at start, naming the value.
func TestMetricsSourcesSchema(t *testing.T) {
	const src = "metricsSources.sources[0].name=x,metricsSources.sources[0].address=http://x:9090,metricsSources.sources[0]."
	for _, tc := range []struct{ set, at string }{
		{"metricsSources.typo=1", "/metricsSources"},
		{src + "tenancy=Private", "/metricsSources/sources/0/tenancy"},
		{src + "bearerToken=abc", "/metricsSources/sources/0"},
		{src + "bearerTokenFile=token", "/metricsSources/sources/0/bearerTokenFile"},
		{src + "tls.caFil=/ca.crt", "/metricsSources/sources/0/tls"},
		{src + "headers.X-Org=1", "/metricsSources/sources/0/headers/X-Org"},
		{"metricsSources.sources[0].name=x,metricsSources.sources[0].address=http://user:pw@x:9090", "/metricsSources/sources/0/address"},
		{"metricsSources.allowedAddresses[0].prefix=http://a:9090,metricsSources.allowedAddresses[0].regex=.*", "/metricsSources/allowedAddresses/0"},
		{"metricsSources.secrets[0].name=Prom_Token", "/metricsSources/secrets/0/name"},
		{"metricsSources.secrets[0].secretName=prom", "/metricsSources/secrets/0"},
	} {
		_, err := helm(t, "template", "frontline", "charts/frontline", "--set", tc.set)
		if err == nil || !strings.Contains(err.Error(), "at '"+tc.at+"'") {
			t.Errorf("--set %s: %v, want a schema error at %s", tc.set, err, tc.at)
		}
	}
}

// checkSources renders the chart with values (YAML text) that set
// metricsSources and checks what the manager gets: the flag, the
// ConfigMap and each Secret mounted read-only as directories, and a
// sources.yaml equal to the values that the operator's parser accepts
// with the Secrets' files in place. It returns the parsed set.
func checkSources(t *testing.T, values string) *sources.Set {
	t.Helper()
	objs, err := renderValues(t, values)
	if err != nil {
		t.Fatal(err)
	}
	var in struct {
		MetricsSources struct {
			Secrets []struct {
				Name string `json:"name"`
			} `json:"secrets"`
		} `json:"metricsSources"`
		// The values' own mounts (a CA bundle), beside the chart's.
		VolumeMounts []corev1.VolumeMount `json:"volumeMounts"`
	}
	if err := yaml.Unmarshal([]byte(values), &in); err != nil {
		t.Fatal(err)
	}

	// The Deployment: the flag, and the mounts.
	d := &appsv1.Deployment{}
	into(t, manager(t, objs), d)
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	if !slices.Contains(c.Args, sourcesFlag) {
		t.Errorf("args %v lack %s", c.Args, sourcesFlag)
	}
	for k := range d.Spec.Template.Annotations {
		if strings.HasPrefix(k, "checksum/") {
			t.Errorf("annotation %s restarts the manager, which re-reads the file itself", k)
		}
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	mounted := map[string]corev1.VolumeSource{}
	for _, m := range c.VolumeMounts {
		if slices.ContainsFunc(in.VolumeMounts, func(v corev1.VolumeMount) bool { return v.Name == m.Name }) {
			continue
		}
		if !m.ReadOnly || m.SubPath != "" {
			t.Errorf("mount %+v: want read-only, without subPath (the kubelet does not update those)", m)
		}
		mounted[m.MountPath] = volumes[m.Name].VolumeSource
	}
	if cm := mounted["/etc/frontline/config"].ConfigMap; cm == nil || cm.Name != "frontline-sources" {
		t.Errorf("sources ConfigMap mounted as %+v", mounted["/etc/frontline/config"])
	}
	for _, s := range in.MetricsSources.Secrets {
		if v := mounted[secretsDir+s.Name].Secret; v == nil || v.SecretName != s.Name {
			t.Errorf("Secret %s mounted as %+v", s.Name, mounted[secretsDir+s.Name])
		}
	}
	if len(mounted) != 1+len(in.MetricsSources.Secrets) {
		t.Errorf("mounts %v", c.VolumeMounts)
	}

	// The ConfigMap holds exactly the values' sources and allow-list.
	var raw string
	for _, cm := range byKind(objs, "ConfigMap") {
		if cm.GetName() == "frontline-sources" {
			raw, _, _ = unstructured.NestedString(cm.Object, "data", "sources.yaml")
		}
	}
	if raw == "" {
		t.Fatal("no sources.yaml in ConfigMap frontline-sources")
	}
	var got, want sources.File
	if err := yaml.UnmarshalStrict([]byte(raw), &got); err != nil {
		t.Fatalf("sources.yaml: %v\n%s", err, raw)
	}
	var all struct {
		MetricsSources map[string]any `json:"metricsSources"`
	}
	if err := yaml.Unmarshal([]byte(values), &all); err != nil {
		t.Fatal(err)
	}
	ms := all.MetricsSources
	delete(ms, "secrets")
	js, err := json.Marshal(ms)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(js, &want); err != nil {
		t.Fatalf("metricsSources in values: %v", err)
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Errorf("sources.yaml reads\n%s\nwant\n%s", g, w)
	}

	// The operator reads it, with each credential file where its Secret is
	// mounted: here, a directory per Secret under a temporary one.
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	var secretValues []string
	put := func(path, content string) {
		t.Helper()
		rest, ok := strings.CutPrefix(path, secretsDir)
		if secret, _, _ := strings.Cut(rest, "/"); !ok || mounted[secretsDir+secret].Secret == nil {
			t.Fatalf("%s is in no mounted Secret", path)
		}
		p := filepath.Join(dir, rest)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range got.Sources {
		if s.BearerTokenFile != "" {
			secretValues = append(secretValues, "token-of-"+s.Name)
			put(s.BearerTokenFile, secretValues[len(secretValues)-1])
		}
		if s.BasicAuth != nil {
			secretValues = append(secretValues, "password-of-"+s.Name)
			put(s.BasicAuth.PasswordFile, secretValues[len(secretValues)-1])
		}
		if s.TLS != nil {
			for _, f := range []string{s.TLS.CAFile, s.TLS.CertFile} {
				if f != "" {
					put(f, certPEM)
				}
			}
			if s.TLS.KeyFile != "" {
				put(s.TLS.KeyFile, keyPEM)
			}
		}
	}
	set, err := sources.Build([]byte(strings.ReplaceAll(raw, secretsDir, dir+"/")), "http://prometheus.monitoring:9090")
	if err != nil {
		t.Fatalf("the operator refuses the chart's sources.yaml: %v\n%s", err, raw)
	}

	// No credential is rendered: no Secret, no value of a Secret's file.
	if n := len(byKind(objs, "Secret")); n != 0 {
		t.Errorf("the chart renders %d Secrets", n)
	}
	var out strings.Builder
	for _, o := range objs {
		b, _ := yaml.Marshal(o.Object)
		out.Write(b)
	}
	for _, v := range append(secretValues, strings.TrimSpace(keyPEM)) {
		if strings.Contains(out.String(), v) {
			t.Errorf("the rendered chart holds a credential: %q", v)
		}
	}
	return set
}

// manager is the operator's Deployment (the ingest has its own).
func manager(t *testing.T, objs []*unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	for _, d := range byKind(objs, "Deployment") {
		if d.GetName() == "frontline" {
			return d
		}
	}
	t.Fatal("no Deployment frontline")
	return nil
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readFile(t *testing.T, rel string) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// selfSigned is a CA certificate and its key, PEM: the sources' caFile,
// and their client certificate too.
func selfSigned(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "frontline-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
}
