// Package plugin runs kubectl-frontline against a real apiserver whose
// watches time out every second or two, as watches through load balancers
// and apiserver restarts do in an incident. Where the operator must act
// (surge --wait), the test runs the operator's own reconciler.
package plugin

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	supportv1alpha1 "github.com/frontline-dev/frontline/api/v1alpha1"
	"github.com/frontline-dev/frontline/controllers"
	"github.com/frontline-dev/frontline/internal/cli"
	"github.com/frontline-dev/frontline/test/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	ctrllog.SetLogger(klog.NewKlogr()) // as the plugin's main does
	testenv.Main(m, &env, func(e *envtest.Environment) {
		// Watches end after 1-2 s instead of 30-60 min.
		e.ControlPlane.GetAPIServer().Configure().Set("min-request-timeout", "1")
	})
}

// top --watch outlives the server closing its watches, sees a queue
// created after several closures, and ends with its summary.
func TestTopWatchSurvivesClosedWatches(t *testing.T) {
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "plugin-"}}
	if err := env.Client.Create(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, testenv.MinimalQueue(ns.Name, "first")); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(5 * time.Second) // past a few watch timeouts
		_ = env.Client.Create(ctx, testenv.MinimalQueue(ns.Name, "late"))
	}()
	var out, errOut bytes.Buffer
	kubeconfig := env.Kubeconfig(t, "oncall-test", "system:masters")
	code := cli.Run([]string{"top", "--watch", "--for", "9s", "--interval", "500ms", "--kubeconfig", kubeconfig, "-n", ns.Name},
		strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("top --watch exited %d: %s", code, errOut.String())
	}
	body, summary, found := strings.Cut(out.String(), "\nSummary")
	if !found {
		t.Fatalf("no summary:\n%s", out.String())
	}
	frames := strings.Split(body, "(watching,")
	if last := frames[len(frames)-1]; !strings.Contains(last, "late") || !strings.Contains(last, "first") {
		t.Errorf("the last frame does not show both queues:\n%s", last)
	}
	if !strings.Contains(summary, "late") {
		t.Errorf("the summary misses the queue created mid-watch:\n%s", summary)
	}
}

// drillPlan is a plan kept off by its spec (mode Never, no triggers): only
// on-call's override moves it, and the operator reads no Prometheus.
func drillPlan(ns, name string) *supportv1alpha1.SurgePlan {
	return &supportv1alpha1.SurgePlan{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: supportv1alpha1.SurgePlanSpec{Mode: supportv1alpha1.SurgeModeNever,
			QueueSelector: metav1.LabelSelector{MatchLabels: map[string]string{"desk": "retail"}},
			Actions:       supportv1alpha1.SurgeActions{Agents: &supportv1alpha1.AgentSurge{ExtraReplicas: 4}},
			Cooldown: supportv1alpha1.CooldownSpec{MinActive: metav1.Duration{Duration: time.Minute}, QuietFor: metav1.Duration{Duration: time.Minute},
				CoolingDownFor: metav1.Duration{Duration: time.Minute}},
			EvaluationInterval: metav1.Duration{Duration: 30 * time.Second}, HistoryLimit: 10}}
}

// operator reconciles the plan once with the operator's own reconciler.
func operator(t *testing.T, key types.NamespacedName) {
	t.Helper()
	r := &controllers.SurgePlanReconciler{Client: env.Client, Recorder: events.NewFakeRecorder(100), Clock: clock.RealClock{}}
	if _, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: key}); err != nil {
		t.Fatalf("reconcile %s: %v", key, err)
	}
}

func newNamespace(t *testing.T) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "plugin-"}}
	if err := env.Client.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// surge on|off --wait follows the plan through watches the apiserver
// closes every second or two: the operator acts only after several have
// closed, and the command still sees it, says the phase and exits 0.
func TestSurgeWaitSurvivesClosedWatches(t *testing.T) {
	ctx := context.Background()
	ns := newNamespace(t)
	key := types.NamespacedName{Namespace: ns, Name: "btc-crash"}
	if err := env.Client.Create(ctx, drillPlan(ns, key.Name)); err != nil {
		t.Fatal(err)
	}
	operator(t, key)
	kubeconfig := env.Kubeconfig(t, "oncall-wait", "system:masters")
	// The plugin's requests (-v=6) go to requests: its watches of the
	// plan, each opened anew after the apiserver closed the last, are
	// counted.
	requests := &syncBuffer{}
	klog.LogToStderr(false)
	klog.SetOutput(requests)
	defer func() {
		klog.LogToStderr(true)
		fs := flag.NewFlagSet("klog", flag.ContinueOnError)
		klog.InitFlags(fs)
		_ = fs.Set("v", "0")
	}()
	for _, tc := range []struct {
		args       []string
		annotation string
		want       string
	}{
		{[]string{"surge", "on", key.Name, "--for", "30m", "--reason", "drill"}, "Always", "surgeplan " + key.String() + " is Active (ManualOn)"},
		{[]string{"surge", "off", key.Name, "--reason", "drill over"}, "Never", "surgeplan " + key.String() + " is Disabled"},
	} {
		t.Run(tc.args[1], func(t *testing.T) {
			var out, errOut bytes.Buffer
			done := make(chan int)
			start := time.Now()
			go func() {
				args := append(tc.args, "--wait", "--timeout", "60s", "-v=6", "--kubeconfig", kubeconfig, "-n", ns)
				done <- cli.Run(args, strings.NewReader(""), &out, &errOut)
			}()
			// The override is written; the operator is slow to act: the
			// watch is closed several times before it does.
			testenv.Eventually(t, 20*time.Second, 100*time.Millisecond, func() error {
				p := &supportv1alpha1.SurgePlan{}
				if err := env.Client.Get(ctx, key, p); err != nil {
					return err
				}
				if got := p.Annotations[supportv1alpha1.AnnotationSurgeOverride]; got != tc.annotation {
					return fmt.Errorf("override %q, want %s", got, tc.annotation)
				}
				return nil
			})
			select {
			case code := <-done:
				t.Fatalf("returned (exit %d) before the operator acted: %s %s", code, out.String(), errOut.String())
			case <-time.After(5 * time.Second): // watches last 1-2 s here
			}
			operator(t, key)
			select {
			case code := <-done:
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatal("--wait did not see the operator act")
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("stdout %q lacks %q", out.String(), tc.want)
			}
			if elapsed := time.Since(start); elapsed < 5*time.Second {
				t.Errorf("returned after %s, before the operator acted", elapsed)
			}
			watches := 0
			for _, line := range strings.Split(requests.take(), "\n") {
				if strings.Contains(line, "/namespaces/"+ns+"/surgeplans?") && strings.Contains(line, "watch=true") &&
					strings.Contains(line, "fieldSelector=metadata.name%3D"+key.Name) {
					watches++
				}
			}
			if watches < 2 {
				t.Errorf("the plan was watched %d times: the apiserver never closed the watch during the wait", watches)
			}
			t.Logf("%s --wait: %d watches of the plan", tc.args[1], watches)
		})
	}
}

// syncBuffer collects log lines written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// take returns what was written and empties the buffer.
func (b *syncBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer b.buf.Reset()
	return b.buf.String()
}

// Without an operator, --wait gives up at --timeout: exit 1 naming the
// plan and the phase it is still in.
func TestSurgeWaitTimesOut(t *testing.T) {
	ns := newNamespace(t)
	key := types.NamespacedName{Namespace: ns, Name: "btc-crash"}
	if err := env.Client.Create(context.Background(), drillPlan(ns, key.Name)); err != nil {
		t.Fatal(err)
	}
	operator(t, key)
	var out, errOut bytes.Buffer
	start := time.Now()
	code := cli.Run([]string{"surge", "on", key.Name, "--wait", "--timeout", "4s", "--kubeconfig", env.Kubeconfig(t, "oncall-timeout", "system:masters"), "-n", ns},
		strings.NewReader(""), &out, &errOut)
	if elapsed := time.Since(start); code != 1 || elapsed < 4*time.Second || elapsed > 20*time.Second {
		t.Fatalf("exit %d after %s: %s", code, elapsed, errOut.String())
	}
	if want := "error: surgeplan " + key.String() + ": the operator did not act within 4s (phase Disabled"; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q lacks %q", errOut.String(), want)
	}
}

// -o against the real apiserver: what kubectl get users type.
func TestOutputFormatsAgainstTheAPIServer(t *testing.T) {
	ns := newNamespace(t)
	ctx := context.Background()
	if err := env.Client.Create(ctx, drillPlan(ns, "btc-crash")); err != nil {
		t.Fatal(err)
	}
	if err := env.Client.Create(ctx, testenv.MinimalQueue(ns, "retail-chat")); err != nil {
		t.Fatal(err)
	}
	operator(t, types.NamespacedName{Namespace: ns, Name: "btc-crash"})
	kubeconfig := env.Kubeconfig(t, "oncall-output", "system:masters")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"surge", "status", "-o", "name"}, "surgeplan.support.frontline.dev/btc-crash\n"},
		{[]string{"surge", "status", "-o", "custom-columns=NAME:.metadata.name,PHASE:.status.phase", "--no-headers"}, "btc-crash   Disabled\n"},
		{[]string{"surge", "status", "btc-crash", "-o", "jsonpath={.kind} {.status.phase}"}, "SurgePlan Disabled"},
		{[]string{"top", "-o", "name"}, "supportqueue.support.frontline.dev/retail-chat\nsurgeplan.support.frontline.dev/btc-crash\n"},
		{[]string{"top", "-o", `go-template={{range .items}}{{.kind}}:{{.metadata.name}} {{end}}`}, "SupportQueue:retail-chat SurgePlan:btc-crash "},
	} {
		if got := testenv.Plugin(t, kubeconfig, ns, tc.args...); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.args, got, tc.want)
		}
	}
}
