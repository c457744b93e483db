package chart

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/yaml"
)

// managerValues: the manager's values KEDA users set, as
// test/chart/all-values.yaml sets them, typed where Kubernetes has a type.
type managerValues struct {
	PodLabels                 map[string]string                 `json:"podLabels"`
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints"`
	Volumes                   []corev1.Volume                   `json:"volumes"`
	VolumeMounts              []corev1.VolumeMount              `json:"volumeMounts"`
	LivenessProbe             corev1.Probe                      `json:"livenessProbe"`
	ReadinessProbe            corev1.Probe                      `json:"readinessProbe"`
	ExtraObjects              []any                             `json:"extraObjects"`
	Logging                   struct {
		Format string `json:"format"`
		Level  string `json:"level"`
	} `json:"logging"`
	CRDs struct {
		Keep        bool              `json:"keep"`
		Annotations map[string]string `json:"annotations"`
	} `json:"crds"`
	Metrics struct {
		ServiceMonitor struct {
			Interval          string `json:"interval"`
			ScrapeTimeout     string `json:"scrapeTimeout"`
			Relabelings       []any  `json:"relabelings"`
			MetricRelabelings []any  `json:"metricRelabelings"`
		} `json:"serviceMonitor"`
	} `json:"metrics"`
	NetworkPolicy struct {
		Enabled                  bool `json:"enabled"`
		MetricsNamespaceSelector any  `json:"metricsNamespaceSelector"`
		APIServer                struct {
			CIDRs []string `json:"cidrs"`
			Ports []int32  `json:"ports"`
		} `json:"apiServer"`
		DNS            networkingv1.NetworkPolicyPeer         `json:"dns"`
		MetricsSources []networkingv1.NetworkPolicyEgressRule `json:"metricsSources"`
	} `json:"networkPolicy"`
}

// managerPod is the manager's Deployment, typed.
func managerPod(t *testing.T, objs []*unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	d := &appsv1.Deployment{}
	into(t, manager(t, objs), d)
	return d
}

// managerNetworkPolicy is the chart's NetworkPolicy for the manager, or
// nil: the one named like the Deployment.
func managerNetworkPolicy(t *testing.T, objs []*unstructured.Unstructured) *networkingv1.NetworkPolicy {
	t.Helper()
	for _, o := range byKind(objs, "NetworkPolicy") {
		if o.GetName() == "frontline" {
			np := &networkingv1.NetworkPolicy{}
			into(t, o, np)
			return np
		}
	}
	return nil
}

// zapFlags parses the manager's --zap-* arguments with controller-runtime's
// own flags (as main.go binds them) and returns each flag's value.
func zapFlags(t *testing.T, args []string) map[string]string {
	t.Helper()
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	var o zap.Options
	o.BindFlags(fs)
	var zapArgs []string
	for _, a := range args {
		if strings.HasPrefix(a, "--zap-") {
			zapArgs = append(zapArgs, a)
		}
	}
	if err := fs.Parse(zapArgs); err != nil {
		t.Fatalf("the manager refuses %v: %v", zapArgs, err)
	}
	out := map[string]string{}
	fs.Visit(func(f *flag.Flag) { out[f.Name] = f.Value.String() })
	return out
}

// TestAllValuesRendered: every manager value of all-values.yaml shows up
// in the rendered objects, where Kubernetes reads it.
func TestAllValuesRendered(t *testing.T) {
	raw := readFile(t, "test/chart/all-values.yaml")
	var v managerValues
	if err := yaml.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	objs, err := renderValues(t, raw)
	if err != nil {
		t.Fatal(err)
	}
	d := managerPod(t, objs)
	pod := d.Spec.Template
	selector := labels.Set(d.Spec.Selector.MatchLabels)
	c := pod.Spec.Containers[0]

	// podLabels, beside the selector's.
	if len(v.PodLabels) == 0 {
		t.Fatal("all-values.yaml sets no podLabels")
	}
	for k, want := range v.PodLabels {
		if pod.Labels[k] != want {
			t.Errorf("pod label %s=%q, want %q", k, pod.Labels[k], want)
		}
	}
	if !labels.SelectorFromSet(selector).Matches(labels.Set(pod.Labels)) {
		t.Errorf("the Deployment's selector %v no longer selects its pods %v", selector, pod.Labels)
	}

	// topologySpreadConstraints: as set, one without labelSelector given
	// the pods' own.
	tsc := pod.Spec.TopologySpreadConstraints
	if len(tsc) != len(v.TopologySpreadConstraints) || len(tsc) < 2 {
		t.Fatalf("topologySpreadConstraints %+v, want those of all-values.yaml", tsc)
	}
	for i, want := range v.TopologySpreadConstraints {
		if want.LabelSelector == nil {
			if tsc[i].LabelSelector == nil || !selects(t, tsc[i].LabelSelector, labels.Set(pod.Labels)) {
				t.Errorf("constraint %d without labelSelector got %v: want the manager pods' selector labels", i, tsc[i].LabelSelector)
			}
			tsc[i].LabelSelector = nil
		}
		if g, w := mustJSON(t, tsc[i]), mustJSON(t, want); g != w {
			t.Errorf("constraint %d is\n%s\nwant\n%s", i, g, w)
		}
	}

	// volumes and volumeMounts, after the chart's own (metricsSources).
	if len(v.Volumes) == 0 || len(v.VolumeMounts) == 0 {
		t.Fatal("all-values.yaml sets no volumes or volumeMounts")
	}
	if got, want := len(pod.Spec.Volumes), 4+len(v.Volumes); got != want {
		t.Errorf("%d volumes, want %d: sources-config, 3 Secrets and the values'", got, want)
	}
	if got, want := len(c.VolumeMounts), 4+len(v.VolumeMounts); got != want {
		t.Errorf("%d mounts, want %d", got, want)
	}
	if g, w := mustJSON(t, pod.Spec.Volumes[len(pod.Spec.Volumes)-len(v.Volumes):]), mustJSON(t, v.Volumes); g != w {
		t.Errorf("volumes end with\n%s\nwant\n%s", g, w)
	}
	if g, w := mustJSON(t, c.VolumeMounts[len(c.VolumeMounts)-len(v.VolumeMounts):]), mustJSON(t, v.VolumeMounts); g != w {
		t.Errorf("mounts end with\n%s\nwant\n%s", g, w)
	}
	for _, name := range []string{"sources-config", "sources-secret-0"} {
		if !slices.ContainsFunc(pod.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == name }) {
			t.Errorf("the chart's volume %s is gone", name)
		}
	}

	// Probes: the values', not the chart's defaults.
	for _, p := range []struct {
		name      string
		got, want *corev1.Probe
	}{{"livenessProbe", c.LivenessProbe, &v.LivenessProbe}, {"readinessProbe", c.ReadinessProbe, &v.ReadinessProbe}} {
		if g, w := mustJSON(t, p.got), mustJSON(t, p.want); g != w {
			t.Errorf("%s is\n%s\nwant\n%s", p.name, g, w)
		}
	}

	// logging: the flags main.go binds, with the values' values.
	flags := zapFlags(t, c.Args)
	if flags["zap-encoder"] != v.Logging.Format || flags["zap-log-level"] != v.Logging.Level {
		t.Errorf("zap flags %v, want encoder %s and level %s", flags, v.Logging.Format, v.Logging.Level)
	}

	// crds.annotations and crds.keep on every CRD.
	crds := byKind(objs, "CustomResourceDefinition")
	if len(crds) != 3 || len(v.CRDs.Annotations) == 0 || !v.CRDs.Keep {
		t.Fatalf("%d CRDs; all-values.yaml annotations %v, keep %v", len(crds), v.CRDs.Annotations, v.CRDs.Keep)
	}
	for _, crd := range crds {
		a := crd.GetAnnotations()
		for k, want := range v.CRDs.Annotations {
			if a[k] != want {
				t.Errorf("CRD %s annotation %s=%q, want %q", crd.GetName(), k, a[k], want)
			}
		}
		if a["helm.sh/resource-policy"] != "keep" || a["controller-gen.kubebuilder.io/version"] == "" {
			t.Errorf("CRD %s annotations %v: keep or controller-gen's lost", crd.GetName(), a)
		}
	}

	// The ServiceMonitor's interval, timeout and relabelings.
	var ep map[string]any
	for _, sm := range byKind(objs, "ServiceMonitor") {
		if sm.GetName() == "frontline" {
			eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
			ep = eps[0].(map[string]any)
		}
	}
	sm := v.Metrics.ServiceMonitor
	if ep == nil || ep["interval"] != sm.Interval || ep["scrapeTimeout"] != sm.ScrapeTimeout || sm.ScrapeTimeout == "" {
		t.Errorf("ServiceMonitor endpoint %v, want interval %s and scrapeTimeout %s", ep, sm.Interval, sm.ScrapeTimeout)
	}
	if len(sm.Relabelings) == 0 || len(sm.MetricRelabelings) == 0 {
		t.Fatal("all-values.yaml sets no relabelings")
	}
	if g, w := mustJSON(t, ep["relabelings"]), mustJSON(t, sm.Relabelings); g != w {
		t.Errorf("relabelings\n%s\nwant\n%s", g, w)
	}
	if g, w := mustJSON(t, ep["metricRelabelings"]), mustJSON(t, sm.MetricRelabelings); g != w {
		t.Errorf("metricRelabelings\n%s\nwant\n%s", g, w)
	}

	// extraObjects, through tpl: the CA bundle the volume names, and a
	// NetworkPolicy given as a string.
	if len(v.ExtraObjects) != 2 {
		t.Fatalf("all-values.yaml sets %d extraObjects, want a manifest and a string", len(v.ExtraObjects))
	}
	var ca *unstructured.Unstructured
	for _, cm := range byKind(objs, "ConfigMap") {
		if cm.GetName() == "frontline-corporate-ca" {
			ca = cm
		}
	}
	if ca == nil || ca.GetNamespace() != "frontline-system" || !strings.Contains(fmt.Sprint(ca.Object["data"]), "BEGIN CERTIFICATE") {
		t.Errorf("extraObjects' ConfigMap %v: want frontline-corporate-ca in frontline-system (tpl rendered)", ca)
	} else if pod.Spec.Volumes[len(pod.Spec.Volumes)-1].ConfigMap.Name != ca.GetName() {
		t.Error("the CA volume does not name the extraObjects' ConfigMap")
	}
	var otel *networkingv1.NetworkPolicy
	for _, o := range byKind(objs, "NetworkPolicy") {
		if o.GetName() == "frontline-otel" {
			otel = &networkingv1.NetworkPolicy{}
			into(t, o, otel)
		}
	}
	if otel == nil || otel.Namespace != "frontline-system" || !selects(t, &otel.Spec.PodSelector, labels.Set(pod.Labels)) {
		t.Errorf("extraObjects' string manifest %+v: want NetworkPolicy frontline-otel selecting the manager (include rendered)", otel)
	}

	// networkPolicy: the values' peers, CIDRs and rules.
	np := managerNetworkPolicy(t, objs)
	if np == nil || !v.NetworkPolicy.Enabled {
		t.Fatal("no NetworkPolicy frontline")
	}
	checkNetworkPolicy(t, np, labels.Set(pod.Labels))
	if g, w := mustJSON(t, np.Spec.Ingress[0].From[0].NamespaceSelector), mustJSON(t, v.NetworkPolicy.MetricsNamespaceSelector); g != w {
		t.Errorf("metrics from %s, want %s", g, w)
	}
	api := np.Spec.Egress[0]
	var cidrs []string
	for _, to := range api.To {
		cidrs = append(cidrs, to.IPBlock.CIDR)
	}
	var ports []int32
	for _, p := range api.Ports {
		ports = append(ports, p.Port.IntVal)
	}
	if !slices.Equal(cidrs, v.NetworkPolicy.APIServer.CIDRs) || !slices.Equal(ports, v.NetworkPolicy.APIServer.Ports) {
		t.Errorf("apiserver egress to %v on %v, want %v on %v", cidrs, ports, v.NetworkPolicy.APIServer.CIDRs, v.NetworkPolicy.APIServer.Ports)
	}
	if dns := np.Spec.Egress[1].To[0]; mustJSON(t, dns) != mustJSON(t, v.NetworkPolicy.DNS) {
		t.Errorf("DNS egress to %s, want %s", mustJSON(t, dns), mustJSON(t, v.NetworkPolicy.DNS))
	}
	if g, w := mustJSON(t, np.Spec.Egress[2:]), mustJSON(t, v.NetworkPolicy.MetricsSources); g != w {
		t.Errorf("metrics sources egress\n%s\nwant\n%s", g, w)
	}
}

// checkNetworkPolicy: the manager's policy selects its pods (only), opens
// the metrics port to the listed namespaces and the probe port, and allows
// egress to the apiserver, DNS and the metrics sources, in that order.
func checkNetworkPolicy(t *testing.T, np *networkingv1.NetworkPolicy, podLabels labels.Set) {
	t.Helper()
	if !selects(t, &np.Spec.PodSelector, podLabels) {
		t.Errorf("NetworkPolicy selects %v, not the manager's pods %v", np.Spec.PodSelector, podLabels)
	}
	if selects(t, &np.Spec.PodSelector, labels.Set{"app.kubernetes.io/name": "frontline-ingest", "app.kubernetes.io/instance": "frontline", "app.kubernetes.io/component": "ingest"}) {
		t.Error("the manager's NetworkPolicy selects the ingest's pods")
	}
	if fmt.Sprint(np.Spec.PolicyTypes) != "[Ingress Egress]" {
		t.Errorf("policy types %v", np.Spec.PolicyTypes)
	}
	if len(np.Spec.Ingress) != 2 {
		t.Fatalf("ingress %+v: want metrics and probes", np.Spec.Ingress)
	}
	metrics, probes := np.Spec.Ingress[0], np.Spec.Ingress[1]
	if len(metrics.Ports) != 1 || metrics.Ports[0].Port.String() != "metrics" || len(metrics.From) != 1 || metrics.From[0].NamespaceSelector == nil {
		t.Errorf("metrics rule %+v: want the metrics port from the monitoring namespaces", metrics)
	}
	if len(probes.Ports) != 1 || probes.Ports[0].Port.String() != "probes" || len(probes.From) != 0 {
		t.Errorf("probes rule %+v: want the probe port from anywhere (the kubelet)", probes)
	}
	if len(np.Spec.Egress) < 3 {
		t.Fatalf("egress %+v: want the apiserver, DNS and the metrics sources", np.Spec.Egress)
	}
	var dnsPorts []string
	for _, p := range np.Spec.Egress[1].Ports {
		dnsPorts = append(dnsPorts, fmt.Sprintf("%s/%s", p.Port.String(), *p.Protocol))
	}
	if fmt.Sprint(dnsPorts) != "[53/UDP 53/TCP]" || len(np.Spec.Egress[1].To) != 1 {
		t.Errorf("DNS rule %+v", np.Spec.Egress[1])
	}
	for i, r := range np.Spec.Egress {
		if len(r.Ports) == 0 {
			t.Errorf("egress rule %d allows every port: %+v", i, r)
		}
	}
}

// TestNetworkPolicyDefaults: enabled alone, the policy allows the
// apiserver's usual ports (no CIDRs known), DNS, and Prometheus at the
// default prometheusAddress (monitoring, 9090).
func TestNetworkPolicyDefaults(t *testing.T) {
	if np := managerNetworkPolicy(t, render(t)); np != nil {
		t.Fatal("a NetworkPolicy by default")
	}
	objs := render(t, "networkPolicy.enabled=true")
	np := managerNetworkPolicy(t, objs)
	if np == nil {
		t.Fatal("no NetworkPolicy with networkPolicy.enabled=true")
	}
	checkNetworkPolicy(t, np, labels.Set(managerPod(t, objs).Spec.Template.Labels))
	api := np.Spec.Egress[0]
	if len(api.To) != 0 || len(api.Ports) != 2 || api.Ports[0].Port.IntValue() != 443 || api.Ports[1].Port.IntValue() != 6443 {
		t.Errorf("apiserver rule %+v: want 443 and 6443 to any address without apiServer.cidrs", api)
	}
	prom := np.Spec.Egress[2]
	if len(np.Spec.Egress) != 3 || prom.Ports[0].Port.IntValue() != 9090 || prom.To[0].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != "monitoring" {
		t.Errorf("metrics sources rule %+v: want monitoring:9090 (prometheusAddress's default)", prom)
	}
}

// TestReplicasNeedLeaderElection: two managers without leader election
// would act at once; the render fails and says what to set.
func TestReplicasNeedLeaderElection(t *testing.T) {
	_, err := helm(t, "template", "frontline", "charts/frontline", "--set", "replicaCount=2", "--set", "leaderElection=false")
	if err == nil || !strings.Contains(err.Error(), "replicaCount is 2 but leaderElection is false") ||
		!strings.Contains(err.Error(), "Set leaderElection: true, or replicaCount: 1") {
		t.Errorf("replicaCount=2 leaderElection=false: %v", err)
	}
	// One replica without leader election, or two with it, render.
	args := managerPod(t, render(t, "leaderElection=false")).Spec.Template.Spec.Containers[0].Args
	if slices.Contains(args, "--leader-elect") {
		t.Errorf("args %v with leaderElection=false", args)
	}
	d := managerPod(t, render(t, "replicaCount=2"))
	if *d.Spec.Replicas != 2 || !slices.Contains(d.Spec.Template.Spec.Containers[0].Args, "--leader-elect") {
		t.Errorf("replicas %d args %v", *d.Spec.Replicas, d.Spec.Template.Spec.Containers[0].Args)
	}
}

// TestManagerValueDefaults: what the new values render when unset, and
// how they combine with extraArgs and the chart's probes.
func TestManagerValueDefaults(t *testing.T) {
	d := managerPod(t, render(t))
	c := d.Spec.Template.Spec.Containers[0]
	if f := zapFlags(t, c.Args); f["zap-encoder"] != "json" || f["zap-log-level"] != "info" {
		t.Errorf("default zap flags %v, want json and info", f)
	}
	if c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" || c.LivenessProbe.HTTPGet.Port.String() != "probes" ||
		c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.PeriodSeconds != 20 || c.ReadinessProbe.PeriodSeconds != 10 {
		t.Errorf("default probes %+v %+v", c.LivenessProbe, c.ReadinessProbe)
	}
	if len(d.Spec.Template.Spec.TopologySpreadConstraints) != 0 || len(d.Spec.Template.Labels) != 3 {
		t.Errorf("constraints %v labels %v by default", d.Spec.Template.Spec.TopologySpreadConstraints, d.Spec.Template.Labels)
	}
	objs := render(t)
	if len(byKind(objs, "NetworkPolicy")) != 0 {
		t.Error("NetworkPolicies by default")
	}
	for _, crd := range byKind(objs, "CustomResourceDefinition") {
		if n := len(crd.GetAnnotations()); n != 2 {
			t.Errorf("CRD %s annotations %v, want keep and controller-gen's", crd.GetName(), crd.GetAnnotations())
		}
	}

	// extraArgs come last, so they win over logging.*.
	c = managerPod(t, render(t, "logging.level=2", "extraArgs={--zap-log-level=error}")).Spec.Template.Spec.Containers[0]
	if f := zapFlags(t, c.Args); f["zap-log-level"] != "error" {
		t.Errorf("zap flags %v: extraArgs' level should win", f)
	}
	// A value merges into the default probe; another handler replaces
	// httpGet when it is nulled.
	c = managerPod(t, render(t, "livenessProbe.periodSeconds=5")).Spec.Template.Spec.Containers[0]
	if c.LivenessProbe.PeriodSeconds != 5 || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.InitialDelaySeconds != 15 {
		t.Errorf("liveness %+v: want period 5 on the default probe", c.LivenessProbe)
	}
	c = managerPod(t, render(t, "readinessProbe.httpGet=null", "readinessProbe.tcpSocket.port=probes")).Spec.Template.Spec.Containers[0]
	if c.ReadinessProbe.HTTPGet != nil || c.ReadinessProbe.TCPSocket == nil || c.ReadinessProbe.TCPSocket.Port.String() != "probes" {
		t.Errorf("readiness %+v: want tcpSocket only", c.ReadinessProbe)
	}
}

// TestManagerValuesRefused: what the apiserver or the manager would refuse,
// or what would silently break the release, fails the render and names
// the value.
func TestManagerValuesRefused(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		// Schema.
		{"podLabels.Bad_/x=a", "at '/podLabels'"},
		{"podLabels.team=" + strings.Repeat("x", 64), "at '/podLabels/team'"},
		{"topologySpreadConstraints[0].maxSkew=1,topologySpreadConstraints[0].topologyKey=zone", "at '/topologySpreadConstraints/0'"},
		{"topologySpreadConstraints[0].maxSkew=1,topologySpreadConstraints[0].topologyKey=zone,topologySpreadConstraints[0].whenUnsatisfiable=Maybe", "at '/topologySpreadConstraints/0/whenUnsatisfiable'"},
		{"volumes[0].name=ca", "at '/volumes/0'"},
		{"volumes[0].name=ca,volumes[0].configmap.name=ca", "at '/volumes/0'"},
		{"volumes[0].name=Ca,volumes[0].configMap.name=ca", "at '/volumes/0/name'"},
		{"volumeMounts[0].name=ca,volumeMounts[0].mountPath=etc/ca", "at '/volumeMounts/0/mountPath'"},
		{"volumeMounts[0].name=ca,volumeMounts[0].mountPath=/etc/ca,volumeMounts[0].readonly=true", "at '/volumeMounts/0'"},
		{"extraObjects[0]=1", "at '/extraObjects/0'"},
		{"extraObjects[0].kind=ConfigMap", "at '/extraObjects/0'"},
		{"livenessProbe.periodSecond=5", "at '/livenessProbe'"},
		{"readinessProbe.httpGet.path=readyz", "at '/readinessProbe/httpGet/path'"},
		{"metrics.serviceMonitor.scrapeTimeout=10", "at '/metrics/serviceMonitor/scrapeTimeout'"},
		{"metrics.serviceMonitor.relabelings[0].acton=drop", "at '/metrics/serviceMonitor/relabelings/0'"},
		{"metrics.serviceMonitor.metricRelabelings[0].action=delete", "at '/metrics/serviceMonitor/metricRelabelings/0/action'"},
		{"crds.annotations.helm\\.sh/resource-policy=delete", "at '/crds/annotations/helm.sh~1resource-policy'"},
		{"crds.typo=1", "at '/crds'"},
		{"logging.format=text", "at '/logging/format'"},
		{"logging.level=warn", "at '/logging/level'"},
		{"logging.level=0", "at '/logging/level'"},
		{"networkPolicy.enabled=yes", "at '/networkPolicy/enabled'"},
		{"networkPolicy.apiServer.cidrs={10.0.0.1}", "at '/networkPolicy/apiServer/cidrs/0'"},
		{"networkPolicy.apiServer.ports[0]=70000", "at '/networkPolicy/apiServer/ports/0'"},
		{"networkPolicy.dns.podSelector.matchlabels.k8s-app=kube-dns", "at '/networkPolicy/dns/podSelector'"},
		{"networkPolicy.metricsSources[0].ports[0].port=9090,networkPolicy.metricsSources[0].ports[0].protocol=tcp", "at '/networkPolicy/metricsSources/0/ports/0/protocol'"},
		{"networkPolicy.metricsSources[0].to[0].ipblock.cidr=10.0.0.0/8", "at '/networkPolicy/metricsSources/0/to/0'"},
		{"networkPolicy.egress[0].ports[0].port=9090", "at '/networkPolicy'"},
		// Templates: what a schema cannot say.
		{"replicaCount=3,leaderElection=false", "replicaCount is 3 but leaderElection is false"},
		{"podLabels.app\\.kubernetes\\.io/component=worker", "podLabels.app.kubernetes.io/component: a selector label"},
		{"volumes[0].name=sources-secret-0,volumes[0].emptyDir.medium=Memory", "volumes[0].name sources-secret-0"},
		{"livenessProbe.tcpSocket.port=probes", "livenessProbe: one handler"},
		{"readinessProbe.httpGet=null", "readinessProbe: one handler"},
		{"livenessProbe=null", "livenessProbe: one handler"},
	} {
		_, err := helm(t, "template", "frontline", "charts/frontline", "--set", tc.set)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--set %s: %v, want an error with %q", tc.set, err, tc.want)
		}
	}
}
