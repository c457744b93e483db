package chart

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/frontline-dev/frontline/internal/ingest/config"
	"github.com/frontline-dev/frontline/test/testenv"
)

// ingestValues: what a platform team sets to run the ingest.
const ingestValues = `
ingest:
  enabled: true
  existingSecret: frontline-ingest-webhooks
  config:
    sources:
      - {name: zendesk-eu, vendor: zendesk}
      - {name: chatwoot, vendor: chatwoot, auth: token, secretKey: chatwoot-token}
    rules:
      - name: vip
        match: {tags: [vip]}
        target: {namespace: support, queue: vip-chat}
      - target: {namespace: support, queue: general}
    dedup: {window: 5m, maxEntries: 200000}
    maxBodyBytes: 2097152
`

// renderValues renders the chart with a values file (YAML text) and --set
// pairs; it returns the error instead of failing when wantErr.
func renderValues(t *testing.T, values string, sets ...string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(f, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"template", "frontline", "charts/frontline", "--namespace", "frontline-system", "-f", f}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	out, err := helm(t, args...)
	if err != nil {
		return nil, err
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
	return objs, nil
}

func ingestObjects(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetLabels()["app.kubernetes.io/component"] == "ingest" || strings.Contains(o.GetName(), "ingest") {
			out = append(out, o)
		}
	}
	return out
}

// into converts a rendered object to its typed form.
func into(t *testing.T, u *unstructured.Unstructured, v any) {
	t.Helper()
	raw, err := yaml.Marshal(u.Object)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(raw, v); err != nil {
		t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
	}
}

func one(t *testing.T, objs []*unstructured.Unstructured, kind string) *unstructured.Unstructured {
	t.Helper()
	var found []*unstructured.Unstructured
	for _, o := range ingestObjects(objs) {
		if o.GetKind() == kind {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d ingest %ss, want 1", len(found), kind)
	}
	return found[0]
}

func TestIngestOffByDefault(t *testing.T) {
	objs := render(t, "metrics.serviceMonitor.enabled=true", "podDisruptionBudget.enabled=true")
	if in := ingestObjects(objs); len(in) != 0 {
		t.Errorf("ingest objects rendered by default: %v", names(in))
	}
	if n := len(byKind(objs, "NetworkPolicy")); n != 0 {
		t.Errorf("%d NetworkPolicies by default", n)
	}
	// Its other switches do nothing while it is off.
	objs = render(t, "ingest.serviceMonitor.enabled=true", "ingest.networkPolicy.enabled=true")
	if in := ingestObjects(objs); len(in) != 0 {
		t.Errorf("ingest objects rendered with ingest.enabled=false: %v", names(in))
	}
}

func names(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetKind()+"/"+o.GetName())
	}
	return out
}

func TestIngest(t *testing.T) {
	objs, err := renderValues(t, ingestValues, "ingest.serviceMonitor.enabled=true", "ingest.serviceMonitor.interval=15s",
		"ingest.serviceMonitor.relabelings[0].targetLabel=cluster", "ingest.serviceMonitor.relabelings[0].replacement=eu-1",
		"ingest.networkPolicy.enabled=true", "metrics.serviceMonitor.enabled=true")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, o := range ingestObjects(objs) {
		kinds = append(kinds, o.GetKind())
	}
	sort.Strings(kinds)
	if got := strings.Join(kinds, " "); got != "ConfigMap Deployment NetworkPolicy PodDisruptionBudget Service ServiceAccount ServiceMonitor" {
		t.Errorf("ingest objects %s", got)
	}
	if n := len(byKind(objs, "Secret")); n != 0 {
		t.Errorf("the chart renders %d Secrets; webhook secrets must come from the existing Secret", n)
	}

	d := &appsv1.Deployment{}
	into(t, one(t, objs, "Deployment"), d)
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas %v, want 2", d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	podLabels := labels.Set(d.Spec.Template.Labels)
	sc := pod.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context %+v: want runAsNonRoot and seccomp RuntimeDefault", sc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod mounts a ServiceAccount token; the ingest calls no Kubernetes API")
	}
	sa := &corev1.ServiceAccount{}
	into(t, one(t, objs, "ServiceAccount"), sa)
	if pod.ServiceAccountName != sa.Name || sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
		t.Errorf("pod ServiceAccount %q, chart's %q (automount %v)", pod.ServiceAccountName, sa.Name, sa.AutomountServiceAccountToken)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers", len(pod.Containers))
	}
	c := pod.Containers[0]
	csc := c.SecurityContext
	if csc == nil || csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation || csc.ReadOnlyRootFilesystem == nil ||
		!*csc.ReadOnlyRootFilesystem || csc.Capabilities == nil || fmt.Sprint(csc.Capabilities.Drop) != "[ALL]" {
		t.Errorf("container security context not restricted: %+v", csc)
	}
	if c.Image != "ghcr.io/frontline-dev/frontline-ingest:"+appVersion(t) {
		t.Errorf("image %q", c.Image)
	}
	probe := func(p *corev1.Probe, path string) {
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "webhooks" {
			t.Errorf("probe %+v, want GET %s on the webhooks port", p, path)
		}
	}
	probe(c.LivenessProbe, "/healthz")
	probe(c.ReadinessProbe, "/readyz")
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("resources %+v", c.Resources)
	}
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["webhooks"] != 8080 || ports["metrics"] != 9090 {
		t.Errorf("container ports %v", ports)
	}
	args := strings.Join(c.Args, " ")
	if !strings.Contains(args, "--listen=:8080") || !strings.Contains(args, "--metrics-listen=:9090") {
		t.Errorf("args %q", args)
	}

	// The config file: from the ConfigMap, at the path --config names;
	// each source's secretFile a key of the existing Secret, mounted.
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		if !m.ReadOnly {
			t.Errorf("volume %s mounted writable", m.Name)
		}
		mounts[m.Name] = m.MountPath
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	cm := &corev1.ConfigMap{}
	into(t, one(t, objs, "ConfigMap"), cm)
	var cfgVolume, secretVolume string
	for name, v := range volumes {
		switch {
		case v.ConfigMap != nil && v.ConfigMap.Name == cm.Name:
			cfgVolume = name
		case v.Secret != nil:
			secretVolume = name
			if v.Secret.SecretName != "frontline-ingest-webhooks" {
				t.Errorf("secret volume names %q, want the existing Secret", v.Secret.SecretName)
			}
		}
	}
	if cfgVolume == "" || secretVolume == "" {
		t.Fatalf("volumes %v: want the ConfigMap and the Secret", volumes)
	}
	if !strings.Contains(args, "--config="+mounts[cfgVolume]+"/config.yaml") {
		t.Errorf("--config in %q does not name the mounted ConfigMap (%s)", args, mounts[cfgVolume])
	}
	cfg, err := config.Parse([]byte(cm.Data["config.yaml"]))
	if err != nil {
		t.Fatalf("the ingest refuses the rendered config: %v\n%s", err, cm.Data["config.yaml"])
	}
	want := map[string]string{"zendesk-eu": mounts[secretVolume] + "/zendesk-eu", "chatwoot": mounts[secretVolume] + "/chatwoot-token"}
	for _, s := range cfg.Sources {
		if s.SecretFile != want[s.Name] {
			t.Errorf("source %s reads %q, want %q (the Secret's key, mounted)", s.Name, s.SecretFile, want[s.Name])
		}
	}
	if len(cfg.Sources) != 2 || len(cfg.Rules) != 2 || cfg.Rules[0].Target.Queue != "vip-chat" || cfg.Sources[1].Auth != "token" ||
		cfg.DedupMaxEntries() != 200000 || cfg.DedupWindow().String() != "5m0s" || cfg.BodyLimit() != 2097152 {
		t.Errorf("rendered config lost values: %+v", cfg)
	}
	if d.Spec.Template.Annotations["checksum/config"] == "" {
		t.Error("no config checksum: a config change would not roll the pods")
	}

	svc := &corev1.Service{}
	into(t, one(t, objs, "Service"), svc)
	svcPorts := map[string]string{}
	for _, p := range svc.Spec.Ports {
		svcPorts[p.Name] = fmt.Sprintf("%d->%s", p.Port, p.TargetPort.String())
	}
	if svcPorts["webhooks"] != "80->webhooks" || svcPorts["metrics"] != "9090->metrics" {
		t.Errorf("service ports %v", svcPorts)
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		t.Errorf("service selector %v does not select the pods %v", svc.Spec.Selector, podLabels)
	}

	pdb := &policyv1.PodDisruptionBudget{}
	into(t, one(t, objs, "PodDisruptionBudget"), pdb)
	if pdb.Spec.MinAvailable == nil || pdb.Spec.MinAvailable.IntValue() != 1 || !selects(t, pdb.Spec.Selector, podLabels) {
		t.Errorf("PodDisruptionBudget %+v", pdb.Spec)
	}

	sm := one(t, objs, "ServiceMonitor")
	eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if len(eps) != 1 {
		t.Fatalf("ServiceMonitor endpoints %v", eps)
	}
	ep := eps[0].(map[string]any)
	if ep["honorLabels"] != true || ep["port"] != "metrics" || ep["interval"] != "15s" || ep["scrapeTimeout"] != "10s" ||
		!strings.Contains(fmt.Sprint(ep["relabelings"]), "targetLabel:cluster") {
		t.Errorf("ServiceMonitor endpoint %v: want honorLabels true (the series' namespace and queue labels), port metrics, the values' interval, timeout and relabelings", ep)
	}
	smSel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	if !labels.SelectorFromSet(smSel).Matches(labels.Set(svc.Labels)) {
		t.Errorf("ServiceMonitor selector %v does not select the ingest Service %v", smSel, svc.Labels)
	}
	// Neither ServiceMonitor scrapes the other's Service.
	for _, o := range byKind(objs, "ServiceMonitor") {
		if o.GetName() == sm.GetName() {
			continue
		}
		sel, _, _ := unstructured.NestedStringMap(o.Object, "spec", "selector", "matchLabels")
		if labels.SelectorFromSet(sel).Matches(labels.Set(svc.Labels)) {
			t.Errorf("the operator's ServiceMonitor %s selects the ingest Service", o.GetName())
		}
	}
	for _, o := range byKind(objs, "Service") {
		if o.GetName() != svc.Name && labels.SelectorFromSet(smSel).Matches(labels.Set(o.GetLabels())) {
			t.Errorf("the ingest ServiceMonitor selects Service %s", o.GetName())
		}
	}

	np := &networkingv1.NetworkPolicy{}
	into(t, one(t, objs, "NetworkPolicy"), np)
	if !selects(t, &np.Spec.PodSelector, podLabels) || len(np.Spec.PolicyTypes) != 2 {
		t.Errorf("NetworkPolicy selects %v, types %v", np.Spec.PodSelector, np.Spec.PolicyTypes)
	}
	if len(np.Spec.Ingress) != 2 {
		t.Fatalf("ingress rules %+v", np.Spec.Ingress)
	}
	webhook, metrics := np.Spec.Ingress[0], np.Spec.Ingress[1]
	if webhook.Ports[0].Port.String() != "webhooks" || len(webhook.From) != 0 {
		t.Errorf("webhook rule %+v: want the webhooks port from anywhere when no peers are set", webhook)
	}
	if metrics.Ports[0].Port.String() != "metrics" || len(metrics.From) != 1 || metrics.From[0].NamespaceSelector == nil ||
		metrics.From[0].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != "monitoring" {
		t.Errorf("metrics rule %+v: want the metrics port from the monitoring namespace", metrics)
	}
	if len(np.Spec.Egress) != 1 || np.Spec.Egress[0].Ports[0].Port.IntValue() != 53 {
		t.Errorf("egress %+v: want DNS only without helpdesk CIDRs", np.Spec.Egress)
	}

	// Peers and CIDRs narrow the webhook port; the helpdesk API opens egress.
	objs, err = renderValues(t, ingestValues, "ingest.networkPolicy.enabled=true",
		"ingest.networkPolicy.webhookFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=ingress-nginx",
		"ingest.networkPolicy.webhookCIDRs={203.0.113.0/24}", "ingest.networkPolicy.helpdeskAPI.cidrs={198.51.100.0/24}",
		"ingest.replicaCount=1")
	if err != nil {
		t.Fatal(err)
	}
	np = &networkingv1.NetworkPolicy{}
	into(t, one(t, objs, "NetworkPolicy"), np)
	from := np.Spec.Ingress[0].From
	if len(from) != 2 || from[0].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != "ingress-nginx" || from[1].IPBlock.CIDR != "203.0.113.0/24" {
		t.Errorf("webhook peers %+v", from)
	}
	if len(np.Spec.Egress) != 2 || np.Spec.Egress[1].To[0].IPBlock.CIDR != "198.51.100.0/24" || np.Spec.Egress[1].Ports[0].Port.IntValue() != 443 {
		t.Errorf("egress %+v: want DNS and the helpdesk API on 443", np.Spec.Egress)
	}
	// One replica: no PodDisruptionBudget, which would block every drain.
	for _, o := range ingestObjects(objs) {
		if o.GetKind() == "PodDisruptionBudget" {
			t.Error("a PodDisruptionBudget for a single replica")
		}
	}
}

func selects(t *testing.T, sel *metav1.LabelSelector, set labels.Set) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Fatal(err)
	}
	return !s.Empty() && s.Matches(set)
}

// TestIngestRefusesIncompleteValues: what the ingest would refuse at start
// fails at helm install instead.
func TestIngestRefusesIncompleteValues(t *testing.T) {
	for name, c := range map[string]struct {
		values string
		sets   []string
		want   string
	}{
		"no secret":           {ingestValues, []string{"ingest.existingSecret="}, "ingest.existingSecret"},
		"no sources":          {"ingest: {enabled: true, existingSecret: s, config: {rules: [{target: {namespace: a, queue: b}}]}}", nil, "at least one source"},
		"no rules":            {"ingest: {enabled: true, existingSecret: s, config: {sources: [{name: a, vendor: generic}]}}", nil, "at least one routing rule"},
		"single with 2":       {ingestValues, []string{"ingest.config.backlog.mode=single"}, "set ingest.replicaCount to 1"},
		"typo in a source":    {ingestValues, []string{"ingest.config.sources[0].secretKy=x"}, "secretKy"},
		"secret in the chart": {ingestValues, []string{"ingest.config.sources[0].secret=s3cret"}, "additional properties 'secret' not allowed"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := renderValues(t, c.values, c.sets...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to mention %q", err, c.want)
			}
		})
	}
	if _, err := renderValues(t, ingestValues, "ingest.config.backlog.mode=single", "ingest.replicaCount=1"); err != nil {
		t.Errorf("single mode with one replica: %v", err)
	}
}

func appVersion(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "charts", "frontline", "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(raw, &c); err != nil || c.AppVersion == "" {
		t.Fatalf("Chart.yaml appVersion: %v", err)
	}
	return c.AppVersion
}

// makeVar runs `make -s target VERSION=version` and returns its output.
func makeVar(t *testing.T, target, version string) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "-s", "--no-print-directory", target, "VERSION="+version)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make %s: %v", target, err)
	}
	return strings.TrimSpace(string(out))
}

// TestDefaultImagesAreTheRelease: at the chart's appVersion, the chart's
// default images and kustomize's (config/default, config/ingest) are the
// references `make release` publishes for that version (test/release
// checks the released chart and install.yaml themselves).
func TestDefaultImagesAreTheRelease(t *testing.T) {
	v := appVersion(t)
	manager, ingest := makeVar(t, "print-image", v), makeVar(t, "print-ingest-image", v)
	if !strings.HasSuffix(manager, ":"+v) || !strings.HasSuffix(ingest, ":"+v) {
		t.Fatalf("make print-image %q, print-ingest-image %q: want the tag %s", manager, ingest, v)
	}
	objs, err := renderValues(t, ingestValues)
	if err != nil {
		t.Fatal(err)
	}
	var images []string
	for _, d := range byKind(objs, "Deployment") {
		containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
		images = append(images, containers[0].(map[string]any)["image"].(string))
	}
	if fmt.Sprint(images) != fmt.Sprint([]string{manager, ingest}) {
		t.Errorf("the chart's default images %v, the release's [%s %s]", images, manager, ingest)
	}

	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	opts := krusty.MakeDefaultOptions()
	for dir, want := range map[string]string{"config/default": manager, "config/ingest": ingest} {
		m, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), filepath.Join(root, dir))
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		var got []string
		for _, r := range m.Resources() {
			if r.GetKind() != "Deployment" {
				continue
			}
			d := &appsv1.Deployment{}
			raw, _ := r.AsYAML()
			if err := yaml.Unmarshal(raw, d); err != nil {
				t.Fatal(err)
			}
			got = append(got, d.Spec.Template.Spec.Containers[0].Image)
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s runs %v, the release publishes %s", dir, got, want)
		}
	}
}

// TestInstallDocIngestValues: the ingest values docs/install.md shows
// render, and the ingest accepts the config they make.
func TestInstallDocIngestValues(t *testing.T) {
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "install.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "```yaml\n# ingest.yaml\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("docs/install.md has no ingest.yaml example")
	}
	objs, err := renderValues(t, block)
	if err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{}
	into(t, one(t, objs, "ConfigMap"), cm)
	if _, err := config.Parse([]byte(cm.Data["config.yaml"])); err != nil {
		t.Errorf("the ingest refuses the documented values: %v", err)
	}
	one(t, objs, "Deployment")
	one(t, objs, "ServiceMonitor")
	one(t, objs, "NetworkPolicy")
}
