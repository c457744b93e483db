//go:build e2e

// Package e2e runs Frontline on a real local cluster (etcd, kube-apiserver
// with RBAC, controller-manager, scheduler, kwok) with a real Prometheus
// scraping the ticket simulator (and frontline-ingest, which the
// simulator's Zendesk account sends TestReactionThroughTheIngest's tickets to as signed
// webhooks), the operator running as a process under its own
// ServiceAccount. hack/cluster.sh and hack/run-operator.sh set it up.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/scheme"
	"github.com/frontline-dev/frontline/test/testenv"
)

const (
	ns           = "exchange"
	operatorUser = "system:serviceaccount:frontline-system:frontline-controller-manager"
	// Ports apart from `make demo`'s, so both can run on one machine, and
	// below the kernel's ephemeral range (32768 up): a listener there can
	// find its port held by some client connection's local end, which once
	// kept the e2e cluster's etcd from starting.
	apiPort, promPort, simPort = "27443", "30090", "30091"
	// The operator replicas' port bases (hack/run-operator.sh: probes at
	// base+1, metrics at base+443, which Prometheus scrapes for the first
	// two: OPERATOR_METRICS below).
	operatorBase, secondOperatorBase, thirdOperatorBase = "25080", "25180", "25280"
)

var (
	root, clusterDir, kubeconfig string
	k8s                          client.Client
	ctx                          = context.Background()
)

func TestMain(m *testing.M) {
	var err error
	if root, err = testenv.RepoRoot(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	clusterDir = filepath.Join(root, ".demo", "e2e")
	kubeconfig = filepath.Join(clusterDir, "kubeconfig")
	code := func() int {
		defer func() { _ = script("cluster.sh", "down") }()
		if err := script("cluster.sh", "up"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := script("run-operator.sh", "frontline", operatorBase); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if k8s, err = client.New(cfg, client.Options{Scheme: scheme.New()}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := kubectl("apply", "--server-side", "-k", filepath.Join(root, "config", "demo")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := startLongRunningCounters(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// script runs a hack/ script against the e2e cluster.
func script(name string, args ...string) error { return scriptEnv(nil, name, args...) }

// scriptEnv is script with more environment (e.g. SCRAPE_INTERVAL).
func scriptEnv(env []string, name string, args ...string) error {
	cmd := exec.Command(filepath.Join(root, "hack", name), args...)
	cmd.Env = append(os.Environ(), "CLUSTER_DIR="+clusterDir, "API_PORT="+apiPort, "ETCD_PORT=24790",
		"PROM_PORT="+promPort, "SIM_PORT="+simPort, "KUBECONFIG="+kubeconfig, "OPERATOR_METRICS=127.0.0.1:25523,127.0.0.1:25623", // both replicas (see TestLeaderFailover)
		"INSTALL=helm",       // run-operator.sh installs CRDs and RBAC from the chart
		"ADAPTER_PORT=30094") // prometheus-adapter, with EXTERNAL_METRICS=1 (TestHPASideBySide)
	cmd.Env = append(cmd.Env, ingestEnv()...) // the ingest TestReactionThroughTheIngest sends webhooks to
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("hack/%s %v: %w", name, args, err)
	}
	return nil
}

// stopPrometheus stops the cluster's Prometheus and returns the function
// that starts it again; the test's cleanup starts it if the test did not.
func stopPrometheus(t *testing.T) (restart func()) {
	t.Helper()
	if err := script("cluster.sh", "stop", "prometheus"); err != nil {
		t.Fatal(err)
	}
	started := false
	t.Cleanup(func() {
		if !started {
			_ = script("cluster.sh", "start-prometheus")
		}
	})
	return func() {
		t.Helper()
		if err := script("cluster.sh", "start-prometheus"); err != nil {
			t.Fatal(err)
		}
		started = true
	}
}

func kubectl(args ...string) error {
	cmd := exec.Command("kubectl", args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("kubectl %v: %v\n%s", args, err, out)
	}
	return nil
}

// traffic steps the simulator: inflow multiplier and BTC price; a zero
// multiplier clears the override (back to the scenario, calm).
func traffic(t *testing.T, inflow, price float64) {
	t.Helper()
	url := fmt.Sprintf("http://127.0.0.1:%s/override?inflow=%g&price=%g", simPort, inflow, price)
	if inflow == 0 {
		url = fmt.Sprintf("http://127.0.0.1:%s/override", simPort)
	}
	resp, err := http.Post(url, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("override: %s", resp.Status)
	}
}

func eventually(t *testing.T, timeout time.Duration, check func() error) {
	t.Helper()
	testenv.Eventually(t, timeout, time.Second, check)
}

func getQueue(t *testing.T, name string) *supportv1alpha1.SupportQueue {
	t.Helper()
	q := &supportv1alpha1.SupportQueue{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, q); err != nil {
		t.Fatal(err)
	}
	return q
}

func getPlan(t *testing.T) *supportv1alpha1.SurgePlan {
	t.Helper()
	p := &supportv1alpha1.SurgePlan{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "btc-crash"}, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func waitPhase(t *testing.T, phase supportv1alpha1.SurgePhase, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, func() error {
		if p := getPlan(t); p.Status.Phase != phase {
			return fmt.Errorf("plan %s (%s: %s), want %s", p.Status.Phase, p.Status.Reason, p.Status.Message, phase)
		}
		return nil
	})
}

// deployment returns spec replicas and Running pods of a Deployment.
func deployment(t *testing.T, name string) (replicas int32, running int) {
	t.Helper()
	replicas, running, err := tryDeployment(name)
	if err != nil {
		t.Fatal(err)
	}
	return replicas, running
}

func tryDeployment(name string) (replicas int32, running int, err error) {
	d := &appsv1.Deployment{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, d); err != nil {
		return 0, 0, err
	}
	var pods corev1.PodList
	if err := k8s.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabels(d.Spec.Selector.MatchLabels)); err != nil {
		return 0, 0, err
	}
	for _, p := range pods.Items {
		if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
			running++
		}
	}
	return ptr.Deref(d.Spec.Replicas, 0), running, nil
}

func waitRunning(t *testing.T, name string, want int32, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, func() error {
		r, running := deployment(t, name)
		if r != want || int32(running) != want {
			return fmt.Errorf("%s: %d replicas, %d pods Running; want %d", name, r, running, want)
		}
		return nil
	})
}

// surging is the queue's Surging condition status ("" without one).
func surging(q *supportv1alpha1.SupportQueue) metav1.ConditionStatus {
	if c := condition(q, supportv1alpha1.ConditionSurging); c != nil {
		return c.Status
	}
	return ""
}

func condition(q *supportv1alpha1.SupportQueue, typ string) *metav1.Condition {
	return meta.FindStatusCondition(q.Status.Conditions, typ)
}

// TestLeastPrivilege asks the apiserver what the operator's
// ServiceAccount may do.
func TestLeastPrivilege(t *testing.T) {
	for _, tc := range []struct {
		attrs   authorizationv1.ResourceAttributes
		allowed bool
	}{
		{authorizationv1.ResourceAttributes{Namespace: ns, Verb: "patch", Group: "apps", Resource: "deployments"}, true},
		{authorizationv1.ResourceAttributes{Namespace: ns, Verb: "update", Group: "support.frontline.dev", Resource: "supportqueues", Subresource: "status"}, true},
		{authorizationv1.ResourceAttributes{Namespace: ns, Verb: "get", Resource: "secrets"}, false},
		{authorizationv1.ResourceAttributes{Namespace: ns, Verb: "list", Resource: "secrets"}, false},
		{authorizationv1.ResourceAttributes{Namespace: "kube-system", Verb: "get", Resource: "secrets"}, false},
		{authorizationv1.ResourceAttributes{Namespace: ns, Verb: "create", Resource: "pods", Subresource: "exec"}, false},
		{authorizationv1.ResourceAttributes{Namespace: ns, Verb: "create", Resource: "pods"}, false},
		{authorizationv1.ResourceAttributes{Verb: "create", Group: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"}, false},
		{authorizationv1.ResourceAttributes{Verb: "escalate", Group: "rbac.authorization.k8s.io", Resource: "clusterroles"}, false},
		{authorizationv1.ResourceAttributes{Verb: "impersonate", Resource: "users"}, false},
		{authorizationv1.ResourceAttributes{Verb: "update", Group: "support.frontline.dev", Resource: "surgeplans"}, false},
		{authorizationv1.ResourceAttributes{Verb: "delete", Resource: "nodes"}, false},
	} {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: operatorUser, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:frontline-system"},
			ResourceAttributes: &tc.attrs,
		}}
		if err := k8s.Create(ctx, sar); err != nil {
			t.Fatal(err)
		}
		if sar.Status.Allowed != tc.allowed {
			t.Errorf("%s %s/%s in %q: allowed=%v, want %v", tc.attrs.Verb, tc.attrs.Resource, tc.attrs.Subresource, tc.attrs.Namespace, sar.Status.Allowed, tc.allowed)
		}
	}
}

// TestSpikeSurgesAndCoolsDown: the crash fires the plan, queues reach
// their surge replicas with Running pods and the pinned FAQ; calm brings
// CoolingDown, Armed, replicas stepping down and the FAQ gone.
func TestSpikeSurgesAndCoolsDown(t *testing.T) {
	eventually(t, 120*time.Second, func() error {
		if c := condition(getQueue(t, "retail-chat"), supportv1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("retail-chat not Ready: %+v", c)
		}
		return nil
	})
	waitPhase(t, supportv1alpha1.SurgePhaseArmed, 60*time.Second)
	// The spike detector compares the window with the baseline before it.
	// A series with less data than the baseline is young: it is tested
	// against the few tickets it has (TestYoungSeriesSpike, envtest), and
	// a 1-minute window holds too little of a ×5 ramp for that test at a
	// year's budget. The demo plan's reference is its whole 5-minute
	// baseline: the crash comes once the queues' counters have it.
	spike := planSpikeSpan(t)
	time.Sleep(time.Until(suiteStarted.Add(spike + 15*time.Second)))
	eventually(t, 8*time.Minute, func() error {
		for _, tr := range getPlan(t).Status.Triggers {
			if tr.Name == "inflowSpike" && tr.Value == "unknown" {
				return fmt.Errorf("inflowSpike has no baseline yet")
			}
		}
		return nil
	})
	// Calm means no plan Active (a trigger may have fired during the
	// wait) and replicas settled, so the surge is measured against calm.
	waitPhase(t, supportv1alpha1.SurgePhaseArmed, 5*time.Minute)
	eventually(t, 3*time.Minute, func() error {
		if q := getQueue(t, "retail-chat"); surging(q) != metav1.ConditionFalse {
			return fmt.Errorf("retail-chat still surging")
		}
		return nil
	})
	calmAgents, _ := deployment(t, "retail-chat-agents")
	calmBots, _ := deployment(t, "retail-chat-chatbot")
	// The chart's alert rules, loaded by the cluster's Prometheus, are
	// quiet at calm.
	if firing := firingAlerts(t); len(firing) > 0 {
		t.Errorf("alerts firing at calm: %v", firing)
	}

	traffic(t, 5, 51200) // inflow ×5, BTC -20%
	waitPhase(t, supportv1alpha1.SurgePhaseActive, 90*time.Second)
	waitAlertFiring(t, "FrontlineSurgeActive", `plan="btc-crash"`, 60*time.Second)
	// The inflow spike is seen by the change detector on the raw counter
	// (whichever trigger fired first).
	eventually(t, 90*time.Second, func() error {
		for _, tr := range getPlan(t).Status.Triggers {
			if tr.Name == "inflowSpike" && tr.HoldingSince != nil {
				return nil
			}
		}
		return fmt.Errorf("inflowSpike not holding: %+v", getPlan(t).Status.Triggers)
	})
	var surgedBots, surgedAgents int32
	eventually(t, 90*time.Second, func() error {
		q := getQueue(t, "retail-chat")
		if surging(q) != metav1.ConditionTrue {
			return fmt.Errorf("queue not surging")
		}
		surgedBots, surgedAgents = q.Status.Chatbot.DesiredReplicas, q.Status.Agents.DesiredReplicas
		// Bots: the plan's factor 3 on what the queue would run at the new
		// inflow (at least its 2-bot minimum), as the plan reports adding.
		added := getPlan(t).Status.Added.ChatbotReplicas
		if surgedBots <= calmBots || surgedBots < 3*2 || 3*added < 2*surgedBots || surgedAgents < calmAgents+10 {
			return fmt.Errorf("bots %d (calm %d, plan adds %d), agents %d (calm %d)", surgedBots, calmBots, added, surgedAgents, calmAgents)
		}
		return nil
	})
	waitRunning(t, "retail-chat-chatbot", surgedBots, 90*time.Second)
	waitRunning(t, "retail-chat-agents", surgedAgents, 90*time.Second)
	cm := &corev1.ConfigMap{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "retail-chat-knowledge"}, cm); err != nil {
		t.Fatal(err)
	}
	if _, ok := cm.Data["00-pinned-btc-crash-btc-withdrawals-delayed"]; !ok || cm.Data["trading-fees"] == "" {
		t.Errorf("knowledge ConfigMap keys %v: want the pinned FAQ and the user's FAQ", keys(cm.Data))
	}

	traffic(t, 1, 51200) // calm again at the new price
	waitPhase(t, supportv1alpha1.SurgePhaseCoolingDown, 5*time.Minute)
	eventually(t, 60*time.Second, func() error {
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "retail-chat-knowledge"}, cm); err != nil {
			return err
		}
		if _, ok := cm.Data["00-pinned-btc-crash-btc-withdrawals-delayed"]; ok {
			return fmt.Errorf("pinned FAQ still present")
		}
		return nil
	})
	waitPhase(t, supportv1alpha1.SurgePhaseArmed, 2*time.Minute)
	// Replicas step down (25% per poll after a 1m window), not in one drop.
	var steps []int32
	eventually(t, 5*time.Minute, func() error {
		r, _ := deployment(t, "retail-chat-chatbot")
		if len(steps) == 0 || steps[len(steps)-1] != r {
			steps = append(steps, r)
		}
		if r > calmBots {
			return fmt.Errorf("bots %d, want %d", r, calmBots)
		}
		return nil
	})
	t.Logf("bots stepped down %v", steps)
}

// TestPrometheusOutage: Prometheus down holds replicas and says so;
// back up, the queues recover.
func TestPrometheusOutage(t *testing.T) {
	traffic(t, 3, 64000)
	eventually(t, 90*time.Second, func() error {
		if c := condition(getQueue(t, "retail-chat"), supportv1alpha1.ConditionMetricsAvailable); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("MetricsAvailable %+v", c)
		}
		return nil
	})
	time.Sleep(20 * time.Second) // let the scale-up settle
	before, _ := deployment(t, "retail-chat-agents")
	restart := stopPrometheus(t)
	traffic(t, 0.2, 64000) // traffic falls, but nobody can see it
	eventually(t, 60*time.Second, func() error {
		c := condition(getQueue(t, "retail-chat"), supportv1alpha1.ConditionMetricsAvailable)
		if c == nil || c.Status != metav1.ConditionFalse {
			return fmt.Errorf("MetricsAvailable %+v", c)
		}
		return nil
	})
	for range 9 { // 90 s, past the 1 m scale-down window
		if r, _ := deployment(t, "retail-chat-agents"); r < before {
			t.Fatalf("scaled down to %d (from %d) without metrics", r, before)
		}
		time.Sleep(10 * time.Second)
	}
	restart()
	eventually(t, 90*time.Second, func() error {
		if c := condition(getQueue(t, "retail-chat"), supportv1alpha1.ConditionMetricsAvailable); c == nil || c.Status != metav1.ConditionTrue {
			return fmt.Errorf("MetricsAvailable %+v", c)
		}
		return nil
	})
	traffic(t, 1, 64000)
}

// TestOnCallAndOperatorRestart: on-call forces the surge on with the
// plugin; the operator is killed mid-surge and started again; replicas
// never dip; off and status work.
func TestOnCallAndOperatorRestart(t *testing.T) {
	plugin := func(args ...string) string { t.Helper(); return testenv.Plugin(t, kubeconfig, ns, args...) }
	out := plugin("surge", "on", "btc-crash", "--for", "10m", "--reason", "e2e drill")
	if !strings.Contains(out, "-> Always (override) until") {
		t.Errorf("surge on: %s", out)
	}
	waitPhase(t, supportv1alpha1.SurgePhaseActive, 30*time.Second)
	var bots int32
	eventually(t, 60*time.Second, func() error {
		q := getQueue(t, "retail-chat")
		bots = q.Status.Chatbot.DesiredReplicas
		if r, _ := deployment(t, "retail-chat-chatbot"); surging(q) != metav1.ConditionTrue || r != bots {
			return fmt.Errorf("surging %s, deployment %d, desired %d", surging(q), r, bots)
		}
		return nil
	})
	if status := plugin("surge", "status"); !strings.Contains(status, "Active") || !strings.Contains(status, "ManualOn") {
		t.Errorf("surge status:\n%s", status)
	}

	if err := script("cluster.sh", "stop", "frontline"); err != nil {
		t.Fatal(err)
	}
	restart := time.Now()
	if err := script("run-operator.sh", "frontline", operatorBase); err != nil {
		t.Fatal(err)
	}
	for time.Since(restart) < 30*time.Second {
		if r, _ := deployment(t, "retail-chat-chatbot"); r < bots {
			t.Fatalf("bots dipped to %d (from %d) across the operator restart", r, bots)
		}
		time.Sleep(500 * time.Millisecond)
	}

	plugin("surge", "off", "btc-crash", "--reason", "drill over")
	waitPhase(t, supportv1alpha1.SurgePhaseDisabled, 30*time.Second)
	plugin("surge", "auto", "btc-crash")
	waitPhase(t, supportv1alpha1.SurgePhaseArmed, 30*time.Second)
}

// TestLeaderFailover: with two replicas, killing the leader hands the
// lease to the other within the lease time, and it keeps reconciling.
func TestLeaderFailover(t *testing.T) {
	if err := script("run-operator.sh", "frontline-2", secondOperatorBase); err != nil {
		t.Fatal(err)
	}
	leader := func() string {
		l := &coordinationv1.Lease{}
		if err := k8s.Get(ctx, types.NamespacedName{Namespace: "frontline-system", Name: "frontline.support.frontline.dev"}, l); err != nil {
			return ""
		}
		return ptr.Deref(l.Spec.HolderIdentity, "")
	}
	first := leader()
	if first == "" {
		t.Fatal("no leader")
	}
	if err := script("cluster.sh", "stop", "frontline"); err != nil { // the first started is the leader
		t.Fatal(err)
	}
	killed := time.Now()
	eventually(t, 30*time.Second, func() error {
		if l := leader(); l == first || l == "" {
			return fmt.Errorf("holder still %q", l)
		}
		return nil
	})
	t.Logf("lease moved from %s to %s in %v", first, leader(), time.Since(killed).Round(time.Second))
	// The new leader acts: a spec change is reconciled.
	q := getQueue(t, "vip-phone")
	edited := q.DeepCopy()
	edited.Spec.Agents.MinReplicas = 12
	if err := k8s.Patch(ctx, edited, client.MergeFrom(q)); err != nil { // the operator may be writing status meanwhile
		t.Fatal(err)
	}
	// Reconciled by the new leader: the edit observed, at least 12 agents
	// (more if the new leader's estimate asks for more), all Running.
	eventually(t, 60*time.Second, func() error {
		got := getQueue(t, "vip-phone")
		if got.Status.ObservedGeneration < edited.Generation {
			return fmt.Errorf("observed generation %d, edit at %d", got.Status.ObservedGeneration, edited.Generation)
		}
		r, running := deployment(t, "vip-phone-agents")
		if r < 12 || int32(running) != r {
			return fmt.Errorf("vip-phone-agents: %d replicas, %d pods Running; want at least 12, all Running", r, running)
		}
		return nil
	})
}

// TestQueueDeletionCollectsChildren: owner references let the garbage
// collector remove a deleted queue's children.
func TestQueueDeletionCollectsChildren(t *testing.T) {
	q := getQueue(t, "withdrawals-email")
	if err := k8s.Delete(ctx, q); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, func() error {
		err := k8s.Get(ctx, types.NamespacedName{Namespace: ns, Name: "withdrawals-email-agents"}, &appsv1.Deployment{})
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("deployment still there (%v)", err)
		}
		return nil
	})
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestChartInstalls installs the Helm chart (CRDs already present) onto
// the cluster with the pinned helm: the API server accepts every object and
// the manager Deployment becomes available on the fake node.
func TestChartInstalls(t *testing.T) {
	helm := filepath.Join(root, "bin", "helm-v3.22.0")
	if _, err := os.Stat(helm); err != nil {
		t.Fatalf("%s missing: make test-e2e installs it", helm)
	}
	cmd := exec.Command(helm, "upgrade", "--install", "chart-test", filepath.Join(root, "charts", "frontline"),
		"--namespace", "frontline-chart", "--create-namespace", "--set", "crds.enabled=false",
		"--set", "replicaCount=2", "--set", "prometheusRule.enabled=false", "--set", "rbac.oncall.create=false", // the main release has it
		"--wait", "--timeout", "120s")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helm install: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "kubectl frontline surge on") || !strings.Contains(string(out), "rollout status deployment/chart-test-frontline") {
		t.Errorf("NOTES.txt lacks the next commands:\n%s", out)
	}
	d := &appsv1.Deployment{}
	if err := k8s.Get(ctx, types.NamespacedName{Namespace: "frontline-chart", Name: "chart-test-frontline"}, d); err != nil {
		t.Fatal(err)
	}
	if d.Status.AvailableReplicas != 2 {
		t.Errorf("available replicas %d, want 2", d.Status.AvailableReplicas)
	}
	uninstall := exec.Command(helm, "uninstall", "chart-test", "--namespace", "frontline-chart", "--wait")
	uninstall.Env = cmd.Env
	if out, err := uninstall.CombinedOutput(); err != nil {
		t.Errorf("helm uninstall: %v\n%s", err, out)
	}
}

// planSpikeSpan is the demo plan's spike window plus baseline: how much
// counter history its inflowSpike trigger compares.
func planSpikeSpan(t *testing.T) time.Duration {
	t.Helper()
	s := getPlan(t).Spec.Triggers.InflowSpike
	if s == nil {
		t.Fatal("the demo plan has no inflowSpike trigger")
	}
	return s.Window.Duration + s.Baseline.Duration
}

// writeFigures writes v as JSON to the file the environment variable env
// names, when it is set: the figures make bench's report reads.
func writeFigures(t *testing.T, env string, v any) {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		return
	}
	raw, err := json.MarshalIndent(v, "", "  ")
	if err == nil {
		err = os.WriteFile(path, raw, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}
