//go:build bench

// Package bench measures Frontline at scale against a real kube-apiserver,
// etcd and Prometheus, with the operator as a separate process (so its RSS
// is its own), and writes docs/benchmarks.md. Run with `make bench`.
package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/internal/inflow"
	"github.com/frontline-dev/frontline/test/promtest"
	"github.com/frontline-dev/frontline/test/testenv"
	"github.com/frontline-dev/frontline/test/ticketsim"
)

const parallelism = 16

var ctx = context.Background()

type result struct {
	Queues        int
	Operator, Raw time.Duration
	// Created is when the last queue create returned; WritesPerQueue are
	// the writes on the operator's kinds during convergence, the queue
	// creates included, per queue.
	Created        time.Duration
	WritesPerQueue float64
	IdleWrites     int
	IdleWindow     time.Duration
	RSSMiB         float64
	QueriesPerPoll float64
}

// scaleRun is what TestScale measured, kept in bin/ so the report can be
// written again when the local cluster's figures change.
type scaleRun struct {
	Results  []result
	Internal []time.Duration
}

// TestReport writes docs/benchmarks.md again from the figures in bin/ (the
// last TestScale and the local cluster's runs), without measuring.
func TestReport(t *testing.T) {
	root, _ := testenv.RepoRoot()
	raw, err := os.ReadFile(filepath.Join(root, "bin", "scale.json"))
	if err != nil {
		t.Fatalf("no scale figures: run TestScale first: %v", err)
	}
	var run scaleRun
	if err := json.Unmarshal(raw, &run); err != nil || len(run.Results) == 0 {
		t.Fatalf("bin/scale.json: %v", err)
	}
	write(t, root, run.Results, run.Internal)
}

func TestScale(t *testing.T) {
	root, _ := testenv.RepoRoot()
	env, err := testenv.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	sizes := []int{10, 500, 2000}
	if s := os.Getenv("BENCH_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, _ := strconv.Atoi(f)
			sizes = append(sizes, n)
		}
	}
	idle := 5 * time.Minute
	if s := os.Getenv("BENCH_IDLE"); s != "" {
		idle, _ = time.ParseDuration(s)
	}

	sim, err := ticketsim.Start(100 * time.Millisecond) // a smooth counter: "nothing changing"
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for i, n := range sizes {
		for q := range n {
			sim.Set(ns(i), qname(q), ticketsim.Queue{InflowPerHour: 600, HandleTimeSeconds: 180, Smooth: true})
		}
	}
	sim.Set("reaction", "spiky", ticketsim.Queue{InflowPerHour: 300})
	promBin, err := promtest.Binary(root)
	if err != nil {
		t.Fatal(err)
	}
	prom, err := promtest.Start(promBin, t.TempDir(), []string{sim.Address()})
	if err != nil {
		t.Fatal(err)
	}
	defer prom.Stop()
	promStarted := time.Now()

	kubeconfig := env.Kubeconfig(t, "bench-operator", "system:masters")
	bin := buildOperator(t, root)
	// Every series exists from the start; give them the history a steady
	// desk has: the estimator's horizon and a margin. On less, the sizing
	// bound is still narrowing and its scale-downs are real changes, which
	// the idle window would count.
	history := inflow.DefaultHorizon + 5*time.Minute
	if s := os.Getenv("BENCH_HISTORY"); s != "" {
		history, _ = time.ParseDuration(s)
	}
	t.Logf("waiting for %s of counter history", history)
	time.Sleep(time.Until(promStarted.Add(history)))

	var results []result
	for i, n := range sizes {
		// The full idle window at the largest size; a minute (four polls)
		// is enough to count queries at the smaller ones.
		window := time.Minute
		if i == len(sizes)-1 {
			window = idle
		}
		// An operator per size, watching that size's namespace only: its
		// RSS is what n queues cost, not the sum of the earlier sizes.
		op := startOperator(t, bin, kubeconfig, prom.URL(), ns(i))
		results = append(results, measure(t, env, i, n, window, op))
		op.stop()
		t.Logf("%+v", results[len(results)-1])
	}
	op := startOperator(t, bin, kubeconfig, prom.URL(), "reaction")
	reaction := reactionTimes(t, env, sim, 20)
	op.stop()
	raw, _ := json.Marshal(scaleRun{Results: results, Internal: reaction})
	if err := os.WriteFile(filepath.Join(root, "bin", "scale.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	write(t, root, results, reaction)
}

func ns(i int) string    { return fmt.Sprintf("bench-%d", i) }
func qname(i int) string { return fmt.Sprintf("q-%04d", i) }
func rawNS(i int) string { return fmt.Sprintf("raw-%d", i) }

func measure(t *testing.T, env *testenv.Env, i, n int, idle time.Duration, op *operator) result {
	c := env.Client
	for _, name := range []string{ns(i), rawNS(i)} {
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Create(ctx, policy(ns(i))); err != nil {
		t.Fatal(err)
	}

	// The operator: create queues at the given parallelism; done when every
	// queue is Ready with its first metrics reading and its Deployment
	// exists.
	convergenceWrites := apiserverWrites(t, env)
	start := time.Now()
	if addr := os.Getenv("BENCH_PPROF"); addr != "" {
		go saveProfile(t, addr, "profile?seconds=20", fmt.Sprintf("bin/bench-cpu-%d.pprof", n))
	}
	parallel(n, func(q int) error { return c.Create(ctx, queue(ns(i), qname(q))) })
	created := time.Since(start)
	// Checked once a second: listing every queue and Deployment is itself a
	// load on the apiserver the plain client does not have to bear.
	waitEvery(t, 30*time.Minute, time.Second, func() (bool, error) {
		var qs supportv1alpha1.SupportQueueList
		if err := c.List(ctx, &qs, client.InNamespace(ns(i))); err != nil {
			return false, err
		}
		// Ready and read: a queue Ready before its first metrics reading
		// is still to be sized, and that write would land in the idle
		// window.
		ready := 0
		for _, q := range qs.Items {
			if meta.IsStatusConditionTrue(q.Status.Conditions, supportv1alpha1.ConditionReady) &&
				meta.IsStatusConditionTrue(q.Status.Conditions, supportv1alpha1.ConditionMetricsAvailable) {
				ready++
			}
		}
		var ds appsv1.DeploymentList
		if err := c.List(ctx, &ds, client.InNamespace(ns(i))); err != nil {
			return false, err
		}
		return ready == n && len(ds.Items) == n, nil
	})
	operator := time.Since(start)
	writes, detail := diffWrites(convergenceWrites, apiserverWrites(t, env))
	t.Logf("%d queues: writes during convergence by resource: %s", n, detail)

	// A plain client creating the same objects (the queue, its Deployment
	// and its PDB) at the same parallelism, in a namespace the operator does
	// not watch.
	start = time.Now()
	parallel(n, func(q int) error {
		if err := c.Create(ctx, queue(rawNS(i), qname(q))); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		if err := c.Create(ctx, rawDeployment(rawNS(i), qname(q))); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		if err := c.Create(ctx, rawPDB(rawNS(i), qname(q))); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
		return nil
	})
	raw := time.Since(start)

	// Idle: nothing changes; count the apiserver's mutating requests.
	time.Sleep(30 * time.Second) // let the last status updates land
	queriesBefore := scrape(t, op.metricsAddr, "frontline_prometheus_queries_total")
	writesBefore := apiserverWrites(t, env)
	statusBefore := queueStatuses(t, c, ns(i))
	time.Sleep(idle)
	idleWrites, detail := diffWrites(writesBefore, apiserverWrites(t, env))
	if detail != "" {
		t.Logf("%d queues: idle writes by resource: %s; status fields that moved: %s", n, detail, movedStatusFields(statusBefore, queueStatuses(t, c, ns(i))))
	}
	queries := scrape(t, op.metricsAddr, "frontline_prometheus_queries_total") - queriesBefore
	polls := idle.Seconds() / 15
	// RSS before the heap profile: the profile's forced collection would
	// otherwise be part of the figure.
	rss := rssMiB(t, op.cmd.Process.Pid)
	if addr := os.Getenv("BENCH_PPROF"); addr != "" {
		saveProfile(t, addr, "heap?gc=1", fmt.Sprintf("bin/bench-heap-%d.pprof", n))
	}
	return result{Queues: n, Operator: operator, Raw: raw, Created: created, WritesPerQueue: float64(writes) / float64(n), IdleWrites: idleWrites, IdleWindow: idle,
		RSSMiB: rss, QueriesPerPoll: queries / polls}
}

// reactionTimes spikes one queue's inflow through a gauge read by a query
// override and times the Deployment's replicas: operator-internal latency
// only (it skips the counter, the scrape's timing and the estimator, which
// the local cluster's counter steps measure).
func reactionTimes(t *testing.T, env *testenv.Env, sim *ticketsim.Sim, spikes int) []time.Duration {
	c := env.Client
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "reaction"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, policy("reaction")); err != nil {
		t.Fatal(err)
	}
	q := queue("reaction", "spiky")
	q.Spec.Metrics.PollInterval = metav1.Duration{Duration: 5 * time.Second}
	q.Spec.Scaling.ScaleDown.StabilizationWindow = metav1.Duration{}
	q.Spec.Scaling.ScaleDown.MaxStepPercent = 100
	q.Spec.Metrics.Queries = &supportv1alpha1.QueryOverrides{InflowPerSecond: `sum(frontline_sim_signal{namespace="reaction",queue="spiky",signal="inflow"})`}
	if err := c.Create(ctx, q); err != nil {
		t.Fatal(err)
	}
	gauge := sim.Gauges.WithLabelValues("reaction", "spiky", "inflow")
	replicas := func() int32 {
		d := &appsv1.Deployment{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: "reaction", Name: "spiky-agents"}, d); err != nil {
			return -1
		}
		return ptr.Deref(d.Spec.Replicas, -1)
	}
	// Each spike starts from calm: the queue is back at its calm size before
	// inflow jumps tenfold, at a varying phase against the poll.
	calm, spike := 300.0/3600, 3000.0/3600
	gauge.Set(calm)
	waitFor(t, time.Minute, func() (bool, error) {
		got := &supportv1alpha1.SupportQueue{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(q), got); err != nil {
			return false, err
		}
		sized := meta.IsStatusConditionTrue(got.Status.Conditions, supportv1alpha1.ConditionMetricsAvailable)
		return sized && got.Status.Agents.DesiredReplicas > 0 && replicas() == got.Status.Agents.DesiredReplicas, nil
	})
	calmReplicas := replicas()
	var out []time.Duration
	for i := range spikes {
		gauge.Set(calm)
		waitFor(t, time.Minute, func() (bool, error) { return replicas() == calmReplicas, nil })
		time.Sleep(time.Duration(1000+i*397%5000) * time.Millisecond)
		gauge.Set(spike)
		start := time.Now()
		waitFor(t, time.Minute, func() (bool, error) { return replicas() > calmReplicas, nil })
		out = append(out, time.Since(start))
	}
	return out
}

func policy(namespace string) *supportv1alpha1.SLAPolicy {
	return &supportv1alpha1.SLAPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: "p"},
		Spec: supportv1alpha1.SLAPolicySpec{
			Targets:      []supportv1alpha1.SLATarget{{Channel: "chat", Priority: "standard", ServiceLevel: &supportv1alpha1.ServiceLevelTarget{Percent: 80, Within: metav1.Duration{Duration: 20 * time.Second}}}},
			MaxOccupancy: "0.85", Shrinkage: "0.3", WarningMargin: "0.05",
		},
	}
}

func queue(namespace, name string) *supportv1alpha1.SupportQueue {
	return &supportv1alpha1.SupportQueue{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: supportv1alpha1.SupportQueueSpec{
			Channel: "chat", Priority: "standard", SLAPolicyRef: supportv1alpha1.LocalObjectReference{Name: "p"},
			Agents: supportv1alpha1.AgentsSpec{Template: supportv1alpha1.WorkloadTemplate{Image: "agent:1"}, MinReplicas: 1, MaxReplicas: 100,
				Concurrency: 1, AverageHandleTime: metav1.Duration{Duration: 3 * time.Minute}},
			Metrics: supportv1alpha1.MetricsSpec{PollInterval: metav1.Duration{Duration: 15 * time.Second}, MaxSampleAge: metav1.Duration{Duration: 2 * time.Minute},
				OnError: "Hold", FallbackAfter: 4},
			Scaling: supportv1alpha1.ScalingSpec{
				ScaleDown: supportv1alpha1.ScaleDownSpec{StabilizationWindow: metav1.Duration{Duration: 5 * time.Minute}, MaxStepPercent: 25}},
		},
	}
}

func rawDeployment(namespace, name string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name + "-agents", Labels: labels},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](14), Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "agents", Image: "agent:1"}}}}},
	}
}

func rawPDB(namespace, name string) *policyv1.PodDisruptionBudget {
	mu := intstr.FromInt32(1)
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name + "-agents"},
		Spec:       policyv1.PodDisruptionBudgetSpec{MaxUnavailable: &mu, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}},
	}
}

func parallel(n int, f func(int) error) {
	var wg sync.WaitGroup
	work := make(chan int)
	for range parallelism {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				for f(i) != nil {
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
}

func waitFor(t *testing.T, timeout time.Duration, check func() (bool, error)) {
	t.Helper()
	waitEvery(t, timeout, 200*time.Millisecond, check)
}

func waitEvery(t *testing.T, timeout, interval time.Duration, check func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ok, err := check(); err == nil && ok {
			return
		}
		time.Sleep(interval)
	}
	t.Fatalf("timed out after %v", timeout)
}

// operatorResources are the kinds the operator writes; the apiserver's own
// housekeeping (flow-control status, identity leases, events) is not the
// operator's cost.
var operatorResources = []string{"deployments", "services", "configmaps", "poddisruptionbudgets", "supportqueues", "slapolicies", "surgeplans"}

// apiserverWrites sums the apiserver's mutating requests on the kinds the
// operator writes, by resource (the benchmark itself is idle meanwhile).
func apiserverWrites(t *testing.T, env *testenv.Env) map[string]float64 {
	t.Helper()
	raw, err := kubeRaw(env, "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(raw, "\n") {
		if !strings.HasPrefix(line, "apiserver_request_total{") || !isWrite(line) {
			continue
		}
		for _, r := range operatorResources {
			if strings.Contains(line, `resource="`+r+`"`) {
				f := strings.Fields(line)
				v, _ := strconv.ParseFloat(f[len(f)-1], 64)
				out[r] += v
			}
		}
	}
	return out
}

func diffWrites(before, after map[string]float64) (total int, detail string) {
	var parts []string
	for _, r := range operatorResources {
		if d := int(after[r] - before[r]); d > 0 {
			total += d
			parts = append(parts, fmt.Sprintf("%s %d", r, d))
		}
	}
	return total, strings.Join(parts, ", ")
}

func isWrite(line string) bool {
	for _, verb := range []string{"POST", "PUT", "PATCH", "APPLY", "DELETE"} {
		if strings.Contains(line, `verb="`+verb+`"`) {
			return true
		}
	}
	return false
}

func kubeRaw(env *testenv.Env, path string) (string, error) {
	cs, err := envtestClientset(env)
	if err != nil {
		return "", err
	}
	b, err := cs.RESTClient().Get().AbsPath(path).DoRaw(ctx)
	return string(b), err
}

func scrape(t *testing.T, addr, metric string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, metric+"{") || strings.HasPrefix(line, metric+" ") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	return sum
}

func rssMiB(t *testing.T, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(line)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

type operator struct {
	cmd         *exec.Cmd
	metricsAddr string
}

func buildOperator(t *testing.T, root string) string {
	bin := filepath.Join(t.TempDir(), "manager")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the manager: %v\n%s", err, out)
	}
	return bin
}

// startOperator runs the manager with as many workers as the plain client
// has (the same parallelism) and waits until it is ready.
func startOperator(t *testing.T, bin, kubeconfig, prom, namespace string) *operator {
	op := &operator{metricsAddr: freeAddr(t)}
	probes := freeAddr(t)
	op.cmd = exec.Command(bin, "--kubeconfig", kubeconfig, "--prometheus-address", prom, "--metrics-bind-address", op.metricsAddr,
		"--metrics-secure=false", "--health-probe-bind-address", probes, "--zap-log-level", "error",
		"--watch-namespaces", namespace, "--max-concurrent-reconciles", strconv.Itoa(parallelism))
	if addr := os.Getenv("BENCH_PPROF"); addr != "" {
		op.cmd.Args = append(op.cmd.Args, "--pprof-bind-address", addr)
	}
	op.cmd.Stdout, op.cmd.Stderr = os.Stderr, os.Stderr
	if err := op.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(op.stop)
	waitFor(t, time.Minute, func() (bool, error) {
		resp, err := http.Get("http://" + probes + "/readyz")
		if err != nil {
			return false, err
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	return op
}

func (o *operator) stop() {
	if o.cmd.ProcessState == nil {
		_ = o.cmd.Process.Kill()
		_ = o.cmd.Wait()
	}
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(float64(len(s)-1)*p+0.5)]
}

func machine() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "this machine"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "model name") {
			return strings.TrimSpace(strings.SplitN(line, ":", 2)[1])
		}
	}
	return "this machine"
}

// saveProfile saves one of the operator's pprof profiles when BENCH_PPROF
// names a pprof address: the CPU over the first 20 s of convergence, the
// heap after the idle window (for finding where time and memory go; not
// part of the figures).
func saveProfile(t *testing.T, addr, profile, out string) {
	resp, err := http.Get("http://" + addr + "/debug/pprof/" + profile)
	if err != nil {
		t.Logf("profile: %v", err)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	root, _ := testenv.RepoRoot()
	f, err := os.Create(filepath.Join(root, out))
	if err != nil {
		t.Logf("profile: %v", err)
		return
	}
	defer func() { _ = f.Close() }()
	_, _ = io.Copy(f, resp.Body)
}

// queueStatuses are the namespace's queues' statuses as JSON objects, by
// name, with the conditions keyed by type.
func queueStatuses(t *testing.T, c client.Client, namespace string) map[string]map[string]any {
	var qs supportv1alpha1.SupportQueueList
	if err := c.List(ctx, &qs, client.InNamespace(namespace)); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, q := range qs.Items {
		raw, _ := json.Marshal(q.Status)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		for _, cond := range q.Status.Conditions {
			m["condition "+cond.Type] = cond
		}
		delete(m, "conditions")
		out[q.Name] = m
	}
	return out
}

// movedStatusFields counts, per top-level status field (and condition),
// the queues on which it changed, with one example: what an idle write
// wrote.
func movedStatusFields(before, after map[string]map[string]any) string {
	counts := map[string]int{}
	example := map[string]string{}
	for name, b := range before {
		a := after[name]
		keys := map[string]bool{}
		for k := range a {
			keys[k] = true
		}
		for k := range b {
			keys[k] = true
		}
		for k := range keys {
			x, _ := json.Marshal(b[k])
			y, _ := json.Marshal(a[k])
			if string(x) != string(y) {
				counts[k]++
				if example[k] == "" {
					example[k] = fmt.Sprintf("%s: %s -> %s", name, x, y)
				}
			}
		}
	}
	var parts []string
	for k, n := range counts {
		parts = append(parts, fmt.Sprintf("%s on %d (e.g. %s)", k, n, example[k]))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
